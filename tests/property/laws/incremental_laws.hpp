#pragma once
/// \file
/// The DBSP oracle: an operator's incremental form equals `D ∘ Q ∘ I` (Budiu et al., §3).
///
/// `check_incremental(inc, q, changes…)` runs `inc(Δ…)` and `D(q(I(Δ)…))` on the same
/// change sequences, one input per sequence, where `q` is the per-tick (non-incremental) form
/// of the operator, and requires equal outputs at every step, so that a wrong step is
/// reported where it happens rather than only in the sum. `check_same_steps(f, g, changes…)`
/// is the comparison alone, for two circuits that should both be incremental.

#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include "dbsp/operator/differentiate.hpp"
#include "dbsp/operator/integrate.hpp"
#include "unit/dbsp/drive.hpp"

namespace pgt_laws {

template <class F, class G, class... Z>
void check_same_steps(F f, G g, const std::vector<Z>&... changes) {
    const auto got = dbsp_test::run(f, changes...);
    const auto want = dbsp_test::run(g, changes...);
    REQUIRE(got.size() == want.size());
    for (std::size_t t = 0; t < got.size(); ++t) {
        INFO("step " << t);
        REQUIRE(got[t] == want[t]);
    }
}

template <class Inc, class Q, class... Z>
void check_incremental(Inc inc, Q q, const std::vector<Z>&... changes) {
    check_same_steps(
        inc, [&](const auto&... s) { return dbsp::differentiate(q(dbsp::integrate(s)...)); },
        changes...);
}

} // namespace pgt_laws
