// INTERSECT [ALL] and EXCEPT [ALL]: a row's copies in the result are a function f of its
// copies a, b in the two inputs (min(a, b), max(a − b, 0), [a > 0 ∧ b > 0], [a > 0 ∧ b = 0]).
// For every row a change touches, with Δa, Δb its net change in each input:
//     Δ = f(a, b) − f(a − Δa, b − Δb)
// where a and b are counted in the inputs' current contents. Cost: two counts per changed row.
#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

std::string copies(const ir::set_operation& s, const std::string& a, const std::string& b) {
    if (s.kind == ir::set_op_kind::intersect)
        return s.all ? "GREATEST(LEAST(" + a + ", " + b + "), 0)"
                     : "CASE WHEN " + sql::binary(">", a, "0") + " AND " + sql::binary(">", b, "0") + " THEN 1 ELSE 0 END";
    return s.all ? "GREATEST(" + sql::binary("-", a, "GREATEST(" + b + ", 0)") + ", 0)"
                 : "CASE WHEN " + sql::binary(">", a, "0") + " AND " + sql::binary("<=", b, "0") + " THEN 1 ELSE 0 END";
}

} // namespace

std::string set_operation_new_sql(const lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& s = std::get<ir::set_operation>(n.rel->node);
    const auto& out = l.names(id);
    std::vector<std::string> first;
    for (std::size_t i = 0; i < out.size(); ++i) first.push_back(sql::column("a", l.names(n.inputs[0])[i]) + " AS " + sql::ident(out[i]));
    return "(SELECT " + sql::join(first) + " FROM " + l.new_sql(n.inputs[0]) + " a " + ir::set_op_name(s) + " SELECT " +
           l.column_list(n.inputs[1], "b") + " FROM " + l.new_sql(n.inputs[1]) + " b)";
}

std::optional<std::string> delta_set_operation(lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& s = std::get<ir::set_operation>(n.rel->node);
    const auto da = l.delta(n.inputs[0]);
    const auto db = l.delta(n.inputs[1]);
    if (!da && !db) return std::nullopt;
    const std::string w = sql::ident(weight);
    const auto& out = l.names(id);
    const auto& cols = n.rel->columns;

    auto side = [&](int input, const std::string& d, bool is_a) {
        std::vector<std::string> items;
        for (std::size_t i = 0; i < out.size(); ++i) items.push_back(sql::column("s", l.names(input)[i]) + " AS " + sql::ident(out[i]));
        items.push_back(std::string(is_a ? "s." + w : "0") + " AS \"__pgt_da\"");
        items.push_back(std::string(is_a ? "0" : "s." + w) + " AS \"__pgt_db\"");
        return "SELECT " + sql::join(items) + " FROM " + d + " s";
    };
    std::vector<std::string> parts;
    if (da) parts.push_back(side(n.inputs[0], *da, true));
    if (db) parts.push_back(side(n.inputs[1], *db, false));
    const std::string c_cols = l.column_list(id, "c");
    const std::string changed = l.add_cte(
        "d" + std::to_string(id) + "_rows", "n" + std::to_string(id) + ": rows whose copies change, with their change per input",
        "SELECT " + c_cols + ", pg_catalog.sum(c.\"__pgt_da\") AS \"__pgt_da\", pg_catalog.sum(c.\"__pgt_db\") AS \"__pgt_db\" FROM (" +
            sql::join(parts, " UNION ALL ") + ") c GROUP BY " + c_cols);

    auto count_in = [&](int input, const std::string& alias) {
        std::vector<std::string> same;
        for (std::size_t i = 0; i < out.size(); ++i)
            same.push_back(sql::not_distinct(sql::column(alias, l.names(input)[i]), sql::column("c", out[i]), cols[i].type));
        return "(SELECT pg_catalog.count(*) FROM " + l.new_sql(input) + " " + alias + " WHERE " + sql::join(same, " AND ") + ")";
    };
    const std::string counts = "SELECT c.*, " + count_in(n.inputs[0], "a") + " AS \"__pgt_a\", " + count_in(n.inputs[1], "b") +
                               " AS \"__pgt_b\" FROM " + changed + " c";
    const std::string change = sql::binary("-", copies(s, "t.\"__pgt_a\"", "t.\"__pgt_b\""),
                                           copies(s, sql::binary("-", "t.\"__pgt_a\"", "t.\"__pgt_da\""),
                                                  sql::binary("-", "t.\"__pgt_b\"", "t.\"__pgt_db\"")));
    return l.add_cte("d" + std::to_string(id) + "_setop",
                     "n" + std::to_string(id) + ": " + ir::set_op_name(s) + " — f(a, b) − f(a − Δa, b − Δb) per changed row",
                     "SELECT * FROM (SELECT " + l.column_list(id, "t") + ", " + change + "::pg_catalog.int8 AS " + w +
                         " FROM (" + counts + ") t) x WHERE " + sql::binary("<>", "x." + w, "0"));
}

} // namespace pgt::lower::detail
