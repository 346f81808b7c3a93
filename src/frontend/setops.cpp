// UNION [ALL] → union_all (n-ary where nesting allows), UNION = distinct over it;
// INTERSECT [ALL] and EXCEPT [ALL] → set_operation. Column
// types are unified per set operation node as PostgreSQL does (transformSetOperationTree),
// and each branch is converted to them.
#include "frontend/coerce.hpp"
#include "frontend/translate_select.hpp"

namespace pgt::frontend {

namespace {

using ir::expr_ptr;
using ir::rel_ptr;

// The inputs a union of `branch` contributes: a union_all's own inputs; for UNION also
// those under distinct(union_all), since the outer distinct absorbs the inner one.
void add_branch(std::vector<rel_ptr>& inputs, const rel_ptr& branch, bool all) {
    const rel_ptr& flat = !all && std::holds_alternative<ir::distinct>(branch->node) ? branch->inputs[0] : branch;
    if (std::holds_alternative<ir::union_all>(flat->node))
        inputs.insert(inputs.end(), flat->inputs.begin(), flat->inputs.end());
    else
        inputs.push_back(branch);
}

} // namespace

rel_ptr convert_outputs(const rel_ptr& rel, const std::vector<sql_type>& types) {
    bool same = true;
    for (std::size_t i = 0; i < types.size(); ++i) same &= rel->columns[i].type == types[i];
    if (same) return rel;
    auto retyped_columns = [&](std::vector<ir::column> cols) {
        for (std::size_t i = 0; i < cols.size(); ++i) cols[i].type = types[i];
        return cols;
    };
    if (std::holds_alternative<ir::distinct>(rel->node))
        return ir::make_rel(ir::distinct{}, {convert_outputs(rel->inputs[0], types)}, retyped_columns(rel->columns));
    std::vector<expr_ptr> exprs;
    if (const auto* p = std::get_if<ir::project>(&rel->node); p && !rel->inputs.empty()) {
        for (std::size_t i = 0; i < types.size(); ++i) exprs.push_back(coerce_to(p->exprs[i], types[i]));
        return ir::make_rel(ir::project{std::move(exprs)}, rel->inputs, retyped_columns(rel->columns));
    }
    for (std::size_t i = 0; i < types.size(); ++i)
        exprs.push_back(coerce_to(ir::make_column(static_cast<int>(i), rel->columns[i].type), types[i]));
    return ir::make_rel(ir::project{std::move(exprs)}, {rel}, retyped_columns(rel->columns));
}

rel_ptr translate_set_operation(context& ctx, const SelectStmt* s, const select_scope& env, correlation* corr) {
    const std::string name = s->op == SETOP_UNION ? "UNION" : s->op == SETOP_INTERSECT ? "INTERSECT" : "EXCEPT";
    // Each branch of a lifted subquery is lifted: the set operation works per row of D.
    if (corr && corr->current_mode() == correlation::mode::discover) corr->complex = true;
    const select_options branch{.top_level = false, .resolve_unknowns = false, .corr = corr};
    rel_ptr l = translate_select(ctx, s->larg, env, branch);
    rel_ptr r = translate_select(ctx, s->rarg, env, branch);
    if (l->columns.size() != r->columns.size())
        ctx.fail(sqlstate::syntax_error, "each " + name + " query must have the same number of columns", -1);

    std::vector<sql_type> types;
    std::vector<ir::column> cols;
    for (std::size_t i = 0; i < l->columns.size(); ++i) {
        const auto& lc = l->columns[i];
        const auto& rc = r->columns[i];
        auto common = common_type(ctx, {lc.type, rc.type}, name);
        if (!common) ctx.unsupported(name + " over columns of different types", -1);
        types.push_back(common.value_or(lc.type));
        cols.push_back({lc.name, types.back(), lc.not_null && rc.not_null});
    }
    l = convert_outputs(l, types);
    r = convert_outputs(r, types);

    if (s->op != SETOP_UNION) {
        const auto kind = s->op == SETOP_INTERSECT ? ir::set_op_kind::intersect : ir::set_op_kind::except;
        // A row of the result is one of the left input's (and, intersected, of the right's).
        for (std::size_t i = 0; i < cols.size(); ++i)
            cols[i].not_null = l->columns[i].not_null || (kind == ir::set_op_kind::intersect && r->columns[i].not_null);
        return ir::make_rel(ir::set_operation{kind, s->all != 0}, {l, r}, std::move(cols));
    }
    std::vector<rel_ptr> inputs;
    add_branch(inputs, l, s->all);
    add_branch(inputs, r, s->all);
    rel_ptr rel = ir::make_rel(ir::union_all{}, std::move(inputs), cols);
    if (!s->all) rel = ir::make_rel(ir::distinct{}, {rel}, std::move(cols));
    return rel;
}

} // namespace pgt::frontend
