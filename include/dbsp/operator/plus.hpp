#pragma once
/// \file
/// The group operations lifted to streams: `plus` (UNION ALL), `minus` (difference of
/// Z-sets, EXCEPT ALL before clamping) and `neg`. All linear.

#include "dbsp/circuit/circuit.hpp"

namespace dbsp {

struct plus_fn {
    template <class Z>
    Z operator()(const Z& a, const Z& b) const {
        return a + b;
    }
    template <class Z>
    stream<Z> operator()(const stream<Z>& a, const stream<Z>& b) const {
        return a.owner().lift("plus", [](const Z& x, const Z& y) { return x + y; }, a, b);
    }
};
inline constexpr plus_fn plus{};

struct minus_fn {
    template <class Z>
    Z operator()(const Z& a, const Z& b) const {
        return a - b;
    }
    template <class Z>
    stream<Z> operator()(const stream<Z>& a, const stream<Z>& b) const {
        return a.owner().lift("minus", [](const Z& x, const Z& y) { return x - y; }, a, b);
    }
};
inline constexpr minus_fn minus{};

struct neg_fn {
    template <class Z>
    Z operator()(const Z& a) const {
        return -a;
    }
    template <class Z>
    stream<Z> operator()(const stream<Z>& a) const {
        return a.owner().lift("neg", [](const Z& x) { return -x; }, a);
    }
};
inline constexpr neg_fn neg{};

} // namespace dbsp
