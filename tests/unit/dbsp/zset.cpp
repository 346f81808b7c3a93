#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "dbsp/print.hpp"
#include "dbsp/zset.hpp"

using z = dbsp::zset<int>;

TEST_CASE("zset: adding opposite weights removes the key", "[zset]") {
    z s;
    s.add(1, 2);
    s.add(1, -2);
    CHECK(s.empty());
    CHECK(s.size() == 0);
    CHECK(s.weight(1) == 0);
    CHECK_FALSE(s.contains(1));
}

TEST_CASE("zset: a zero weight is never stored", "[zset]") {
    z s;
    s.add(5, 0);
    CHECK(s.empty());
    CHECK(z{{1, 0}, {2, 1}} == z{{2, 1}});
}

TEST_CASE("zset: the list constructor consolidates duplicate keys", "[zset]") {
    const z s{{1, 2}, {2, 1}, {1, -1}, {3, 1}, {3, -1}};
    CHECK(s.size() == 2);
    CHECK(s.weight(1) == 1);
    CHECK(s.weight(2) == 1);
    CHECK_FALSE(s.contains(3));
}

TEST_CASE("zset: add defaults to weight one and accumulates", "[zset]") {
    dbsp::zset<std::string> s;
    s.add("a");
    std::string b = "b";
    s.add(std::move(b), 3);
    s.add("a");
    CHECK(s == dbsp::zset<std::string>{{"a", 2}, {"b", 3}});
}

TEST_CASE("zset: equality ignores insertion order", "[zset]") {
    z a, b;
    for (int i = 0; i < 100; ++i) a.add(i, i % 3 - 1);
    for (int i = 99; i >= 0; --i) b.add(i, i % 3 - 1);
    CHECK(a == b);
    CHECK(a.size() == 67);
    b.add(0, 1);
    CHECK_FALSE(a == b);
}

TEST_CASE("zset: plus, minus and negation", "[zset]") {
    const z a{{1, 1}, {2, 2}}, b{{2, -2}, {3, 1}};
    CHECK(a + b == z{{1, 1}, {3, 1}});
    CHECK(a - b == z{{1, 1}, {2, 4}, {3, -1}});
    CHECK(-a == z{{1, -1}, {2, -2}});
    CHECK(a - a == z{});
    CHECK(a + z{} == a);
}

TEST_CASE("zset: compound assignment with itself doubles or clears", "[zset]") {
    z a{{1, 1}, {2, -3}};
    a += a;
    CHECK(a == z{{1, 2}, {2, -6}});
    a -= a;
    CHECK(a.empty());
}

TEST_CASE("zset: scale multiplies every weight", "[zset]") {
    const z a{{1, 1}, {2, -3}};
    CHECK(a.scale(-2) == z{{1, -2}, {2, 6}});
    CHECK(a.scale(0).empty());
    CHECK(a.scale(1) == a);
}

TEST_CASE("zset: distinct keeps positive keys with weight one", "[zset]") {
    const z a{{1, 3}, {2, -1}, {3, 1}};
    CHECK(a.distinct() == z{{1, 1}, {3, 1}});
    CHECK(a.positive() == z{{1, 3}, {3, 1}});
    CHECK_FALSE(a.is_positive());
    CHECK(a.positive().is_positive());
    CHECK(z{}.is_positive());
}

TEST_CASE("zset: sorted lists entries in key order", "[zset]") {
    const z a{{3, 1}, {1, -2}, {2, 5}};
    const std::vector<std::pair<int, long long>> want{{1, -2}, {2, 5}, {3, 1}};
    CHECK(a.sorted() == want);
}

TEST_CASE("zset: keys lists every key once", "[zset]") {
    const z a{{3, 1}, {1, -2}, {1, 1}};
    std::vector<int> keys(a.keys().begin(), a.keys().end());
    std::ranges::sort(keys);
    CHECK(keys == std::vector<int>{1, 3});
}

TEST_CASE("zset: iteration yields every entry with its weight", "[zset]") {
    const z a{{1, 2}, {2, -1}};
    long long total = 0;
    int count = 0;
    for (const auto& [k, w] : a) {
        total += k * w;
        ++count;
    }
    CHECK(count == 2);
    CHECK(total == 0);
}

TEST_CASE("zset: clear and reserve", "[zset]") {
    z a{{1, 1}};
    a.reserve(1000);
    CHECK(a.weight(1) == 1);
    a.clear();
    CHECK(a.empty());
}

TEST_CASE("zset: tuple keys with strings", "[zset]") {
    using row = std::tuple<int, std::string>;
    dbsp::zset<row> s{{{1, "a"}, 1}, {{1, "b"}, 1}};
    s.add({1, "a"}, -1);
    CHECK(s == dbsp::zset<row>{{{1, "b"}, 1}});
}

TEST_CASE("zset: zset_type recognises Z-sets only", "[zset]") {
    STATIC_REQUIRE(dbsp::zset_type<z>);
    STATIC_REQUIRE(dbsp::zset_type<dbsp::zset<std::string, int>>);
    STATIC_REQUIRE_FALSE(dbsp::zset_type<std::vector<int>>);
}
