#pragma once
/// \file
/// Recursion: the least fixed point `X = distinct(B ∪ R(X, P))` of a bilinear rule.
///
/// `B` (base facts) and `P` (parameters, e.g. the edges of a graph) are sets; the rule
/// `R(x, p)` must distribute over union in both arguments (it is a join, typically), which is
/// what lets the operator evaluate it on changes only. Transitive closure is
/// `B = edges, P = edges, R(x, p) = {(a, c) | (a, b) ∈ x, (b, c) ∈ p}`.
///
/// - `fixpoint(b, p, rule)` on values: naive iteration from `distinct(b)` to the fixed point.
/// - `fixpoint(Δb, Δp, rule)` on streams of changes: maintains the fixed point and emits its
///   change each tick. Insertions run semi-naive evaluation (each round applies the rule to
///   the facts new in the previous round only). Deletions run delete-and-rederive (DRed):
///   over-delete every fact with a derivation through a deleted fact, then rederive those
///   still derivable from what is left, then continue semi-naively.
/// - `stream_fixpoint(b, p, rule)`: naive iteration on each tick's (integrated) inputs.

#include <functional>
#include <memory>
#include <string>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {

/// Facts of `a` that are also in `b` (set intersection, weights one).
template <class T, class W>
zset<T, W> set_intersection(const zset<T, W>& a, const zset<T, W>& b) {
    zset<T, W> r;
    for (const auto& [k, w] : a)
        if (b.weight(k) > W{}) r.add(k, W{1});
    return r;
}

/// Facts of `a` not in `b`.
template <class T, class W>
zset<T, W> set_difference(const zset<T, W>& a, const zset<T, W>& b) {
    zset<T, W> r;
    for (const auto& [k, w] : a)
        if (!(b.weight(k) > W{})) r.add(k, W{1});
    return r;
}

template <class T, class W>
void set_union_into(zset<T, W>& a, const zset<T, W>& b) {
    for (const auto& [k, w] : b)
        if (!(a.weight(k) > W{})) a.add(k, W{1});
}

/// Naive iteration: `X₀ = B`, `Xₙ₊₁ = distinct(B ∪ R(Xₙ, P))`, until nothing changes.
template <class T, class P, class W, class Rule>
zset<T, W> naive_fixpoint(const zset<T, W>& base, const zset<P, W>& params, Rule& rule) {
    const auto b = base.distinct();
    const auto p = params.distinct();
    auto x = b;
    for (;;) {
        auto next = b;
        set_union_into(next, zset<T, W>(std::invoke(rule, x, p)).distinct());
        if (next == x) return x;
        x = std::move(next);
    }
}

template <class T, class P, class W, class Rule>
class fixpoint_node final : public value_node<zset<T, W>> {
public:
    fixpoint_node(std::string name, stream<zset<T, W>> b, stream<zset<P, W>> p, Rule rule)
        : value_node<zset<T, W>>(std::move(name)), b_(b), p_(p), rule_(std::move(rule)) {}

    void eval() override {
        const auto b_old = base_.distinct();
        const auto p_old = params_.distinct();
        base_ += b_.value();
        params_ += p_.value();
        const auto b_new = base_.distinct();
        const auto p_new = params_.distinct();
        const auto before = fixed_;

        const auto b_del = set_difference(b_old, b_new);
        const auto p_del = set_difference(p_old, p_new);
        zset<T, W> seeds;
        if (!b_del.empty() || !p_del.empty())
            seeds = delete_and_rederive(b_del, p_del, b_new, p_old, p_new);

        set_union_into(seeds, set_difference(set_difference(b_new, b_old), fixed_));
        set_union_into(seeds, set_difference(apply(fixed_, set_difference(p_new, p_old)), fixed_));
        semi_naive(seeds, p_new);
        this->value_ = fixed_ - before;
    }

private:
    zset<T, W> apply(const zset<T, W>& x, const zset<P, W>& p) {
        if (x.empty() || p.empty()) return {};
        return zset<T, W>(std::invoke(rule_, x, p)).distinct();
    }

    /// Adds `seeds` and everything they derive to the fixed point, one round per level.
    void semi_naive(zset<T, W> frontier, const zset<P, W>& p) {
        frontier = set_difference(frontier, fixed_);
        while (!frontier.empty()) {
            set_union_into(fixed_, frontier);
            frontier = set_difference(apply(frontier, p), fixed_);
        }
    }

    /// Removes what may depend on deleted facts; returns the removed facts that are still
    /// derivable in one step from what remains (the seeds of re-derivation).
    zset<T, W> delete_and_rederive(const zset<T, W>& b_del, const zset<P, W>& p_del,
                                   const zset<T, W>& b_new, const zset<P, W>& p_old,
                                   const zset<P, W>& p_new) {
        auto doomed = set_intersection(b_del, fixed_);
        set_union_into(doomed, set_intersection(apply(fixed_, p_del), fixed_));
        auto frontier = doomed;
        while (!frontier.empty()) {
            frontier = set_difference(set_intersection(apply(frontier, p_old), fixed_), doomed);
            set_union_into(doomed, frontier);
        }
        fixed_ = set_difference(fixed_, doomed);
        auto derivable = b_new;
        set_union_into(derivable, apply(fixed_, p_new));
        return set_intersection(doomed, derivable);
    }

    stream<zset<T, W>> b_;
    stream<zset<P, W>> p_;
    Rule rule_;
    zset<T, W> base_, fixed_;
    zset<P, W> params_;
};

} // namespace detail

struct fixpoint_fn {
    template <class T, class P, class W, class Rule>
        requires std::invocable<Rule&, const zset<T, W>&, const zset<P, W>&>
    zset<T, W> operator()(const zset<T, W>& base, const zset<P, W>& params, Rule rule) const {
        return detail::naive_fixpoint(base, params, rule);
    }
    template <class T, class P, class W, class Rule>
    stream<zset<T, W>> operator()(const stream<zset<T, W>>& db, const stream<zset<P, W>>& dp,
                                  Rule rule) const {
        return db.owner().add_node(std::make_unique<detail::fixpoint_node<T, P, W, Rule>>(
            "fixpoint", db, dp, std::move(rule)));
    }
};
inline constexpr fixpoint_fn fixpoint{};

struct stream_fixpoint_fn {
    template <class T, class P, class W, class Rule>
    stream<zset<T, W>> operator()(const stream<zset<T, W>>& b, const stream<zset<P, W>>& p,
                                  Rule rule) const {
        return b.owner().lift(
            "stream_fixpoint",
            [rule](const zset<T, W>& x, const zset<P, W>& y) mutable {
                return detail::naive_fixpoint(x, y, rule);
            },
            b, p);
    }
};
inline constexpr stream_fixpoint_fn stream_fixpoint{};

} // namespace dbsp
