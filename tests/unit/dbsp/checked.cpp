#include <catch2/catch.hpp>

#include <limits>

#include "dbsp/algebra/checked.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/operator/join.hpp"
#include "dbsp/zset.hpp"

namespace {
constexpr long long max_w = std::numeric_limits<long long>::max();
constexpr long long min_w = std::numeric_limits<long long>::min();
} // namespace

TEST_CASE("checked: tests build with checked weights", "[checked]") {
    STATIC_REQUIRE(DBSP_CHECKED_WEIGHTS == 1);
    STATIC_REQUIRE(dbsp::detail::checked_weight_v<long long>);
    STATIC_REQUIRE_FALSE(dbsp::detail::checked_weight_v<double>);
}

TEST_CASE("checked: in-range arithmetic gives exact results", "[checked]") {
    CHECK(dbsp::weight_add(max_w - 1, 1LL) == max_w);
    CHECK(dbsp::weight_sub(min_w + 1, 1LL) == min_w);
    CHECK(dbsp::weight_neg(max_w) == min_w + 1);
    CHECK(dbsp::weight_mul(-3037000499LL, 3037000499LL) == -9223372030926249001LL);
    CHECK(dbsp::weight_add(2, 3) == 5);
}

TEST_CASE("checked: overflowing arithmetic throws weight_overflow", "[checked]") {
    CHECK_THROWS_AS(dbsp::weight_add(max_w, 1LL), dbsp::weight_overflow);
    CHECK_THROWS_AS(dbsp::weight_add(min_w, -1LL), dbsp::weight_overflow);
    CHECK_THROWS_AS(dbsp::weight_sub(min_w, 1LL), dbsp::weight_overflow);
    CHECK_THROWS_AS(dbsp::weight_neg(min_w), dbsp::weight_overflow);
    CHECK_THROWS_AS(dbsp::weight_mul(3037000500LL, 3037000500LL), dbsp::weight_overflow);
    CHECK_THROWS_AS(dbsp::weight_add(std::numeric_limits<int>::max(), 1), dbsp::weight_overflow);
    CHECK_THROWS_WITH(dbsp::weight_add(max_w, max_w), "dbsp: weight overflow");
}

TEST_CASE("checked: floating-point weights are not checked", "[checked]") {
    const double big = std::numeric_limits<double>::max();
    CHECK(dbsp::weight_add(big, big) == std::numeric_limits<double>::infinity());
}

TEST_CASE("checked: Z-set operations report overflow and keep the Z-set usable", "[checked]") {
    dbsp::zset<int> z{{1, max_w}};
    CHECK_THROWS_AS(z.add(1, 1), dbsp::weight_overflow);
    CHECK(z.weight(1) == max_w);
    CHECK_THROWS_AS(z + z, dbsp::weight_overflow);
    CHECK_THROWS_AS(z.scale(2), dbsp::weight_overflow);
    CHECK_THROWS_AS(-(dbsp::zset<int>{{7, min_w}}), dbsp::weight_overflow);
}

TEST_CASE("checked: join multiplies weights with overflow checks", "[checked]") {
    dbsp::indexed_zset<int, int> a, b;
    a.add(1, 10, 4'000'000'000LL);
    b.add(1, 20, 4'000'000'000LL);
    auto pair_of = [](int, int x, int y) { return x + y; };
    CHECK_THROWS_AS(dbsp::join(a, b, pair_of), dbsp::weight_overflow);
}
