#pragma once
/// \file
/// Monotone queries: adding rows to a query's inputs can only add rows to its result. A cycle
/// of stream tables reaches a fixed point, and the least one, only when every query in it is
/// monotone; a cycle is refused unless it is.

#include <optional>
#include <string>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

/// The first operator of `q` that makes it not monotone, named as SQL spells it ("an
/// aggregate", "EXCEPT", "LEFT JOIN", …); nullopt when `q` is monotone. Monotone: scans,
/// filters, projections, inner and cross joins, UNION [ALL], INTERSECT, DISTINCT and
/// set-returning functions in FROM. (A query with a volatile function has no IR: refused
/// before.)
std::optional<std::string> non_monotone_operator(const ir::query& q);

} // namespace pgt
