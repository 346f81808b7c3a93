#pragma once
/// \file
/// Linear operators are group homomorphisms: `Q(a + b) = Q(a) + Q(b)`, hence `Q(0) = 0` and
/// `Q(-a) = -Q(a)`. That is what lets DBSP apply them to changes unchanged.

#include <catch2/catch.hpp>

namespace pgt_laws {

template <class Q, class Z>
void check_linear(Q q, const Z& a, const Z& b) {
    using R = decltype(q(a));
    CHECK(q(a + b) == q(a) + q(b));
    CHECK(q(Z{}) == R{});
    CHECK(q(-a) == -q(a));
    CHECK(q(a - b) == q(a) - q(b));
}

} // namespace pgt_laws
