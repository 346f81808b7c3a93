// Set-returning functions in FROM: a linear operator. Each input row (of Δ for the delta, of
// the current contents for the new state) is followed by the rows its functions return, the
// row's weight carried along: Δ(flat_map(X)) = flat_map(ΔX).
#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

/// `SELECT <input columns>, <function columns> [, weight] FROM <input> s CROSS JOIN LATERAL
/// ROWS FROM (…) [WITH ORDINALITY] AS f(…)`.
std::string flat_map_select(const lowering& l, int id, const std::string& input, bool with_weight) {
    const auto& n = l.node(id);
    const auto& t = std::get<ir::table_function>(n.rel->node);
    const auto& in_names = l.names(n.inputs[0]);
    const auto& out = l.names(id);
    std::vector<std::string> items, calls, fn_cols;
    for (std::size_t i = 0; i < in_names.size(); ++i)
        items.push_back(sql::column("s", in_names[i]) + " AS " + sql::ident(out[i]));
    for (std::size_t i = in_names.size(); i < out.size(); ++i) {
        fn_cols.push_back(sql::ident(out[i]));
        items.push_back(sql::column("f", out[i]));
    }
    if (with_weight) items.push_back(sql::column("s", weight));
    for (const auto& call : t.calls) {
        std::vector<std::string> args;
        for (const auto& a : call.args) args.push_back(l.expr(*a, n.inputs[0], "s"));
        calls.push_back(sql::qualified(call.schema, call.name) + "(" + sql::join(args) + ")");
    }
    const std::string rows = "ROWS FROM (" + sql::join(calls) + ")" + (t.ordinality ? " WITH ORDINALITY" : "") +
                             " AS f(" + sql::join(fn_cols) + ")";
    return "SELECT " + sql::join(items) + " FROM " + input + " s " +
           (t.outer ? "LEFT JOIN LATERAL " + rows + " ON true" : "CROSS JOIN LATERAL " + rows);
}

} // namespace

std::optional<std::string> delta_table_function(lowering& l, int id) {
    auto in = l.delta(l.node(id).inputs[0]);
    if (!in) return std::nullopt;
    return l.add_cte("d" + std::to_string(id) + "_flat_map",
                     "n" + std::to_string(id) + ": set-returning functions — flat_map(Δ)",
                     flat_map_select(l, id, *in, true));
}

std::string table_function_new_sql(const lowering& l, int id) {
    return "(" + flat_map_select(l, id, l.new_sql(l.node(id).inputs[0]), false) + ")";
}

} // namespace pgt::lower::detail
