#pragma once
/// \file
/// `filter`: keeps the keys satisfying a predicate, with their weights. Linear.

#include <functional>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

struct filter_fn {
    template <class K, class W, class P>
        requires std::predicate<P&, const K&>
    zset<K, W> operator()(const zset<K, W>& z, P pred) const {
        zset<K, W> r;
        for (const auto& [k, w] : z)
            if (std::invoke(pred, k)) r.add(k, w);
        return r;
    }
    template <class K, class W, class P>
    auto operator()(const stream<zset<K, W>>& s, P pred) const {
        return s.owner().lift(
            "filter", [pred](const zset<K, W>& z) { return filter_fn{}(z, pred); }, s);
    }
};
inline constexpr filter_fn filter{};

} // namespace dbsp
