#pragma once
/// \file
/// Bag set operations: each key's output weight is a function of its weights in two inputs.
///
/// - `combine_weights(a, b, f)`: for every key of `a` or `b`, weight `f(a(k), b(k))`, where
///   `f(0, 0)` must be 0. On streams of changes it keeps both integrals and, for each key of
///   a change, emits `f(a, b) − f(a₋₁, b₋₁)`. Cost per step: O(|Δa| + |Δb|).
/// - `intersect_all` (`min(a, b)`), `except_all` (`max(a − b, 0)`), `intersect`
///   (`[a > 0 ∧ b > 0]`) and `except` (`[a > 0 ∧ b ≤ 0]`): SQL's INTERSECT [ALL] and
///   EXCEPT [ALL] on multisets; weights below zero count as zero copies.
/// - `stream_combine_weights` and friends: the per-tick (non-incremental) forms.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {

template <class K, class W, class F>
zset<K, W> combine_values(const zset<K, W>& a, const zset<K, W>& b, const F& f) {
    zset<K, W> out;
    for (const auto& [k, w] : a) out.add(k, f(w, b.weight(k)));
    for (const auto& [k, w] : b)
        if (!a.contains(k)) out.add(k, f(W{}, w));
    return out;
}

template <class K, class W, class F>
class combine_node final : public value_node<zset<K, W>> {
public:
    combine_node(std::string name, stream<zset<K, W>> a, stream<zset<K, W>> b, F f)
        : value_node<zset<K, W>>(std::move(name)), a_(a), b_(b), f_(std::move(f)) {}
    void eval() override {
        auto& out = this->fresh_value();
        auto touch = [&](const K& k) {
            const W a0 = ia_.weight(k), b0 = ib_.weight(k);
            const W a1 = weight_add(a0, a_.value().weight(k)), b1 = weight_add(b0, b_.value().weight(k));
            out.add(k, weight_sub(f_(a1, b1), f_(a0, b0)));
        };
        for (const auto& [k, w] : a_.value()) touch(k);
        for (const auto& [k, w] : b_.value())
            if (!a_.value().contains(k)) touch(k);
        ia_ += a_.value();
        ib_ += b_.value();
    }

private:
    stream<zset<K, W>> a_, b_;
    F f_;
    zset<K, W> ia_, ib_;
};

/// The weight functions of the SQL set operations.
struct intersect_all_weight {
    template <class W>
    W operator()(const W& a, const W& b) const {
        return std::max(W{}, std::min(a, b));
    }
};
struct except_all_weight {
    template <class W>
    W operator()(const W& a, const W& b) const {
        return std::max(W{}, weight_sub(a, std::max(W{}, b)));
    }
};
struct intersect_weight {
    template <class W>
    W operator()(const W& a, const W& b) const {
        return a > W{} && b > W{} ? W{1} : W{};
    }
};
struct except_weight {
    template <class W>
    W operator()(const W& a, const W& b) const {
        return a > W{} && !(b > W{}) ? W{1} : W{};
    }
};

} // namespace detail

struct combine_weights_fn {
    template <class K, class W, class F>
    zset<K, W> operator()(const zset<K, W>& a, const zset<K, W>& b, F f) const {
        return detail::combine_values(a, b, f);
    }
    template <class K, class W, class F>
    stream<zset<K, W>> operator()(const stream<zset<K, W>>& a, const stream<zset<K, W>>& b, F f) const {
        return a.owner().add_node(std::make_unique<detail::combine_node<K, W, F>>("combine_weights", a, b, std::move(f)));
    }
};
inline constexpr combine_weights_fn combine_weights{};

struct stream_combine_weights_fn {
    template <class K, class W, class F>
    stream<zset<K, W>> operator()(const stream<zset<K, W>>& a, const stream<zset<K, W>>& b, F f) const {
        return a.owner().lift(
            "stream_combine_weights",
            [f](const zset<K, W>& x, const zset<K, W>& y) { return detail::combine_values(x, y, f); }, a, b);
    }
};
inline constexpr stream_combine_weights_fn stream_combine_weights{};

/// A set operation: `op(a, b)` on values or streams of changes, `stream_op` per tick.
template <class Weight>
struct set_operation_fn {
    template <class A, class B>
    auto operator()(const A& a, const B& b) const {
        return combine_weights(a, b, Weight{});
    }
};
template <class Weight>
struct stream_set_operation_fn {
    template <class A, class B>
    auto operator()(const A& a, const B& b) const {
        return stream_combine_weights(a, b, Weight{});
    }
};
inline constexpr set_operation_fn<detail::intersect_all_weight> intersect_all{};
inline constexpr set_operation_fn<detail::except_all_weight> except_all{};
inline constexpr set_operation_fn<detail::intersect_weight> intersect{};
inline constexpr set_operation_fn<detail::except_weight> except{};
inline constexpr stream_set_operation_fn<detail::intersect_all_weight> stream_intersect_all{};
inline constexpr stream_set_operation_fn<detail::except_all_weight> stream_except_all{};
inline constexpr stream_set_operation_fn<detail::intersect_weight> stream_intersect{};
inline constexpr stream_set_operation_fn<detail::except_weight> stream_except{};

} // namespace dbsp
