#pragma once
/// \file
/// `differentiate` (D): the change between consecutive values, `D(s)[t] = s[t] − s[t−1]`,
/// i.e. `D(s) = s − z⁻¹(s)`. Inverse of `integrate` (memoized as such). Operators of this
/// library are already incremental, so circuits rarely need D except to define `Q^Δ`.

#include <memory>
#include <string>

#include "dbsp/circuit/circuit.hpp"

namespace dbsp {

namespace detail {
template <class T>
class differentiate_node final : public value_node<T> {
public:
    differentiate_node(std::string name, stream<T> in) : value_node<T>(std::move(name)), in_(in) {}
    void eval() override {
        this->value_ = in_.value() - previous_;
        previous_ = in_.value();
    }

private:
    stream<T> in_;
    T previous_{};
};
} // namespace detail

struct differentiate_fn {
    template <class T>
    stream<T> operator()(const stream<T>& s) const {
        circuit& c = s.owner();
        if (const auto* hit = c.cached<T>("differentiate", s.id())) return *hit;
        auto out = c.add_node(std::make_unique<detail::differentiate_node<T>>("differentiate", s));
        c.remember("differentiate", s.id(), out);
        c.remember("integrate", out.id(), s);
        return out;
    }
};
inline constexpr differentiate_fn differentiate{};

} // namespace dbsp
