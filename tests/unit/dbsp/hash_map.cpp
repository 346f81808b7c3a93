#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dbsp/detail/hash_map.hpp"
#include "dbsp/hash.hpp"

using map = dbsp::detail::hash_map<int, std::string, dbsp::hasher<int>>;

namespace {
// Every key hashes alike: one probe run holds them all.
struct constant_hash {
    std::uint64_t operator()(int) const { return 42; }
};
// The key itself: sequential keys, a weak hash the table must spread.
struct identity_hash {
    std::uint64_t operator()(int k) const { return static_cast<std::uint64_t>(k); }
};

template <class M>
std::vector<int> sorted_keys(const M& m) {
    std::vector<int> r;
    for (const auto& [k, v] : m) r.push_back(k);
    std::ranges::sort(r);
    return r;
}
} // namespace

TEST_CASE("hash_map: try_emplace inserts once and finds the existing entry", "[hash_map]") {
    map m;
    auto [it, inserted] = m.try_emplace(1, "one");
    CHECK(inserted);
    CHECK(it->second == "one");
    auto [again, second] = m.try_emplace(1, "uno");
    CHECK_FALSE(second);
    CHECK(again->second == "one");
    CHECK(m.size() == 1);
    CHECK(m.contains(1));
    CHECK_FALSE(m.contains(2));
    CHECK(m.find(2) == m.end());
}

TEST_CASE("hash_map: growing keeps every entry", "[hash_map]") {
    map m;
    for (int i = 0; i < 10'000; ++i) m.try_emplace(i * 7, std::to_string(i));
    CHECK(m.size() == 10'000);
    for (int i = 0; i < 10'000; ++i) {
        auto it = m.find(i * 7);
        REQUIRE(it != m.end());
        CHECK(it->second == std::to_string(i));
    }
    CHECK_FALSE(m.contains(1));
}

TEST_CASE("hash_map: erasing from a probe run keeps the rest of the run reachable",
          "[hash_map]") {
    dbsp::detail::hash_map<int, int, constant_hash> m;
    for (int i = 0; i < 50; ++i) m.try_emplace(i, i * i);
    for (int i = 0; i < 50; i += 3) m.erase(m.find(i));
    CHECK(m.size() == 33);
    for (int i = 0; i < 50; ++i) {
        INFO("key " << i);
        CHECK(m.contains(i) == (i % 3 != 0));
        if (i % 3 != 0) CHECK(m.find(i)->second == i * i);
    }
}

TEST_CASE("hash_map: erase and reinsert many times under a weak hash", "[hash_map]") {
    dbsp::detail::hash_map<int, int, identity_hash> m;
    std::vector<bool> present(4096, false);
    std::uint64_t x = 1;
    for (int step = 0; step < 100'000; ++step) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        // Multiples of 4096: an identity hash that collides in its low bits.
        const int k = static_cast<int>((x >> 33) % 4096) * 4096;
        if (present[static_cast<std::size_t>(k / 4096)])
            m.erase(m.find(k));
        else
            m.try_emplace(k, step);
        present[static_cast<std::size_t>(k / 4096)].flip();
    }
    std::vector<int> want;
    for (int i = 0; i < 4096; ++i)
        if (present[static_cast<std::size_t>(i)]) want.push_back(i * 4096);
    CHECK(sorted_keys(m) == want);
    CHECK(m.size() == want.size());
}

TEST_CASE("hash_map: iteration visits each entry once and allows updates", "[hash_map]") {
    dbsp::detail::hash_map<int, int, dbsp::hasher<int>> m;
    for (int i = 0; i < 100; ++i) m.try_emplace(i, 1);
    for (auto& [k, v] : m) v += k;
    int count = 0, sum = 0;
    for (const auto& [k, v] : m) {
        ++count;
        sum += v;
    }
    CHECK(count == 100);
    CHECK(sum == 100 + 99 * 100 / 2);
}

TEST_CASE("hash_map: equality ignores insertion order and capacity", "[hash_map]") {
    map a, b;
    b.reserve(1000);
    for (int i = 0; i < 20; ++i) a.try_emplace(i, std::to_string(i));
    for (int i = 19; i >= 0; --i) b.try_emplace(i, std::to_string(i));
    CHECK(a == b);
    map c; // one value differs
    for (int i = 0; i < 20; ++i) c.try_emplace(i, i == 3 ? "x" : std::to_string(i));
    CHECK_FALSE(a == c);
    c.erase(c.find(3)); // one key fewer
    CHECK_FALSE(a == c);
}

TEST_CASE("hash_map: a moved-from map is empty and usable", "[hash_map]") {
    map a;
    a.try_emplace(1, "one");
    map b = std::move(a);
    CHECK(b.size() == 1);
    CHECK(a.empty()); // NOLINT(bugprone-use-after-move): the state is specified
    CHECK(a.begin() == a.end());
    a.try_emplace(2, "two");
    CHECK(a.size() == 1);
    map c;
    c = std::move(b);
    CHECK(c.find(1)->second == "one");
    CHECK(b.empty()); // NOLINT(bugprone-use-after-move)
}

TEST_CASE("hash_map: copies are independent, clear keeps the map usable", "[hash_map]") {
    map a;
    a.try_emplace(1, "one");
    map b = a;
    b.try_emplace(2, "two");
    CHECK(a.size() == 1);
    a.clear();
    CHECK(a.empty());
    CHECK_FALSE(a.contains(1));
    a.try_emplace(1, "again");
    CHECK(a.find(1)->second == "again");
    CHECK(b.size() == 2);
}

TEST_CASE("hash_map: inserting one large map into another in iteration order stays linear",
          "[hash_map]") {
    // A table iterated yields its keys in slot order; with the same slot function in a
    // smaller table they would all pile into one probe run (quadratic). 2^18 keys take
    // milliseconds when linear and minutes when quadratic; the bound leaves room for a busy
    // machine.
    dbsp::detail::hash_map<int, int, dbsp::hasher<int>> a, b;
    for (int i = 0; i < (1 << 18); ++i) a.try_emplace(i, i);
    const auto start = std::chrono::steady_clock::now();
    for (const auto& [k, v] : a) b.try_emplace(k, v);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(a == b);
}
