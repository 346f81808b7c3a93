#pragma once
/// \file
/// `indexed_zset<K, V, W>`: Z-sets grouped by a key — the input of joins and aggregation.
///
/// Semantically a Z-set of `(K, V)` pairs; physically a map from `K` to the Z-set of the
/// values stored under it, so that a join or an aggregate reaches one key's rows in O(1).
/// Invariant: no key maps to an empty Z-set.

#include <cstddef>
#include <utility>
#include <vector>

#include "dbsp/detail/hash_map.hpp"
#include "dbsp/detail/pipeline.hpp"
#include "dbsp/fwd.hpp"
#include "dbsp/hash.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

template <class K, class V, zring W>
class indexed_zset {
public:
    using key_type = K;
    using value_type = V;
    using weight_type = W;
    using group_type = zset<V, W>;

private:
    using map_type = detail::hash_map<K, group_type, hasher<K>>;
    map_type groups_;

public:
    using const_iterator = typename map_type::const_iterator;

    void add(const K& k, const V& v, const W& w = W{1}) {
        if (is_zero(w)) return;
        auto it = groups_.try_emplace(k).first;
        it->second.add(v, w);
        if (it->second.empty()) groups_.erase(it);
    }

    /// Adds a whole group under `k`.
    void add_group(const K& k, const group_type& g) {
        if (g.empty()) return;
        auto it = groups_.try_emplace(k).first;
        it->second += g;
        if (it->second.empty()) groups_.erase(it);
    }

    /// The group of `k`, or nullptr when the key has no rows.
    const group_type* find(const K& k) const {
        auto it = groups_.find(k);
        return it == groups_.end() ? nullptr : &it->second;
    }

    /// Hint: the group of `k` will be looked up soon. Callers that look up many keys of a
    /// large indexed Z-set prefetch them all first, so that the cache misses overlap.
    void prefetch(const K& k) const { groups_.prefetch(k); }

    std::size_t key_count() const { return groups_.size(); }
    bool empty() const { return groups_.empty(); }
    void clear() { groups_.clear(); }
    void reserve(std::size_t n) { groups_.reserve(n); }
    const_iterator begin() const { return groups_.begin(); }
    const_iterator end() const { return groups_.end(); }

    indexed_zset& operator+=(const indexed_zset& o) {
        if (&o == this) { // a + a: double each group in place
            for (auto& [k, g] : groups_) g += g;
            return *this;
        }
        merge(o, [this](const K& k, const group_type& g) { add_group(k, g); });
        return *this;
    }
    indexed_zset& operator-=(const indexed_zset& o) {
        if (&o == this) { // a - a: the loop below would erase groups while iterating them
            groups_.clear();
            return *this;
        }
        merge(o, [this](const K& k, const group_type& g) { add_group(k, -g); });
        return *this;
    }
    friend indexed_zset operator+(indexed_zset a, const indexed_zset& b) { return a += b; }
    friend indexed_zset operator-(indexed_zset a, const indexed_zset& b) { return a -= b; }
    friend indexed_zset operator-(indexed_zset a) {
        for (auto& [k, g] : a.groups_) g = -g;
        return a;
    }
    friend bool operator==(const indexed_zset& a, const indexed_zset& b) {
        return a.groups_ == b.groups_;
    }

private:
    // Calls `add(k, g)` for each group of `o`. Merging a small change into a large integral
    // misses the cache twice per key (its slot, then its group's entries): pipelined.
    template <class Add>
    void merge(const indexed_zset& o, Add add) {
        std::vector<const typename map_type::value_type*> entries;
        entries.reserve(o.groups_.size());
        for (const auto& e : o.groups_) entries.push_back(&e);
        detail::pipeline(
            entries.size(), [&](std::size_t i) { groups_.prefetch(entries[i]->first); },
            [&](std::size_t i) {
                if (auto it = groups_.find(entries[i]->first); it != groups_.end())
                    it->second.prefetch();
            },
            [&](std::size_t i) { add(entries[i]->first, entries[i]->second); });
    }

public:
    /// Flattens back to a Z-set of `(key, value)` pairs.
    zset<std::pair<K, V>, W> flatten() const {
        zset<std::pair<K, V>, W> r;
        for (const auto& [k, g] : groups_)
            for (const auto& [v, w] : g) r.add({k, v}, w);
        return r;
    }
};

template <class Z>
concept indexed_zset_type = requires {
    typename Z::key_type;
    typename Z::value_type;
    typename Z::weight_type;
} && std::same_as<Z, indexed_zset<typename Z::key_type, typename Z::value_type,
                                  typename Z::weight_type>>;

} // namespace dbsp
