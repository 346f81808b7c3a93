#pragma once
/// \file
/// `flat_map`: maps every key to a range of keys; each produced key inherits the weight of
/// its source. Linear.

#include <functional>
#include <ranges>
#include <type_traits>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

struct flat_map_fn {
    template <class K, class W, class F>
        requires std::ranges::range<std::invoke_result_t<F&, const K&>>
    auto operator()(const zset<K, W>& z, F f) const {
        using R =
            std::remove_cvref_t<std::ranges::range_value_t<std::invoke_result_t<F&, const K&>>>;
        zset<R, W> r;
        for (const auto& [k, w] : z)
            for (auto&& out : std::invoke(f, k)) r.add(out, w);
        return r;
    }
    template <class K, class W, class F>
    auto operator()(const stream<zset<K, W>>& s, F f) const {
        return s.owner().lift("flat_map", [f](const zset<K, W>& z) { return flat_map_fn{}(z, f); },
                              s);
    }
};
inline constexpr flat_map_fn flat_map{};

} // namespace dbsp
