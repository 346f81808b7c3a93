#pragma once
/// \file
/// Grouped aggregation of indexed Z-sets.
///
/// - `aggregate(groups, f)`: general aggregation. For every key whose group is non-empty,
///   emits `f(key, group)` with weight one. On streams of changes it keeps the integral of
///   its input and recomputes `f` only for the keys a change touches, emitting
///   `−f(key, old group) + f(key, new group)`. Cost per step: the size of the touched groups.
/// - `linear_aggregate(groups, lift, finish)`: aggregation whose state is a group
///   homomorphism of the input (COUNT, SUM, and AVG as a (sum, count) pair):
///   `state(key) = Σ lift(value, weight)`, emitted as `finish(key, state)`. On streams of
///   changes the state is updated from the change alone — O(|Δ|) per step, no rescans.
///   A key whose total weight is zero has no group and emits nothing.
/// - `stream_aggregate` / `stream_linear_aggregate`: the per-tick (non-incremental) forms.

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "dbsp/algebra/concepts.hpp"
#include "dbsp/circuit/circuit.hpp"
#include "dbsp/detail/hash_map.hpp"
#include "dbsp/hash.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {

template <class K, class V, class W, class F>
using aggregate_result_t =
    zset<std::remove_cvref_t<std::invoke_result_t<F&, const K&, const zset<V, W>&>>, W>;

template <class K, class V, class W, class F>
class aggregate_node final : public value_node<aggregate_result_t<K, V, W, F>> {
public:
    aggregate_node(std::string name, stream<indexed_zset<K, V, W>> in, F f)
        : value_node<aggregate_result_t<K, V, W, F>>(std::move(name)), in_(in), f_(std::move(f)) {}
    void eval() override {
        auto& out = this->fresh_value();
        for (const auto& [k, delta] : in_.value()) {
            if (const auto* old = integral_.find(k)) out.add(std::invoke(f_, k, *old), W{-1});
            integral_.add_group(k, delta);
            if (const auto* now = integral_.find(k)) out.add(std::invoke(f_, k, *now), W{1});
        }
    }

private:
    stream<indexed_zset<K, V, W>> in_;
    F f_;
    indexed_zset<K, V, W> integral_;
};

template <class S, class W>
struct linear_state {
    S state{};
    W count{};
};

template <class K, class V, class W, class Lift>
using lift_state_t = std::remove_cvref_t<std::invoke_result_t<Lift&, const V&, const W&>>;

/// `lift(value, weight)` maps a row to the state it contributes, a monoid element (zero is
/// "no contribution"); `finish(key, state)` makes the output row.
template <class Lift, class Finish, class K, class V, class W>
concept linear_aggregator = std::invocable<Lift&, const V&, const W&> &&
                            monoid<lift_state_t<K, V, W, Lift>> &&
                            std::invocable<Finish&, const K&, const lift_state_t<K, V, W, Lift>&>;

template <class K, class V, class W, class Lift, class Finish>
using linear_result_t = zset<std::remove_cvref_t<std::invoke_result_t<
                                  Finish&, const K&, const lift_state_t<K, V, W, Lift>&>>,
                              W>;

/// Folds one change group into a key's state.
template <class V, class W, class S, class Lift>
void fold_group(linear_state<S, W>& st, const zset<V, W>& group, Lift& lift) {
    for (const auto& [v, w] : group) {
        st.state = st.state + std::invoke(lift, v, w);
        st.count = weight_add(st.count, w);
    }
}

template <class K, class V, class W, class Lift, class Finish>
class linear_aggregate_node final : public value_node<linear_result_t<K, V, W, Lift, Finish>> {
    using S = lift_state_t<K, V, W, Lift>;

public:
    linear_aggregate_node(std::string name, stream<indexed_zset<K, V, W>> in, Lift lift, Finish fin)
        : value_node<linear_result_t<K, V, W, Lift, Finish>>(std::move(name)), in_(in),
          lift_(std::move(lift)), finish_(std::move(fin)) {}
    void eval() override {
        auto& out = this->fresh_value();
        for (const auto& [k, delta] : in_.value()) {
            auto it = states_.try_emplace(k).first;
            auto& st = it->second;
            if (!is_zero(st.count)) out.add(std::invoke(finish_, k, st.state), W{-1});
            fold_group(st, delta, lift_);
            if (!is_zero(st.count))
                out.add(std::invoke(finish_, k, st.state), W{1});
            else if (is_zero(st.state)) // a zero count alone may hide a non-zero state
                states_.erase(it);
        }
    }

private:
    stream<indexed_zset<K, V, W>> in_;
    Lift lift_;
    Finish finish_;
    detail::hash_map<K, linear_state<S, W>, hasher<K>> states_;
};

} // namespace detail

struct aggregate_fn {
    template <class K, class V, class W, class F>
        requires std::invocable<F&, const K&, const zset<V, W>&>
    auto operator()(const indexed_zset<K, V, W>& groups, F f) const {
        detail::aggregate_result_t<K, V, W, F> out;
        for (const auto& [k, g] : groups) out.add(std::invoke(f, k, g), W{1});
        return out;
    }
    template <class K, class V, class W, class F>
    auto operator()(const stream<indexed_zset<K, V, W>>& s, F f) const {
        return s.owner().add_node(
            std::make_unique<detail::aggregate_node<K, V, W, F>>("aggregate", s, std::move(f)));
    }
};
inline constexpr aggregate_fn aggregate{};

struct linear_aggregate_fn {
    template <class K, class V, class W, class Lift, class Finish>
        requires detail::linear_aggregator<Lift, Finish, K, V, W>
    auto operator()(const indexed_zset<K, V, W>& groups, Lift lift, Finish finish) const {
        detail::linear_result_t<K, V, W, Lift, Finish> out;
        for (const auto& [k, g] : groups) {
            detail::linear_state<detail::lift_state_t<K, V, W, Lift>, W> st;
            detail::fold_group(st, g, lift);
            if (!is_zero(st.count)) out.add(std::invoke(finish, k, st.state), W{1});
        }
        return out;
    }
    template <class K, class V, class W, class Lift, class Finish>
        requires detail::linear_aggregator<Lift, Finish, K, V, W>
    auto operator()(const stream<indexed_zset<K, V, W>>& s, Lift lift, Finish finish) const {
        return s.owner().add_node(
            std::make_unique<detail::linear_aggregate_node<K, V, W, Lift, Finish>>(
                "linear_aggregate", s, std::move(lift), std::move(finish)));
    }
};
inline constexpr linear_aggregate_fn linear_aggregate{};

struct stream_aggregate_fn {
    template <class K, class V, class W, class F>
    auto operator()(const stream<indexed_zset<K, V, W>>& s, F f) const {
        return s.owner().lift(
            "stream_aggregate",
            [f](const indexed_zset<K, V, W>& g) { return aggregate_fn{}(g, f); }, s);
    }
};
inline constexpr stream_aggregate_fn stream_aggregate{};

struct stream_linear_aggregate_fn {
    template <class K, class V, class W, class Lift, class Finish>
        requires detail::linear_aggregator<Lift, Finish, K, V, W>
    auto operator()(const stream<indexed_zset<K, V, W>>& s, Lift lift, Finish finish) const {
        return s.owner().lift(
            "stream_linear_aggregate",
            [lift, finish](const indexed_zset<K, V, W>& g) {
                return linear_aggregate_fn{}(g, lift, finish);
            },
            s);
    }
};
inline constexpr stream_linear_aggregate_fn stream_linear_aggregate{};

} // namespace dbsp
