#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dbsp/indexed_zset.hpp"
#include "dbsp/operator/plus.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("plus: union all, difference and negation of Z-sets", "[plus]") {
    const izset a{{1, 1}, {2, 1}}, b{{2, 1}, {3, -1}};
    CHECK(dbsp::plus(a, b) == izset{{1, 1}, {2, 2}, {3, -1}});
    CHECK(dbsp::minus(a, b) == izset{{1, 1}, {3, 1}});
    CHECK(dbsp::neg(a) == izset{{1, -1}, {2, -1}});
}

TEST_CASE("plus: works on indexed Z-sets", "[plus]") {
    dbsp::indexed_zset<int, std::string> a, b, want;
    a.add(1, "x");
    b.add(1, "x", -1);
    b.add(2, "y");
    want.add(2, "y");
    CHECK(dbsp::plus(a, b) == want);
    CHECK(dbsp::neg(dbsp::minus(a, b)) == b - a);
}

TEST_CASE("plus: on streams combines the values of the same tick", "[plus]") {
    const std::vector<izset> a{{{1, 1}}, {{2, 1}}}, b{{{1, 1}}, {{2, -1}, {3, 1}}};
    CHECK(dbsp_test::run([](auto x, auto y) { return dbsp::plus(x, y); }, a, b) ==
          std::vector<izset>{{{1, 2}}, {{3, 1}}});
    CHECK(dbsp_test::run([](auto x, auto y) { return dbsp::minus(x, y); }, a, b) ==
          std::vector<izset>{{}, {{2, 2}, {3, -1}}});
    CHECK(dbsp_test::run([](auto x) { return dbsp::neg(x); }, a) ==
          std::vector<izset>{{{1, -1}}, {{2, -1}}});
}
