// Set-returning functions in FROM: a linear operator. Each input row (of Δ for the delta, of
// the current contents for the new state) is followed by the rows its functions return, the
// row's weight carried along: Δ(flat_map(X)) = flat_map(ΔX).
#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

/// An ON EMPTY / ON ERROR clause, ` DEFAULT x ON EMPTY`.
std::string behavior_sql(const lowering& l, int input, const std::optional<ir::json_behavior>& b, const char* on) {
    if (!b) return {};
    return " " + b->keyword + (b->value ? " " + l.expr(*b->value, input, "s") : "") + " " + on;
}

std::string words(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& w : items)
        if (!w.empty()) out += " " + w;
    return out;
}

std::string json_columns_sql(const lowering& l, int input, const std::vector<ir::json_table_column>& columns) {
    std::vector<std::string> items;
    for (const auto& c : columns) {
        const std::string path = c.path.empty() ? "" : "PATH " + sql::literal(c.path);
        switch (c.what) {
        case ir::json_table_column::kind::ordinality: items.push_back(sql::ident(c.name) + " FOR ORDINALITY"); break;
        case ir::json_table_column::kind::nested:
            items.push_back("NESTED " + path + (c.name.empty() ? "" : " AS " + sql::ident(c.name)) + " COLUMNS (" +
                            json_columns_sql(l, input, c.columns) + ")");
            break;
        default:
            items.push_back(sql::ident(c.name) + " " + c.type.name +
                            words({c.format, c.what == ir::json_table_column::kind::exists ? "EXISTS" : "", path, c.wrapper, c.quotes}) +
                            behavior_sql(l, input, c.on_empty, "ON EMPTY") + behavior_sql(l, input, c.on_error, "ON ERROR"));
        }
    }
    return sql::join(items);
}

/// `JSON_TABLE(…)` as written, its context item and PASSING values read from input row `s`.
std::string json_table_sql(const lowering& l, int input, const ir::table_call& call) {
    const ir::json_table& j = *call.json;
    std::string text = "JSON_TABLE(" + l.expr(*call.args[0], input, "s") + words({j.context_format}) + ", " +
                       sql::literal(j.path) + (j.path_name.empty() ? "" : " AS " + sql::ident(j.path_name));
    std::vector<std::string> passing;
    for (std::size_t i = 0; i < j.passing_names.size(); ++i)
        passing.push_back(l.expr(*call.args[i + 1], input, "s") + words({j.passing_formats[i]}) + " AS " + sql::ident(j.passing_names[i]));
    if (!passing.empty()) text += " PASSING " + sql::join(passing);
    return text + " COLUMNS (" + json_columns_sql(l, input, j.columns) + ")" + behavior_sql(l, input, j.on_error, "ON ERROR") + ")";
}

/// `SELECT <input columns>, <function columns> [, weight] FROM <input> s CROSS JOIN LATERAL
/// ROWS FROM (…) [WITH ORDINALITY] AS f(…)` (or JSON_TABLE(…) AS f(…)).
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
    std::string rows;
    if (t.calls.size() == 1 && t.calls[0].json) {
        rows = json_table_sql(l, n.inputs[0], t.calls[0]);
    } else {
        for (const auto& call : t.calls) {
            std::vector<std::string> args;
            for (const auto& a : call.args) args.push_back(l.expr(*a, n.inputs[0], "s"));
            calls.push_back(sql::qualified(call.schema, call.name) + "(" + sql::join(args) + ")");
        }
        rows = "ROWS FROM (" + sql::join(calls) + ")" + (t.ordinality ? " WITH ORDINALITY" : "");
    }
    rows += " AS f(" + sql::join(fn_cols) + ")";
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
