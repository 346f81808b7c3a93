#pragma once
/// \file
/// Equi-join of indexed Z-sets: bilinear, `(a + a') ⋈ b = a ⋈ b + a' ⋈ b` (and likewise in b).
///
/// - `join(a, b, f)` on values: for every key present in both, every pair of values
///   `(va, vb)` yields `f(key, va, vb)` with weight `wa · wb`.
/// - `stream_join(a, b, f)`: the same, applied to each tick's values (not incremental).
/// - `join(Δa, Δb, f)` on streams of changes: the incremental join
///   `Δ(a ⋈ b) = Δa ⋈ I(b)₋₁ + I(a) ⋈ Δb`. The node owns both integrals and updates them in
///   place, so a step costs O(|Δa| + |Δb| + output), independent of the integrals' size.
///
/// Outer, semi and anti joins are built from this one with `distinct`, `minus` and `map`.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/detail/pipeline.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {

template <class K, class VA, class VB, class W, class F>
using join_result_t =
    zset<std::remove_cvref_t<std::invoke_result_t<F&, const K&, const VA&, const VB&>>, W>;

/// Calls `emit(key, group of small, group of large)` for every key of `small` also in
/// `large`. An incremental join probes a large integral with a small change, missing the
/// cache twice per key (its slot, then its group): the probes are pipelined.
template <class Small, class Large, class Emit>
void probe(const Small& small, const Large& large, Emit emit) {
    using entry = std::remove_cvref_t<decltype(*small.begin())>;
    std::vector<const entry*> keys;
    keys.reserve(small.key_count());
    for (const auto& e : small) keys.push_back(&e);
    std::vector<const typename Large::group_type*> matches(keys.size());
    pipeline(
        keys.size(), [&](std::size_t i) { large.prefetch(keys[i]->first); },
        [&](std::size_t i) {
            if ((matches[i] = large.find(keys[i]->first))) matches[i]->prefetch();
        },
        [&](std::size_t i) {
            if (matches[i]) emit(keys[i]->first, keys[i]->second, *matches[i]);
        });
}

/// Adds `a ⋈ b` into `out`, probing the side with more keys.
template <class K, class VA, class VB, class W, class F>
void join_into(join_result_t<K, VA, VB, W, F>& out, const indexed_zset<K, VA, W>& a,
               const indexed_zset<K, VB, W>& b, F& f) {
    auto emit = [&](const K& k, const zset<VA, W>& ga, const zset<VB, W>& gb) {
        for (const auto& [va, wa] : ga)
            for (const auto& [vb, wb] : gb) out.add(std::invoke(f, k, va, vb), weight_mul(wa, wb));
    };
    if (a.key_count() <= b.key_count())
        probe(a, b, emit);
    else
        probe(b, a, [&](const K& k, const zset<VB, W>& gb, const zset<VA, W>& ga) {
            emit(k, ga, gb);
        });
}

template <class K, class VA, class VB, class W, class F>
class join_node final : public value_node<join_result_t<K, VA, VB, W, F>> {
public:
    join_node(std::string name, stream<indexed_zset<K, VA, W>> a, stream<indexed_zset<K, VB, W>> b,
              F f)
        : value_node<join_result_t<K, VA, VB, W, F>>(std::move(name)), a_(a), b_(b),
          f_(std::move(f)) {}

    void eval() override {
        auto& out = this->fresh_value();
        const auto& da = a_.value();
        const auto& db = b_.value();
        join_into(out, da, integral_b_, f_); // Δa ⋈ I(b)₋₁
        integral_a_ += da;
        join_into(out, integral_a_, db, f_); // I(a) ⋈ Δb
        integral_b_ += db;
    }

private:
    stream<indexed_zset<K, VA, W>> a_;
    stream<indexed_zset<K, VB, W>> b_;
    F f_;
    indexed_zset<K, VA, W> integral_a_;
    indexed_zset<K, VB, W> integral_b_;
};

} // namespace detail

struct join_fn {
    template <class K, class VA, class VB, class W, class F>
        requires std::invocable<F&, const K&, const VA&, const VB&>
    auto operator()(const indexed_zset<K, VA, W>& a, const indexed_zset<K, VB, W>& b, F f) const {
        detail::join_result_t<K, VA, VB, W, F> out;
        detail::join_into(out, a, b, f);
        return out;
    }
    template <class K, class VA, class VB, class W, class F>
    auto operator()(const stream<indexed_zset<K, VA, W>>& a,
                    const stream<indexed_zset<K, VB, W>>& b, F f) const {
        return a.owner().add_node(
            std::make_unique<detail::join_node<K, VA, VB, W, F>>("join", a, b, std::move(f)));
    }
};
inline constexpr join_fn join{};

struct stream_join_fn {
    template <class K, class VA, class VB, class W, class F>
    auto operator()(const stream<indexed_zset<K, VA, W>>& a,
                    const stream<indexed_zset<K, VB, W>>& b, F f) const {
        return a.owner().lift(
            "stream_join",
            [f](const indexed_zset<K, VA, W>& x, const indexed_zset<K, VB, W>& y) {
                return join_fn{}(x, y, f);
            },
            a, b);
    }
};
inline constexpr stream_join_fn stream_join{};

} // namespace dbsp
