#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "dbsp/hash.hpp"
#include "dbsp/zset.hpp"

namespace geo {
// A key type of our own: hashed through dbsp_hash, found by ADL.
struct point {
    int x, y;
    friend bool operator==(const point&, const point&) = default;
};
inline int hash_calls = 0;
inline std::uint64_t dbsp_hash(const point& p) {
    ++hash_calls;
    return dbsp::hash_value(std::pair{p.x, p.y});
}
} // namespace geo

TEST_CASE("hash: integers hash their bytes with XXH3", "[hash]") {
    const std::int64_t v = 42;
    CHECK(dbsp::hash_value(v) == XXH3_64bits(&v, sizeof v));
    CHECK(dbsp::hash_value(v) == dbsp::hash_value(std::int64_t{42}));
    CHECK(dbsp::hash_value(v) != dbsp::hash_value(std::int64_t{43}));
}

TEST_CASE("hash: strings hash their characters, whatever the string type", "[hash]") {
    const std::string s = "abc";
    CHECK(dbsp::hash_value(s) == XXH3_64bits("abc", 3));
    CHECK(dbsp::hash_value(std::string_view("abc")) == dbsp::hash_value(s));
    CHECK(dbsp::hash_value("abc") == dbsp::hash_value(s));
    CHECK(dbsp::hash_value(std::string()) == XXH3_64bits("", 0));
}

TEST_CASE("hash: positive and negative floating-point zero hash alike", "[hash]") {
    CHECK(dbsp::hash_value(0.0) == dbsp::hash_value(-0.0));
    CHECK(dbsp::hash_value(1.0) != dbsp::hash_value(-1.0));
}

TEST_CASE("hash: tuples and pairs hash their elements in order", "[hash]") {
    CHECK(dbsp::hash_value(std::pair{1, 2}) == dbsp::hash_value(std::tuple{1, 2}));
    CHECK(dbsp::hash_value(std::pair{1, 2}) != dbsp::hash_value(std::pair{2, 1}));
    const auto t = std::tuple{1, std::string("x"), 2.5};
    CHECK(dbsp::hash_value(t) == dbsp::hash_value(std::tuple{1, std::string("x"), 2.5}));
    CHECK(dbsp::hash_value(t) != dbsp::hash_value(std::tuple{1, std::string("y"), 2.5}));
}

TEST_CASE("hash: tuples of numbers hash their packed bytes in one call", "[hash]") {
    const std::int32_t bytes[] = {1, 2};
    CHECK(dbsp::hash_value(std::pair<std::int32_t, std::int32_t>{1, 2}) ==
          XXH3_64bits(bytes, sizeof bytes));
    CHECK(dbsp::hash_value(std::tuple{1.0, 0.0}) == dbsp::hash_value(std::tuple{1.0, -0.0}));
    CHECK(dbsp::hash_value(std::tuple{1, 2LL}) != dbsp::hash_value(std::tuple{1LL, 2}));
    STATIC_REQUIRE(dbsp::detail::packed_hashable<std::tuple<int, double, char>>);
    STATIC_REQUIRE_FALSE(dbsp::detail::packed_hashable<std::tuple<int, std::string>>);
    STATIC_REQUIRE_FALSE(dbsp::detail::packed_hashable<std::tuple<>>);
}

TEST_CASE("hash: ranges hash their length and elements", "[hash]") {
    const std::vector<int> v{1, 2, 3};
    CHECK(dbsp::hash_value(v) == dbsp::hash_value(std::vector<int>{1, 2, 3}));
    CHECK(dbsp::hash_value(v) != dbsp::hash_value(std::vector<int>{3, 2, 1}));
    CHECK(dbsp::hash_value(std::vector<int>{}) != dbsp::hash_value(std::vector<int>{0}));
}

TEST_CASE("hash: optionals distinguish empty from engaged", "[hash]") {
    CHECK(dbsp::hash_value(std::optional<int>{}) == 0);
    CHECK(dbsp::hash_value(std::optional<int>{0}) != 0);
    CHECK(dbsp::hash_value(std::optional<int>{5}) == dbsp::hash_value(std::optional<int>{5}));
}

TEST_CASE("hash: a user type provides dbsp_hash through ADL", "[hash]") {
    geo::hash_calls = 0;
    CHECK(dbsp::hash_value(geo::point{1, 2}) == dbsp::hash_value(std::pair{1, 2}));
    CHECK(geo::hash_calls == 1);
    STATIC_REQUIRE(dbsp::adl_hashable<geo::point>);
    STATIC_REQUIRE_FALSE(dbsp::adl_hashable<int>);
}

TEST_CASE("hash: a Z-set keyed by a user type hashes with dbsp_hash", "[hash]") {
    geo::hash_calls = 0;
    dbsp::zset<geo::point> z{{{1, 2}, 1}, {{3, 4}, 2}};
    z.add({1, 2}, -1);
    CHECK(geo::hash_calls >= 3);
    CHECK(z.size() == 1);
    CHECK(z.weight({3, 4}) == 2);
}

TEST_CASE("hash: hasher forwards to hash_value", "[hash]") {
    CHECK(dbsp::hasher<std::string>{}("abc") == static_cast<std::size_t>(XXH3_64bits("abc", 3)));
}
