// Refusals with upstream pg_trickle's wording (API.md §6).
#include "frontend/hard_checks.hpp"

#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

bool has_limit(const SelectStmt* s) {
    const Node* n = s->limitCount;
    return n && !(IsA(n, A_Const) && as<A_Const>(n)->isnull);
}

void check_into_and_locking(const context& ctx, const SelectStmt* s) {
    if (s->intoClause)
        ctx.fail(sqlstate::feature_not_supported, "SELECT INTO is not supported in defining queries",
                 s->intoClause->rel ? s->intoClause->rel->location : -1,
                 "Remove the INTO clause: the stream table stores the result.");
    if (list_length(s->lockingClause) > 0)
        ctx.fail(sqlstate::feature_not_supported,
                 "FOR UPDATE/FOR SHARE is not supported in defining queries. Stream tables do not "
                 "support row-level locking. Remove the FOR UPDATE/FOR SHARE clause.",
                 -1);
}

bool check_top_level_order_and_limit(context& ctx, const SelectStmt* s) {
    const bool limited = has_limit(s);
    const bool ordered = list_length(s->sortClause) > 0;
    if (limited && !ordered)
        ctx.fail(sqlstate::feature_not_supported,
                 "LIMIT is not supported in defining queries without ORDER BY. Use ORDER BY + LIMIT "
                 "for TopK stream tables, or omit LIMIT to materialize the full result set.",
                 expr_location(s->limitCount));
    if (s->limitOffset && !(limited && ordered))
        ctx.fail(sqlstate::feature_not_supported,
                 "OFFSET is not supported in defining queries without ORDER BY + LIMIT. Use ORDER BY "
                 "+ LIMIT + OFFSET for paged TopK stream tables, or omit OFFSET to materialize the "
                 "full result set.",
                 expr_location(s->limitOffset));
    if (limited) ctx.unsupported("ORDER BY + LIMIT (TopK)", expr_location(s->limitCount));
    // With DISTINCT ON the ORDER BY chooses the row kept for each key: it is honoured.
    const bool distinct_on = list_length(s->distinctClause) > 0 && linitial(s->distinctClause) != nullptr;
    return ordered && !limited && !distinct_on;
}

} // namespace pgt::frontend
