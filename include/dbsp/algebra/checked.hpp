#pragma once
/// \file
/// Weight arithmetic that detects overflow of built-in integer weights.
///
/// DBSP weights are unbounded in theory; `int64_t` wraps in practice. With
/// `DBSP_CHECKED_WEIGHTS` defined (the default when `NDEBUG` is not defined) every weight
/// addition, subtraction, negation and multiplication made by the library checks for
/// overflow and throws `dbsp::weight_overflow`. Release builds use plain arithmetic.

#include <stdexcept>
#include <type_traits>

#include "dbsp/algebra/concepts.hpp"

#if !defined(DBSP_CHECKED_WEIGHTS) && !defined(NDEBUG)
#define DBSP_CHECKED_WEIGHTS 1
#endif

namespace dbsp {

/// Thrown when a checked weight operation overflows its integer type.
struct weight_overflow : std::overflow_error {
    weight_overflow() : std::overflow_error("dbsp: weight overflow") {}
};

namespace detail {
template <class W>
inline constexpr bool checked_weight_v =
#ifdef DBSP_CHECKED_WEIGHTS
    std::is_integral_v<W>;
#else
    false;
#endif
} // namespace detail

template <abelian_group W>
constexpr W weight_add(const W& a, const W& b) {
    if constexpr (detail::checked_weight_v<W>) {
        W r;
        if (__builtin_add_overflow(a, b, &r)) throw weight_overflow{};
        return r;
    } else {
        return a + b;
    }
}

template <abelian_group W>
constexpr W weight_sub(const W& a, const W& b) {
    if constexpr (detail::checked_weight_v<W>) {
        W r;
        if (__builtin_sub_overflow(a, b, &r)) throw weight_overflow{};
        return r;
    } else {
        return a - b;
    }
}

template <abelian_group W>
constexpr W weight_neg(const W& a) {
    return weight_sub(W{}, a);
}

template <ring W>
constexpr W weight_mul(const W& a, const W& b) {
    if constexpr (detail::checked_weight_v<W>) {
        W r;
        if (__builtin_mul_overflow(a, b, &r)) throw weight_overflow{};
        return r;
    } else {
        return a * b;
    }
}

} // namespace dbsp
