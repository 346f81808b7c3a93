#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dbsp/operator/map.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("map: applies the function to every key and keeps weights", "[map]") {
    const izset a{{1, 2}, {2, -1}};
    CHECK(dbsp::map(a, [](int x) { return std::to_string(x); }) ==
          dbsp::zset<std::string>{{"1", 2}, {"2", -1}});
}

TEST_CASE("map: colliding images add their weights", "[map]") {
    const izset a{{1, 2}, {3, -2}, {5, 1}, {2, 4}};
    CHECK(dbsp::map(a, [](int x) { return x % 2; }) == izset{{1, 1}, {0, 4}});
    CHECK(dbsp::map(izset{{1, 1}, {-1, -1}}, [](int x) { return x * x; }).empty());
}

TEST_CASE("map: on a stream maps each tick's value", "[map]") {
    auto out = dbsp_test::run([](auto s) { return dbsp::map(s, [](int x) { return x * 10; }); },
                              std::vector<izset>{{{1, 1}}, {}, {{2, -1}, {1, 1}}});
    CHECK(out == std::vector<izset>{{{10, 1}}, {}, {{20, -1}, {10, 1}}});
}
