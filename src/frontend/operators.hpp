#pragma once
// Building operator trees: projections, joins and predicate placement.
#include <string>
#include <vector>

#include "frontend/pg.hpp"

namespace pgt::frontend {

/// `exprs` named `names` over `input`; a projection right under it is merged in when
/// substitutable (views and subqueries read through `SELECT *` add no operator).
ir::rel_ptr make_project(const ir::rel_ptr& input, std::vector<ir::expr_ptr> exprs,
                         const std::vector<std::string>& names);

/// True when `exprs` can read `inner`'s expressions in place of its columns without
/// repeating one that is more than a column or literal (repeats would grow exponentially
/// through nested subqueries).
bool substitutable(const std::vector<ir::expr_ptr>& exprs, const std::vector<ir::expr_ptr>& inner);

/// A join node with the output columns its kind implies (the nullable side loses NOT NULL).
ir::rel_ptr make_join(ir::join_kind kind, ir::expr_ptr condition, ir::rel_ptr left, ir::rel_ptr right);

/// `left ⋈ right` on `condition`; for an inner join the conjuncts that read one side only
/// are pushed into that side (pushdown.cpp).
ir::rel_ptr join_on(ir::join_kind kind, const ir::expr_ptr& condition, ir::rel_ptr left, ir::rel_ptr right);

/// Filters `rel` by `predicate`, each conjunct placed as low as the tree allows
/// (pushdown.cpp): through projections, into an inner join's condition when it reads both
/// sides, into a join input when it reads one side only and that side is not the nullable
/// side of an outer join, otherwise into a filter above.
ir::rel_ptr place_predicate(const ir::rel_ptr& rel, const ir::expr_ptr& predicate);

/// An empty stand-in relation with these columns, for constructs the IR cannot hold (the
/// query is already marked unsupported).
ir::rel_ptr placeholder_rel(std::vector<ir::column> columns);

/// Constant rows (a VALUES list), the expressions of each row typed as `columns`.
ir::rel_ptr constant_rows(std::vector<std::vector<ir::expr_ptr>> rows, std::vector<ir::column> columns);
/// The one row without columns that a SELECT without FROM, or a function in FROM with no
/// table before it, reads.
ir::rel_ptr unit_rel();

} // namespace pgt::frontend
