#pragma once
// FROM clauses → a join tree over scans, subqueries, views and CTEs, with the namespace
// the rest of the query level resolves names in.
#include <vector>

#include "frontend/scope.hpp"

namespace pgt::frontend {

struct from_result {
    ir::rel_ptr rel; ///< nullptr for a SELECT without FROM
    std::vector<range_item> items;
    std::vector<column_origin> origins; ///< one per column of `rel`
    /// The item's own column list, as a join composes it (merged USING columns once).
    std::vector<std::string> names;
    std::vector<ir::expr_ptr> values;
    /// A correlated LATERAL subquery: its values (and its items') read the row of the items
    /// to its left followed by its own, and `condition` (over the same) relates the two.
    bool lateral = false;
    ir::expr_ptr condition;
    /// Set-returning functions in FROM: `rel` is the items to the left extended by the
    /// functions' columns; the rest describes those columns only (positions past the left's).
    bool extends_left = false;
    /// The level's own FROM row so far, as translate_from_clause accumulates it (D first when
    /// the level is lifted): a LATERAL item to its right may read the level's outer values.
    bool level_row = false;
};

/// Translates a FROM list (comma-separated items become inner joins); `env` holds the
/// enclosing levels and visible CTEs, `corr` the level's correlation (if it is a correlated
/// subquery) and `first`, when given, the relation D a lifted subquery starts with.
from_result translate_from_clause(context& ctx, const List* from, const select_scope& env, correlation* corr,
                                  const ir::rel_ptr& first);

} // namespace pgt::frontend
