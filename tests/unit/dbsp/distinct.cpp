#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dbsp/operator/distinct.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("distinct: keeps positive keys with weight one", "[distinct]") {
    CHECK(dbsp::distinct(izset{{1, 3}, {2, -1}, {3, 1}}) == izset{{1, 1}, {3, 1}});
    CHECK(dbsp::distinct(dbsp::zset<std::string>{{"a", 2}}) == dbsp::zset<std::string>{{"a", 1}});
    CHECK(dbsp::distinct(izset{}).empty());
}

TEST_CASE("distinct: the incremental form emits only changes of membership", "[distinct]") {
    const std::vector<izset> in{{{1, 1}}, {{1, 1}}, {{1, -3}}, {{1, 2}, {2, -1}}, {{2, 2}}};
    auto out = dbsp_test::run([](auto s) { return dbsp::distinct(s); }, in);
    // The integral of key 1 goes 1, 2, -1, 1; key 2 goes -1, 1.
    CHECK(out == std::vector<izset>{{{1, 1}}, {}, {{1, -1}}, {{1, 1}}, {{2, 1}}});
}

TEST_CASE("distinct: stream_distinct applies distinct to each tick's value", "[distinct]") {
    const std::vector<izset> in{{{1, 1}}, {{1, 1}}, {{1, -3}}, {{1, 2}, {2, -1}}};
    auto out = dbsp_test::run([](auto s) { return dbsp::stream_distinct(s); }, in);
    CHECK(out == std::vector<izset>{{{1, 1}}, {{1, 1}}, {}, {{1, 1}}});
}
