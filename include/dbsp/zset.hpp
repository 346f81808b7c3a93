#pragma once
/// \file
/// `zset<K, W>`: a finite map from keys to non-zero weights — DBSP's Z-set.
///
/// A Z-set generalises a multiset: a positive weight counts copies of a row, a negative
/// weight counts deletions. Z-sets form an abelian group under `+`; relational operators
/// are functions between Z-sets. Invariant: no stored weight is zero (adding a weight that
/// brings a key to zero removes the key), so equality is plain map equality.

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <ranges>
#include <utility>
#include <vector>

#include "dbsp/algebra/checked.hpp"
#include "dbsp/algebra/concepts.hpp"
#include "dbsp/detail/hash_map.hpp"
#include "dbsp/fwd.hpp"
#include "dbsp/hash.hpp"

namespace dbsp {

template <class K, zring W>
class zset {
    using map_type = detail::hash_map<K, W, hasher<K>>;
    map_type entries_;

public:
    using key_type = K;
    using weight_type = W;
    using value_type = typename map_type::value_type; // std::pair<K, W>
    using const_iterator = typename map_type::const_iterator;

    zset() = default;
    zset(std::initializer_list<std::pair<K, W>> items) {
        for (const auto& [k, w] : items) add(k, w);
    }

    /// Adds `w` to the weight of `k`; a key whose weight becomes zero disappears.
    void add(const K& k, const W& w = W{1}) {
        if (is_zero(w)) return;
        auto [it, inserted] = entries_.try_emplace(k, w);
        if (!inserted) {
            it->second = weight_add(it->second, w);
            if (is_zero(it->second)) entries_.erase(it);
        }
    }
    void add(K&& k, const W& w = W{1}) {
        if (is_zero(w)) return;
        auto [it, inserted] = entries_.try_emplace(std::move(k), w);
        if (!inserted) {
            it->second = weight_add(it->second, w);
            if (is_zero(it->second)) entries_.erase(it);
        }
    }

    /// The weight of `k` (zero when absent).
    W weight(const K& k) const {
        auto it = entries_.find(k);
        return it == entries_.end() ? W{} : it->second;
    }
    bool contains(const K& k) const { return entries_.contains(k); }

    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    void clear() { entries_.clear(); }
    void reserve(std::size_t n) { entries_.reserve(n); }
    /// Hint: the entries will be read soon (see `indexed_zset::prefetch`).
    void prefetch() const { entries_.prefetch_entries(); }
    const_iterator begin() const { return entries_.begin(); }
    const_iterator end() const { return entries_.end(); }

    /// Keys as a range (each key once, whatever its weight).
    auto keys() const { return entries_ | std::views::keys; }

    zset& operator+=(const zset& o) {
        if (&o == this) {
            for (auto& [k, w] : entries_) w = weight_add(w, w);
            return *this;
        }
        if (empty()) { // copying the table beats re-inserting every entry
            entries_ = o.entries_;
            return *this;
        }
        for (const auto& [k, w] : o) add(k, w);
        return *this;
    }
    zset& operator-=(const zset& o) {
        if (&o == this) {
            entries_.clear();
            return *this;
        }
        for (const auto& [k, w] : o) add(k, weight_neg(w));
        return *this;
    }
    friend zset operator+(zset a, const zset& b) { return a += b; }
    friend zset operator-(zset a, const zset& b) { return a -= b; }
    friend zset operator-(zset a) {
        for (auto& [k, w] : a.entries_) w = weight_neg(w);
        return a;
    }
    friend bool operator==(const zset& a, const zset& b) { return a.entries_ == b.entries_; }

    /// Multiplies every weight by `c` (the ring acting on the group).
    zset scale(const W& c) const {
        zset r;
        if (is_zero(c)) return r;
        for (const auto& [k, w] : entries_) r.add(k, weight_mul(w, c));
        return r;
    }

    /// Keys with positive weight, each with weight one: the set underlying the Z-set.
    zset distinct() const {
        zset r;
        for (const auto& [k, w] : entries_)
            if (w > W{}) r.entries_.try_emplace(k, W{1});
        return r;
    }

    /// Keys with positive weight, keeping their weights.
    zset positive() const {
        zset r;
        for (const auto& [k, w] : entries_)
            if (w > W{}) r.entries_.try_emplace(k, w);
        return r;
    }

    /// True when every weight is positive: the Z-set is a multiset.
    bool is_positive() const {
        return std::ranges::all_of(entries_, [](const auto& e) { return e.second > W{}; });
    }

    /// Entries in key order, for deterministic printing and comparison.
    std::vector<std::pair<K, W>> sorted() const
        requires std::totally_ordered<K>
    {
        std::vector<std::pair<K, W>> v(entries_.begin(), entries_.end());
        std::ranges::sort(v, {}, &std::pair<K, W>::first);
        return v;
    }
};

template <class Z>
concept zset_type = requires {
    typename Z::key_type;
    typename Z::weight_type;
} && std::same_as<Z, zset<typename Z::key_type, typename Z::weight_type>>;

} // namespace dbsp
