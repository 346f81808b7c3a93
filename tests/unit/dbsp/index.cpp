#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "dbsp/operator/index.hpp"
#include "drive.hpp"

using dbsp_test::pair_zset;

TEST_CASE("index: index_by a key function stores whole rows", "[index]") {
    const pair_zset a{{{1, 10}, 1}, {{1, 11}, 2}, {{2, 20}, -1}};
    auto idx = dbsp::index_by(a, [](const std::pair<int, int>& p) { return p.first; });
    CHECK(idx.key_count() == 2);
    CHECK(*idx.find(1) == pair_zset{{{1, 10}, 1}, {{1, 11}, 2}});
    CHECK(*idx.find(2) == pair_zset{{{2, 20}, -1}});
}

TEST_CASE("index: index_by a key and a value function", "[index]") {
    const pair_zset a{{{1, 10}, 1}, {{1, 11}, 2}, {{2, 20}, -1}};
    auto idx = dbsp::index_by(
        a, [](const auto& p) { return p.first; },
        [](const auto& p) { return std::to_string(p.second); });
    dbsp::indexed_zset<int, std::string> want;
    want.add(1, "10", 1);
    want.add(1, "11", 2);
    want.add(2, "20", -1);
    CHECK(idx == want);
}

TEST_CASE("index: rows mapping to the same (key, value) add up", "[index]") {
    const pair_zset a{{{1, 10}, 1}, {{1, 11}, -1}};
    auto idx = dbsp::index_by(
        a, [](const auto& p) { return p.first; }, [](const auto& p) { return p.second / 10; });
    CHECK(idx.empty());
}

TEST_CASE("index: on a stream indexes each tick's value", "[index]") {
    auto out = dbsp_test::run(
        [](auto s) {
            return dbsp::index_by(
                s, [](const auto& p) { return p.second; }, [](const auto& p) { return p.first; });
        },
        std::vector<pair_zset>{{{{1, 2}, 1}, {{3, 2}, 1}}, {}});
    REQUIRE(out.size() == 2);
    dbsp::indexed_zset<int, int> want;
    want.add(2, 1);
    want.add(2, 3);
    CHECK(out[0] == want);
    CHECK(out[1].empty());
}
