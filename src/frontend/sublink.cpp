// Subqueries in expressions (EXISTS, IN, scalar, …) are not maintained incrementally. They
// are still translated, as correlated subqueries of the current level, so that their names
// are checked and the tables they read are captured.
#include "frontend/translate_expr.hpp"
#include "frontend/translate_select.hpp"

namespace pgt::frontend {

namespace {

const char* construct_name(const SubLink* s) {
    switch (s->subLinkType) {
    case EXISTS_SUBLINK: return "EXISTS (subquery)";
    case ALL_SUBLINK: return "ALL (subquery)";
    case ANY_SUBLINK: return list_length(s->operName) == 0 ? "IN (subquery)" : "ANY (subquery)"; // IN has no operator
    case ROWCOMPARE_SUBLINK: return "row comparison with a subquery";
    case EXPR_SUBLINK: return "scalar subquery";
    case ARRAY_SUBLINK: return "ARRAY (subquery)";
    default: return "subquery in an expression";
    }
}

} // namespace

ir::expr_ptr translate_sublink(const SubLink* s, const expr_env& env) {
    context& ctx = env.ctx;
    ctx.unsupported(construct_name(s), s->location);
    if (s->testexpr) translate_expr(s->testexpr, env);
    if (!IsA(s->subselect, SelectStmt)) return placeholder(opaque_type());
    ir::rel_ptr sub = translate_select(ctx, as<SelectStmt>(s->subselect), env.scope);
    switch (s->subLinkType) {
    case EXPR_SUBLINK:
        if (sub->columns.size() != 1)
            ctx.fail(sqlstate::syntax_error, "subquery must return only one column", s->location);
        return placeholder(sub->columns[0].type);
    case ARRAY_SUBLINK: return placeholder(opaque_type());
    default: return placeholder(make_type(type_kind::boolean));
    }
}

} // namespace pgt::frontend
