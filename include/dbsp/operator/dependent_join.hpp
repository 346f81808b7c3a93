#pragma once
/// \file
/// `dependent_join(l, r, f, affects)`: for every row `x` of `l`, the rows `f(x, r)` computed
/// from all of `r` — a relation evaluated once per row, as SQL evaluates a correlated
/// subquery or a LATERAL item. `f(x, r)` returns a Z-set; a row of weight `w` contributes
/// `w · f(x, r)`.
///
/// Incremental form. With `L`, `R` the integrals after the step and `L₋₁ = L − Δl`,
/// `R₋₁ = R − Δr`:
///
///     Δ = Σ_{x ∈ Δl} Δl(x) · f(x, R)  +  Σ_{x ∈ L₋₁, x affected by Δr} L₋₁(x) · (f(x, R) − f(x, R₋₁))
///
/// where `affects(x, y)` must be true whenever row `y` of `r` can change `f(x, ·)` (it may be
/// true more often; the difference then cancels). Cost per step: `f` for each row of `Δl`,
/// and when `r` changes a test of each row of `L` against each row of `Δr`, then `f` twice
/// per affected row. `stream_dependent_join` is the per-tick form.

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {

template <class X, class Y, class W, class F>
using dependent_result_t = std::remove_cvref_t<std::invoke_result_t<F&, const X&, const zset<Y, W>&>>;

template <class X, class Y, class W, class F>
auto dependent_values(const zset<X, W>& l, const zset<Y, W>& r, F& f) {
    dependent_result_t<X, Y, W, F> out;
    for (const auto& [x, w] : l) out += std::invoke(f, x, r).scale(w);
    return out;
}

template <class X, class Y, class W, class F, class A>
class dependent_join_node final : public value_node<dependent_result_t<X, Y, W, F>> {
public:
    dependent_join_node(std::string name, stream<zset<X, W>> l, stream<zset<Y, W>> r, F f, A affects)
        : value_node<dependent_result_t<X, Y, W, F>>(std::move(name)), l_(l), r_(r), f_(std::move(f)),
          affects_(std::move(affects)) {}

    void eval() override {
        auto& out = this->fresh_value();
        const auto& dl = l_.value();
        const auto& dr = r_.value();
        const auto r_old = r_integral_;
        r_integral_ += dr;
        if (!dr.empty()) {
            for (const auto& [x, w] : l_integral_) {
                bool affected = false;
                for (const auto& [y, v] : dr) {
                    if (std::invoke(affects_, x, y)) {
                        affected = true;
                        break;
                    }
                }
                if (!affected) continue;
                out += std::invoke(f_, x, r_integral_).scale(w);
                out -= std::invoke(f_, x, r_old).scale(w);
            }
        }
        for (const auto& [x, w] : dl) out += std::invoke(f_, x, r_integral_).scale(w);
        l_integral_ += dl;
    }

private:
    stream<zset<X, W>> l_;
    stream<zset<Y, W>> r_;
    F f_;
    A affects_;
    zset<X, W> l_integral_;
    zset<Y, W> r_integral_;
};

} // namespace detail

struct dependent_join_fn {
    template <class X, class Y, class W, class F>
    auto operator()(const zset<X, W>& l, const zset<Y, W>& r, F f) const {
        return detail::dependent_values(l, r, f);
    }
    template <class X, class Y, class W, class F, class A>
    auto operator()(const stream<zset<X, W>>& l, const stream<zset<Y, W>>& r, F f, A affects) const {
        return l.owner().add_node(std::make_unique<detail::dependent_join_node<X, Y, W, F, A>>(
            "dependent_join", l, r, std::move(f), std::move(affects)));
    }
};
inline constexpr dependent_join_fn dependent_join{};

struct stream_dependent_join_fn {
    template <class X, class Y, class W, class F>
    auto operator()(const stream<zset<X, W>>& l, const stream<zset<Y, W>>& r, F f) const {
        return l.owner().lift(
            "stream_dependent_join",
            [f](const zset<X, W>& a, const zset<Y, W>& b) mutable { return detail::dependent_values(a, b, f); }, l, r);
    }
};
inline constexpr stream_dependent_join_fn stream_dependent_join{};

} // namespace dbsp
