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
};

/// Translates a FROM list (comma-separated items become inner joins); `env` holds the
/// enclosing levels (correlation) and visible CTEs.
from_result translate_from_clause(context& ctx, const List* from, const select_scope& env);

} // namespace pgt::frontend
