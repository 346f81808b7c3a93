#pragma once
// Cycles of stream tables (pg_trickle.allow_circular): monotone queries reading each other are
// refreshed together to their least fixed point, as WITH RECURSIVE computes one relation's.

#include <vector>

#include "refresh/refresh.hpp"

namespace pgt::ext {

/// The cycles among `members` (an atomic group, locked, under its pinned snapshot), by the
/// catalog's scc_id: each cycle's members in the group's order.
std::vector<std::vector<long long>> cycles_among(const std::vector<long long>& members);

/// Refreshes `cycle` when one of its members has changes pending (or `who` is a user): empties
/// every member, then recomputes them in turn, round after round, each member only when a
/// member it reads changed since its last recomputation, until a round changes nothing. Each
/// round only adds rows (the queries are monotone), so a member whose row count did not change
/// did not change. Past pg_trickle.max_fixpoint_iterations rounds it raises 54001, and the
/// caller's rollback leaves the members as they were. Records the rounds and the time of
/// convergence (pgt_scc_status).
void refresh_cycle(const std::vector<long long>& cycle, initiator who);

/// Recomputes the catalog's scc_id of every stream table from the dependency graph (after a
/// redefinition or a drop that may have made or broken a cycle).
void number_cycles();

} // namespace pgt::ext
