#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "dbsp/operator/join.hpp"
#include "drive.hpp"

using dbsp_test::by_key;
using dbsp_test::make_index;
using dbsp_test::pair_zset;
using ij = dbsp_test::int_index;

namespace {
auto values = [](int, int va, int vb) { return std::pair{va, vb}; };
// Changes of two (key, value) relations, shared by the incremental and per-tick tests.
const std::vector<pair_zset> da{{{{1, 10}, 1}}, {}, {{{2, 20}, 1}, {{1, 10}, -1}}, {{{1, 11}, 2}}};
const std::vector<pair_zset> db{
    {}, {{{1, 100}, 1}, {{2, 200}, 1}}, {{{1, 101}, 1}}, {{{1, 100}, -1}}};
} // namespace

TEST_CASE("join: pairs the values of equal keys and multiplies weights", "[join]") {
    const auto a = make_index({{1, 10, 1}, {1, 11, 2}, {2, 20, 1}, {3, 30, 1}});
    const auto b = make_index({{1, 100, 3}, {2, 200, -1}, {4, 400, 1}});
    CHECK(dbsp::join(a, b, values) == pair_zset{{{10, 100}, 3}, {{11, 100}, 6}, {{20, 200}, -1}});
}

TEST_CASE("join: the result does not depend on which side has more keys", "[join]") {
    const auto small = make_index({{1, 10, 1}});
    const auto large = make_index({{1, 100, 1}, {2, 200, 1}, {3, 300, 1}});
    auto swapped = [](int, int vb, int va) { return std::pair{va, vb}; };
    CHECK(dbsp::join(small, large, values) == pair_zset{{{10, 100}, 1}});
    CHECK(dbsp::join(large, small, swapped) == pair_zset{{{10, 100}, 1}});
}

TEST_CASE("join: the key is passed to the combining function", "[join]") {
    dbsp::indexed_zset<std::string, int> a, b;
    a.add("k", 1);
    b.add("k", 2);
    auto f = [](const std::string& k, int x, int y) { return k + std::to_string(x + y); };
    CHECK(dbsp::join(a, b, f) == dbsp::zset<std::string>{{"k3", 1}});
}

TEST_CASE("join: an empty side gives an empty result", "[join]") {
    CHECK(dbsp::join(make_index({{1, 1, 1}}), ij{}, values).empty());
    CHECK(dbsp::join(ij{}, make_index({{1, 1, 1}}), values).empty());
}

TEST_CASE("join: the incremental form emits the change of the join at each tick", "[join]") {
    auto out = dbsp_test::run(
        [](auto a, auto b) { return dbsp::join(by_key(a), by_key(b), values); }, da, db);
    CHECK(out == std::vector<pair_zset>{
                     {}, {{{10, 100}, 1}}, {{{20, 200}, 1}, {{10, 100}, -1}}, {{{11, 101}, 2}}});
}

TEST_CASE("join: stream_join joins each tick's values only", "[join]") {
    auto out = dbsp_test::run(
        [](auto a, auto b) { return dbsp::stream_join(by_key(a), by_key(b), values); }, da, db);
    CHECK(out == std::vector<pair_zset>{{}, {}, {{{10, 101}, -1}}, {{{11, 100}, -2}}});
}

TEST_CASE("join: an incremental self-join counts new pairs once", "[join]") {
    auto out = dbsp_test::run(
        [](auto s) {
            auto i = by_key(s);
            return dbsp::join(i, i, values);
        },
        std::vector<pair_zset>{{{{1, 1}, 1}}, {{{1, 2}, 1}}});
    CHECK(out == std::vector<pair_zset>{{{{1, 1}, 1}}, {{{2, 1}, 1}, {{1, 2}, 1}, {{2, 2}, 1}}});
}
