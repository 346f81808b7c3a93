#pragma once
/// \file
/// `indexed_zset<K, V, W>`: Z-sets grouped by a key — the input of joins and aggregation.
///
/// Semantically a Z-set of `(K, V)` pairs; physically a map from `K` to the Z-set of the
/// values stored under it, so that a join or an aggregate reaches one key's rows in O(1).
/// Invariant: no key maps to an empty Z-set.

#include <unordered_map>
#include <utility>

#include "dbsp/fwd.hpp"
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
    using map_type = std::unordered_map<K, group_type, hasher<K>>;
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

    std::size_t key_count() const { return groups_.size(); }
    bool empty() const { return groups_.empty(); }
    void clear() { groups_.clear(); }
    void reserve(std::size_t n) { groups_.reserve(n); }
    const_iterator begin() const { return groups_.begin(); }
    const_iterator end() const { return groups_.end(); }

    indexed_zset& operator+=(const indexed_zset& o) {
        for (const auto& [k, g] : o.groups_) add_group(k, g);
        return *this;
    }
    indexed_zset& operator-=(const indexed_zset& o) {
        if (&o == this) { // a - a: the loop below would erase groups while iterating them
            groups_.clear();
            return *this;
        }
        for (const auto& [k, g] : o.groups_) add_group(k, -g);
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
