#pragma once
/// \file
/// `map`: applies a function to every key of a Z-set, adding the weights of keys that
/// collide. Linear, so its incremental form is itself.

#include <functional>
#include <type_traits>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

struct map_fn {
    template <class K, class W, class F>
        requires std::invocable<F&, const K&>
    auto operator()(const zset<K, W>& z, F f) const {
        zset<std::remove_cvref_t<std::invoke_result_t<F&, const K&>>, W> r;
        r.reserve(z.size());
        for (const auto& [k, w] : z) r.add(std::invoke(f, k), w);
        return r;
    }
    template <class K, class W, class F>
    auto operator()(const stream<zset<K, W>>& s, F f) const {
        return s.owner().lift("map", [f](const zset<K, W>& z) { return map_fn{}(z, f); }, s);
    }
};
inline constexpr map_fn map{};

} // namespace dbsp
