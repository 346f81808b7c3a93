#pragma once
/// \file
/// `index_by`: groups a Z-set by a key function, producing an indexed Z-set (the shape
/// joins and aggregates consume). Linear.

#include <functional>
#include <type_traits>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

struct index_by_fn {
    /// Groups rows by `key(row)`; the stored value is the row itself.
    template <class K, class W, class KeyF>
        requires std::invocable<KeyF&, const K&>
    auto operator()(const zset<K, W>& z, KeyF key) const {
        return (*this)(z, key, std::identity{});
    }
    /// Groups rows by `key(row)`, storing `value(row)`.
    template <class K, class W, class KeyF, class ValF>
        requires std::invocable<KeyF&, const K&> && std::invocable<ValF&, const K&>
    auto operator()(const zset<K, W>& z, KeyF key, ValF value) const {
        using IK = std::remove_cvref_t<std::invoke_result_t<KeyF&, const K&>>;
        using IV = std::remove_cvref_t<std::invoke_result_t<ValF&, const K&>>;
        indexed_zset<IK, IV, W> r;
        r.reserve(z.size()); // at most one group per row: no rehashing while indexing
        for (const auto& [k, w] : z) r.add(std::invoke(key, k), std::invoke(value, k), w);
        return r;
    }
    template <class K, class W, class... F>
    auto operator()(const stream<zset<K, W>>& s, F... f) const {
        return s.owner().lift("index_by",
                              [f...](const zset<K, W>& z) { return index_by_fn{}(z, f...); }, s);
    }
};
inline constexpr index_by_fn index_by{};

} // namespace dbsp
