#include <catch2/catch.hpp>

#include <compare>
#include <string>

#include "dbsp/algebra/concepts.hpp"
#include "dbsp/zset.hpp"

namespace {

// A weight type of our own: a ring with a custom zero test, found by ADL.
struct counted_weight {
    long long v = 0;
    static inline int zero_tests = 0;
    friend counted_weight operator+(counted_weight a, counted_weight b) { return {a.v + b.v}; }
    friend counted_weight operator-(counted_weight a, counted_weight b) { return {a.v - b.v}; }
    friend counted_weight operator-(counted_weight a) { return {-a.v}; }
    friend counted_weight operator*(counted_weight a, counted_weight b) { return {a.v * b.v}; }
    friend auto operator<=>(const counted_weight&, const counted_weight&) = default;
    friend bool dbsp_is_zero(const counted_weight& w) {
        ++zero_tests;
        return w.v == 0;
    }
};

} // namespace

TEST_CASE("concepts: built-in signed arithmetic types are weights", "[concepts]") {
    STATIC_REQUIRE(dbsp::zring<long long>);
    STATIC_REQUIRE(dbsp::zring<int>);
    STATIC_REQUIRE(dbsp::zring<short>);
    STATIC_REQUIRE(dbsp::zring<double>);
    STATIC_REQUIRE(std::same_as<dbsp::zweight, long long>);
}

TEST_CASE("concepts: bool, unsigned and non-arithmetic types are not weights", "[concepts]") {
    STATIC_REQUIRE(dbsp::monoid<bool>);
    STATIC_REQUIRE_FALSE(dbsp::abelian_group<bool>);
    STATIC_REQUIRE(dbsp::ring<unsigned>);        // Z/2ⁿ is a ring...
    STATIC_REQUIRE_FALSE(dbsp::zring<unsigned>); // ...but "positive" means nothing in it
    STATIC_REQUIRE(dbsp::monoid<std::string>);
    STATIC_REQUIRE_FALSE(dbsp::abelian_group<std::string>);
}

TEST_CASE("concepts: the concept tower refines step by step", "[concepts]") {
    STATIC_REQUIRE(dbsp::semigroup<std::string>);
    STATIC_REQUIRE(dbsp::zring<counted_weight>);
    STATIC_REQUIRE(dbsp::ring<counted_weight>);
    STATIC_REQUIRE(dbsp::abelian_group<counted_weight>);
    STATIC_REQUIRE(dbsp::monoid<counted_weight>);
}

TEST_CASE("concepts: is_zero defaults to comparison with W{}", "[concepts]") {
    CHECK(dbsp::is_zero(0LL));
    CHECK_FALSE(dbsp::is_zero(-1LL));
    CHECK(dbsp::is_zero(0.0));
    CHECK(dbsp::is_zero(-0.0));
    CHECK_FALSE(dbsp::is_zero(1e-300));
}

TEST_CASE("concepts: is_zero uses a dbsp_is_zero found by ADL", "[concepts]") {
    counted_weight::zero_tests = 0;
    CHECK(dbsp::is_zero(counted_weight{0}));
    CHECK_FALSE(dbsp::is_zero(counted_weight{3}));
    CHECK(counted_weight::zero_tests == 2);
}

TEST_CASE("concepts: a Z-set over a user weight type consolidates through its zero test",
          "[concepts]") {
    dbsp::zset<int, counted_weight> z;
    z.add(1, counted_weight{2});
    z.add(2, counted_weight{1});
    counted_weight::zero_tests = 0;
    z.add(1, counted_weight{-2});
    CHECK(counted_weight::zero_tests > 0);
    CHECK(z.size() == 1);
    CHECK(z.weight(2) == counted_weight{1});
    CHECK(z.weight(1) == counted_weight{0});
}
