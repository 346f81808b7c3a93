#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "dbsp/indexed_zset.hpp"
#include "dbsp/print.hpp"

using iz = dbsp::indexed_zset<int, std::string>;
using z = dbsp::zset<std::string>;

namespace {
iz make(std::initializer_list<std::tuple<int, std::string, long long>> rows) {
    iz r;
    for (const auto& [k, v, w] : rows) r.add(k, v, w);
    return r;
}
} // namespace

TEST_CASE("indexed_zset: rows are grouped by key", "[indexed_zset]") {
    const auto a = make({{1, "a", 1}, {1, "b", 2}, {2, "c", -1}});
    CHECK(a.key_count() == 2);
    REQUIRE(a.find(1) != nullptr);
    CHECK(*a.find(1) == z{{"a", 1}, {"b", 2}});
    CHECK(*a.find(2) == z{{"c", -1}});
    CHECK(a.find(3) == nullptr);
}

TEST_CASE("indexed_zset: a group that cancels out disappears", "[indexed_zset]") {
    auto a = make({{1, "a", 1}, {2, "b", 1}});
    a.add(1, "a", -1);
    CHECK(a.key_count() == 1);
    CHECK(a.find(1) == nullptr);
    a.add(2, "b", 0);
    CHECK(a.key_count() == 1);
}

TEST_CASE("indexed_zset: add_group merges a whole group", "[indexed_zset]") {
    auto a = make({{1, "a", 1}});
    a.add_group(1, z{{"a", -1}, {"b", 3}});
    a.add_group(2, z{});
    CHECK(a == make({{1, "b", 3}}));
    a.add_group(1, z{{"b", -3}});
    CHECK(a.empty());
}

TEST_CASE("indexed_zset: plus, minus and negation act row by row", "[indexed_zset]") {
    const auto a = make({{1, "a", 1}, {2, "b", 2}});
    const auto b = make({{1, "a", -1}, {2, "c", 1}});
    CHECK(a + b == make({{2, "b", 2}, {2, "c", 1}}));
    CHECK(a - b == make({{1, "a", 2}, {2, "b", 2}, {2, "c", -1}}));
    CHECK(-a == make({{1, "a", -1}, {2, "b", -2}}));
    CHECK((a - a).empty());
}

TEST_CASE("indexed_zset: compound assignment with itself doubles or clears", "[indexed_zset]") {
    auto a = make({{1, "a", 1}, {2, "b", -2}, {3, "c", 1}});
    a += a;
    CHECK(a == make({{1, "a", 2}, {2, "b", -4}, {3, "c", 2}}));
    a -= a;
    CHECK(a.empty());
    CHECK(a.key_count() == 0);
}

TEST_CASE("indexed_zset: flatten gives the Z-set of (key, value) pairs", "[indexed_zset]") {
    const auto a = make({{1, "a", 1}, {1, "b", 2}, {2, "a", -1}});
    using pz = dbsp::zset<std::pair<int, std::string>>;
    CHECK(a.flatten() == pz{{{1, "a"}, 1}, {{1, "b"}, 2}, {{2, "a"}, -1}});
}

TEST_CASE("indexed_zset: equality, clear and iteration", "[indexed_zset]") {
    auto a = make({{1, "a", 1}, {2, "b", 1}});
    CHECK(a == make({{2, "b", 1}, {1, "a", 1}}));
    CHECK_FALSE(a == make({{1, "a", 1}}));
    int keys = 0;
    for (const auto& [k, g] : a) keys += k * static_cast<int>(g.size());
    CHECK(keys == 3);
    a.reserve(10);
    a.clear();
    CHECK(a.empty());
}

TEST_CASE("indexed_zset: indexed_zset_type recognises indexed Z-sets only", "[indexed_zset]") {
    STATIC_REQUIRE(dbsp::indexed_zset_type<iz>);
    STATIC_REQUIRE_FALSE(dbsp::indexed_zset_type<z>);
}
