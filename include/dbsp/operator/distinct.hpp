#pragma once
/// \file
/// `distinct`: every key with positive weight, with weight one (set semantics).
///
/// Not linear. Its incremental form keeps the integral of its input and, for each key of a
/// change, compares the sign of the integral before and after:
/// `Δ distinct(k) = [I(s)[t](k) > 0] − [I(s)[t−1](k) > 0]`. Cost per step: O(|Δ|).
/// `stream_distinct` applies `distinct` to each tick's value.

#include <memory>
#include <string>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {
template <class K, class W>
class distinct_node final : public value_node<zset<K, W>> {
public:
    distinct_node(std::string name, stream<zset<K, W>> in)
        : value_node<zset<K, W>>(std::move(name)), in_(in) {}
    void eval() override {
        auto& out = this->fresh_value();
        for (const auto& [k, w] : in_.value()) {
            const W before = integral_.weight(k);
            integral_.add(k, w);
            const W after = weight_add(before, w);
            const bool was = before > W{}, is = after > W{};
            if (was != is) out.add(k, is ? W{1} : W{-1});
        }
    }

private:
    stream<zset<K, W>> in_;
    zset<K, W> integral_;
};
} // namespace detail

struct distinct_fn {
    template <class K, class W>
    zset<K, W> operator()(const zset<K, W>& z) const {
        return z.distinct();
    }
    template <class K, class W>
    stream<zset<K, W>> operator()(const stream<zset<K, W>>& s) const {
        return s.owner().add_node(std::make_unique<detail::distinct_node<K, W>>("distinct", s));
    }
};
inline constexpr distinct_fn distinct{};

struct stream_distinct_fn {
    template <class K, class W>
    stream<zset<K, W>> operator()(const stream<zset<K, W>>& s) const {
        return s.owner().lift("stream_distinct", [](const zset<K, W>& z) { return z.distinct(); },
                              s);
    }
};
inline constexpr stream_distinct_fn stream_distinct{};

} // namespace dbsp
