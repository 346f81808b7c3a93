// WITH RECURSIVE name AS (non-recursive term UNION [ALL] recursive term). The recursive term
// reads the CTE through a `recursive_ref` leaf; the `recursive` node above both terms is the
// fixed point. Maintaining it (DBSP's counting over derivations) needs the recursive term to
// be linear in the CTE: every row it reads yields its own output rows, whatever the other
// rows read. PostgreSQL already refuses aggregates, a second reference and outer joins on the
// CTE's side; what else sits between the term's top and the reference is checked here.
#include "frontend/coerce.hpp"
#include "frontend/translate_select.hpp"

#include "pgt/typing.hpp"

namespace pgt::frontend {

namespace {

using ir::rel_ptr;

/// How many times `r` reads recursive CTE `id`, and whether every operator on the way to those
/// reads passes each row on by itself (filter, projection, join on the CTE's preserved side,
/// union, set-returning functions).
struct linearity {
    int reads = 0;
    bool linear = true;
};

linearity check_linear(const ir::rel& r, int id) {
    if (const auto* ref = std::get_if<ir::recursive_ref>(&r.node)) return {ref->id == id ? 1 : 0, true};
    linearity total;
    for (std::size_t i = 0; i < r.inputs.size(); ++i) {
        const auto in = check_linear(*r.inputs[i], id);
        if (in.reads == 0) continue;
        total.reads += in.reads;
        total.linear &= in.linear;
        const bool passes = std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, ir::join>)
                    return n.kind == ir::join_kind::inner || (n.kind == ir::join_kind::left && i == 0) ||
                           (n.kind == ir::join_kind::right && i == 1);
                else
                    return std::is_same_v<T, ir::filter> || std::is_same_v<T, ir::project> ||
                           std::is_same_v<T, ir::union_all> || std::is_same_v<T, ir::table_function>;
            },
            r.node);
        total.linear &= passes;
    }
    return total;
}

} // namespace

rel_ptr translate_recursive_cte(context& ctx, cte_scope& cs, std::size_t index, const SelectStmt* s) {
    const std::string what = "WITH query \"" + cs.defs[index].name + "\"";
    const int location = cs.defs[index].raw->location;
    const rel_ptr base = rename_columns(ctx, translate_select(ctx, s->larg, *cs.body_env), cs.defs[index].raw->aliascolnames,
                                        what, location);
    // The recursive term sees the CTE with the non-recursive term's column names and types.
    const int id = ctx.new_range_id();
    std::vector<ir::column> cols = base->columns;
    for (auto& c : cols) c.not_null = false;
    cs.defs[index].rel = ir::make_rel(ir::recursive_ref{id, cs.defs[index].name}, {}, cols);
    cs.defs[index].recursive_reads = 0;
    const select_options branch{.top_level = false, .resolve_unknowns = false};
    rel_ptr step = translate_select(ctx, s->rarg, *cs.body_env, branch);
    if (step->columns.size() != base->columns.size())
        ctx.fail(sqlstate::syntax_error, "each UNION query must have the same number of columns", -1);
    std::vector<sql_type> types;
    for (std::size_t i = 0; i < cols.size(); ++i) {
        types.push_back(base->columns[i].type);
        if (step->columns[i].type != types.back() && !common_type(ctx, {types.back(), step->columns[i].type}, "UNION"))
            ctx.unsupported("recursive term of " + what + " with a column of another type", location);
        cols[i].not_null = base->columns[i].not_null && step->columns[i].not_null;
    }
    step = convert_outputs(step, types);

    if (cs.defs[index].recursive_reads == 0) {
        // Not recursive after all: a plain UNION [ALL] of the two terms.
        rel_ptr rel = ir::make_rel(ir::union_all{}, {base, step}, cols);
        return s->all ? rel : ir::make_rel(ir::distinct{}, {rel}, cols);
    }
    const auto lin = check_linear(*step, id);
    if (lin.reads != 1 || !lin.linear)
        ctx.unsupported("recursive term of " + what + " reading the CTE under a subquery, DISTINCT or a second time", location);
    return ir::make_rel(ir::recursive{id, cs.defs[index].name, !s->all}, {base, step}, cols);
}

} // namespace pgt::frontend
