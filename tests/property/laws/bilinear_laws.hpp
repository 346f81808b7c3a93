#pragma once
/// \file
/// Bilinear operators (join) are linear in each argument separately. Their change then has
/// three terms: `Q(a + Δa, b + Δb) − Q(a, b) = Q(Δa, b) + Q(a, Δb) + Q(Δa, Δb)`, the rule the
/// incremental join implements.

#include <catch2/catch.hpp>

namespace pgt_laws {

template <class Q, class A, class B>
void check_bilinear(Q q, const A& a, const A& da, const B& b, const B& db) {
    using R = decltype(q(a, b));
    CHECK(q(a + da, b) == q(a, b) + q(da, b));
    CHECK(q(a, b + db) == q(a, b) + q(a, db));
    CHECK(q(A{}, b) == R{});
    CHECK(q(a, B{}) == R{});
    CHECK(q(-a, b) == -q(a, b));
    CHECK(q(a, -b) == -q(a, b));
    CHECK(q(a + da, b + db) - q(a, b) == q(da, b) + q(a, db) + q(da, db));
}

} // namespace pgt_laws
