#pragma once
/// \file
/// Incrementalization and circuit composition.
///
/// - `incremental(Δs, q)`: `Q^Δ = D ∘ Q ∘ I` — feeds `q` the integral of the changes and
///   differentiates its result. This is the *definition* of an incremental query; the
///   operators of this library (join, distinct, aggregate, fixpoint) implement their
///   incremental forms directly and property tests check them against it. Because
///   `integrate`/`differentiate` are memoized inverses, `incremental` composes by the chain
///   rule without stacking I and D: `(Q₁∘Q₂)^Δ` builds `D ∘ Q₁ ∘ Q₂ ∘ I`.
/// - `compose(f, g)`: sequential composition of stream functions, `x ↦ g(f(x))`.
/// - `parallel(f, g)`: parallel composition, `(x, y) ↦ (f(x), g(y))`.

#include <functional>
#include <utility>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/operator/differentiate.hpp"
#include "dbsp/operator/integrate.hpp"

namespace dbsp {

struct incremental_fn {
    template <class T, class Q>
        requires std::invocable<Q&, const stream<T>&>
    auto operator()(const stream<T>& changes, Q q) const {
        return differentiate(std::invoke(q, integrate(changes)));
    }
};
inline constexpr incremental_fn incremental{};

struct compose_fn {
    template <class F, class G>
    auto operator()(F f, G g) const {
        return [f, g](const auto& x) { return std::invoke(g, std::invoke(f, x)); };
    }
};
inline constexpr compose_fn compose{};

struct parallel_fn {
    template <class F, class G>
    auto operator()(F f, G g) const {
        return [f, g](const auto& x, const auto& y) {
            return std::pair{std::invoke(f, x), std::invoke(g, y)};
        };
    }
};
inline constexpr parallel_fn parallel{};

} // namespace dbsp
