#pragma once
/// \file
/// `project<I...>`: keeps the listed fields of tuple-like keys (relational projection).
/// Projection merges keys that agree on the kept fields, summing their weights. Linear.

#include <cstddef>
#include <tuple>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/operator/map.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

template <std::size_t... I>
struct project_fn {
    template <class K, class W>
    auto operator()(const zset<K, W>& z) const {
        return map(z, [](const K& k) { return std::tuple{std::get<I>(k)...}; });
    }
    template <class K, class W>
    auto operator()(const stream<zset<K, W>>& s) const {
        return s.owner().lift("project", [](const zset<K, W>& z) { return project_fn{}(z); }, s);
    }
};
template <std::size_t... I>
inline constexpr project_fn<I...> project{};

} // namespace dbsp
