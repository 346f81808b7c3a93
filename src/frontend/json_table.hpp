#pragma once
// JSON_TABLE in FROM (PostgreSQL 17): its context item, PASSING values and COLUMNS clause.
#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

#if PG_VERSION_NUM >= 170000
/// The table_call of `jt`, its expressions read in `env` (the items to its left): the context
/// item and PASSING values as args, the COLUMNS clause with its types resolved, its output
/// columns in PostgreSQL's order. Errors as PostgreSQL's analyzer reports them.
ir::table_call json_table_call(context& ctx, const JsonTable* jt, const select_scope& env);
#endif

} // namespace pgt::frontend
