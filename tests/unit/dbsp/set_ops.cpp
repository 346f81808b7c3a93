#include <catch2/catch.hpp>

#include <vector>

#include "dbsp/operator/set_ops.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("set operations: multiplicities of SQL's INTERSECT and EXCEPT", "[set_ops]") {
    const izset a{{1, 3}, {2, 1}, {3, 2}}, b{{1, 1}, {3, 5}, {4, 2}};
    CHECK(dbsp::intersect_all(a, b) == izset{{1, 1}, {3, 2}});
    CHECK(dbsp::except_all(a, b) == izset{{1, 2}, {2, 1}});
    CHECK(dbsp::intersect(a, b) == izset{{1, 1}, {3, 1}});
    CHECK(dbsp::except(a, b) == izset{{2, 1}});
}

TEST_CASE("set operations: negative weights count as no copies", "[set_ops]") {
    const izset a{{1, -2}, {2, 2}}, b{{2, -1}};
    CHECK(dbsp::intersect_all(a, b).empty());
    CHECK(dbsp::except_all(a, b) == izset{{2, 2}});
    CHECK(dbsp::except(a, b) == izset{{2, 1}});
}

TEST_CASE("set operations: the incremental form emits the change of each touched key", "[set_ops]") {
    // Key 1: a = 2, 2, 2, 0; b = 0, 1, 3, 3. INTERSECT ALL = 0, 1, 2, 0.
    const std::vector<izset> a{{{1, 2}}, {}, {}, {{1, -2}}};
    const std::vector<izset> b{{}, {{1, 1}}, {{1, 2}}, {}};
    auto out = dbsp_test::run([](auto x, auto y) { return dbsp::intersect_all(x, y); }, a, b);
    CHECK(out == std::vector<izset>{{}, {{1, 1}}, {{1, 1}}, {{1, -2}}});
    auto except = dbsp_test::run([](auto x, auto y) { return dbsp::except(x, y); }, a, b);
    CHECK(except == std::vector<izset>{{{1, 1}}, {{1, -1}}, {}, {}});
}

TEST_CASE("set operations: combine_weights with any function vanishing at (0, 0)", "[set_ops]") {
    auto sum = [](long long x, long long y) { return x + y; };
    CHECK(dbsp::combine_weights(izset{{1, 1}}, izset{{1, 2}, {2, 1}}, sum) == izset{{1, 3}, {2, 1}});
}
