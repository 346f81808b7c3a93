// Set-returning functions in FROM: a linear operator. Each input row (of Δ for the delta, of
// the current contents for the new state) is followed by the rows its functions return, the
// row's weight carried along: Δ(flat_map(X)) = flat_map(ΔX).
#include "lowering.hpp"

#include "pgt/sql/json_table.hpp"

namespace pgt::lower::detail {

namespace {

/// The functions' calls over input row `s`.
std::vector<tree::expr> calls(const lowering& l, int input, const ir::table_function& t) {
    std::vector<tree::expr> out;
    for (const auto& call : t.calls) {
        std::vector<tree::expr> args;
        for (const auto& a : call.args) args.push_back(l.value(*a, input, "s"));
        out.push_back(tree::fn(sql::ident(call.name), std::move(args), call.schema.empty() ? std::string() : sql::ident(call.schema)));
    }
    return out;
}

/// `SELECT <input columns>, <function columns> [, weight] FROM <input> s CROSS JOIN LATERAL
/// ROWS FROM (…) [WITH ORDINALITY] AS f(…)` (or JSON_TABLE(…) AS f(…)).
tree::select flat_map_select(const lowering& l, int id, const std::string& input, bool with_weight) {
    const auto& n = l.node(id);
    const auto& t = std::get<ir::table_function>(n.rel->node);
    const auto& out = l.names(id);
    tree::select rows(l.columns_as(n.inputs[0], "s", id));
    std::vector<std::string> fn_cols;
    for (std::size_t i = l.names(n.inputs[0]).size(); i < out.size(); ++i) {
        fn_cols.push_back(out[i]);
        rows.items.emplace_back(tree::col("f", out[i]));
    }
    if (with_weight) rows.items.emplace_back(tree::col("s", weight));
    auto value = [&](const ir::expr& e) { return l.expr(e, n.inputs[0], "s"); };
    tree::relation functions = t.calls.size() == 1 && t.calls[0].json
                                   ? tree::table_function(sql::json_table(t.calls[0], value), "f", fn_cols, true)
                                   : tree::rows_from(calls(l, n.inputs[0], t), t.ordinality, "f", fn_cols, true);
    const tree::relation each = tree::from(input, "s");
    return rows.from(t.outer ? tree::join(each, tree::join_kind::left, functions, tree::boolean(true)) : tree::cross_join(each, functions));
}

} // namespace

std::optional<std::string> delta_table_function(lowering& l, int id) {
    auto in = l.delta(l.node(id).inputs[0]);
    if (!in) return std::nullopt;
    return l.add_cte("d" + std::to_string(id) + "_flat_map",
                     "n" + std::to_string(id) + ": set-returning functions — flat_map(Δ)",
                     tree::render(flat_map_select(l, id, *in, true)));
}

std::string table_function_new_sql(const lowering& l, int id) {
    return tree::parenthesised(flat_map_select(l, id, l.new_sql(l.node(id).inputs[0]), false));
}

} // namespace pgt::lower::detail
