#pragma once
// SELECT statements (plain, VALUES, set operations) → operator trees. The output columns
// of the returned tree carry the SQL names of the statement's result.
#include "frontend/correlation.hpp"
#include "frontend/scope.hpp"

namespace pgt::frontend {

struct select_options {
    /// The defining query itself: its ORDER BY/LIMIT were judged by the caller.
    bool top_level = false;
    /// Unknown-typed literals in the result become text; false for set-operation branches,
    /// whose types the set operation decides.
    bool resolve_unknowns = true;
    /// The level's correlation when it is a correlated subquery (see correlation.hpp).
    correlation* corr = nullptr;
    /// A TopK defining query: its ORDER BY keys are filled in (as columns of the result,
    /// with columns added for keys outside the select list).
    ir::topk* topk = nullptr;
    /// The subquery of an EXISTS test (a LIMIT cannot change its answer).
    bool exists_test = false;
};

/// Translates `s` nested in `env` (the enclosing levels' names, for correlation, and the
/// CTEs visible there).
ir::rel_ptr translate_select(context& ctx, const SelectStmt* s, const select_scope& env,
                             select_options opts = {});

/// Set operations (setops.cpp); `s->op` is not SETOP_NONE. `corr`: the level's correlation.
ir::rel_ptr translate_set_operation(context& ctx, const SelectStmt* s, const select_scope& env, correlation* corr);

/// `rel` with output types `types` (setops.cpp): literals of its own select list are retyped
/// in place, other columns cast by a projection on top.
ir::rel_ptr convert_outputs(const ir::rel_ptr& rel, const std::vector<sql_type>& types);

/// WITH RECURSIVE (recursive.cpp): CTE `index` of `ctes`, whose query `s` is a UNION [ALL],
/// as a `recursive` node over its two terms — or as a plain union when the second term does
/// not read the CTE.
ir::rel_ptr translate_recursive_cte(context& ctx, cte_scope& ctes, std::size_t index, const SelectStmt* s);

/// `names` with the first ones replaced by `aliases` (a List of String); more aliases than
/// names is 42P10 "<what> has N columns available but M columns specified".
std::vector<std::string> apply_aliases(context& ctx, std::vector<std::string> names, const List* aliases,
                                       const std::string& what, int location);

/// A node with the same content whose output columns are renamed by `aliases`.
ir::rel_ptr rename_columns(context& ctx, const ir::rel_ptr& rel, const List* aliases,
                           const std::string& what, int location);

/// A reference to CTE `index` of `ctes`, translated first when WITH RECURSIVE lets a CTE be
/// read before its definition; inside its own recursive term, the `recursive_ref` leaf.
ir::rel_ptr reference_cte(context& ctx, cte_scope& ctes, std::size_t index, int location);

} // namespace pgt::frontend
