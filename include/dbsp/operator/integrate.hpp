#pragma once
/// \file
/// `integrate` (I): the running sum of a stream, `I(s)[t] = s[0] + … + s[t]`.
///
/// Mathematically `I(s) = s + z⁻¹(I(s))`:
/// ```
///  s ──▶(+)──┬──▶ I(s)
///        ▲   │
///        └─z⁻¹◀┘
/// ```
/// The node keeps the sum in place rather than copying it through a delay, so a step costs
/// the size of the change, not of the accumulated state. `integrate` and `differentiate`
/// are memoized per stream and know each other as inverses: `differentiate(integrate(s))`
/// returns `s` without adding nodes.

#include <memory>
#include <string>

#include "dbsp/circuit/circuit.hpp"

namespace dbsp {

namespace detail {
template <class T>
class integrate_node final : public value_node<T> {
public:
    integrate_node(std::string name, stream<T> in) : value_node<T>(std::move(name)), in_(in) {}
    void eval() override { this->value_ += in_.value(); }

private:
    stream<T> in_;
};
} // namespace detail

struct integrate_fn {
    template <class T>
    stream<T> operator()(const stream<T>& s) const {
        circuit& c = s.owner();
        if (const auto* hit = c.cached<T>("integrate", s.id())) return *hit;
        auto out = c.add_node(std::make_unique<detail::integrate_node<T>>("integrate", s));
        c.remember("integrate", s.id(), out);
        c.remember("differentiate", out.id(), s);
        return out;
    }
};
inline constexpr integrate_fn integrate{};

} // namespace dbsp
