// Delta rules of aggregate and DISTINCT below the top of the query (in a subquery, or under a
// join). Their old state is not stored, so the rule recomputes the groups (rows) a change
// touches, before and after:
//     Δγ = γ(C restricted to touched groups) − γ(C₋₁ restricted to touched groups)
// with C₋₁ = C − ΔC rebuilt as a weighted bag and expanded back to rows, so that any
// aggregate — not only linear ones — gets exactly PostgreSQL's result.
// Cost: the touched groups' rows of C, twice; a top-level aggregate keeps state instead.
#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

std::string tag(int id, const char* what) { return "d" + std::to_string(id) + "_" + what; }

std::vector<sql_type> column_types(const lowering& l, int id) {
    std::vector<sql_type> t;
    for (const auto& c : l.node(id).rel->columns) t.push_back(c.type);
    return t;
}

} // namespace

std::optional<std::string> delta_aggregate(lowering& l, int id) {
    const auto& n = l.node(id);
    const int child = n.inputs[0];
    auto dc = l.delta(child);
    if (!dc) return std::nullopt;
    const auto& a = std::get<ir::aggregate>(n.rel->node);
    const std::string w = sql::ident(weight);
    const std::string cols = l.column_list(child, "s");

    std::vector<std::string> keys_of_s;
    for (const auto& g : a.group_by) keys_of_s.push_back(l.expr(*g, child, "s"));

    // The groups the change touches, and a filter keeping a row of C in them.
    std::string in_touched = "true";
    if (!a.group_by.empty()) {
        std::vector<std::string> items, match;
        for (std::size_t k = 0; k < keys_of_s.size(); ++k) {
            const std::string key = "__pgt_k" + std::to_string(k);
            items.push_back(keys_of_s[k] + " AS " + sql::ident(key));
            match.push_back(sql::not_distinct(keys_of_s[k], sql::column("t", key), a.group_by[k]->type));
        }
        const std::string touched = l.add_cte(tag(id, "groups"), "n" + std::to_string(id) + ": groups touched by the change",
                                              "SELECT DISTINCT " + sql::join(items) + " FROM " + *dc + " s");
        in_touched = "EXISTS (SELECT 1 FROM " + touched + " t WHERE " + sql::join(match, " AND ") + ")";
    }

    // γ over rows seen as alias "s" of a relation with C's columns.
    auto aggregate_over = [&](const std::string& from, const std::string& where) {
        std::vector<std::string> items;
        const auto& out = l.names(id);
        std::size_t k = 0;
        for (const auto& key : keys_of_s) items.push_back(key + " AS " + sql::ident(out[k++]));
        for (const auto& call : a.aggs) items.push_back(aggregate_call(l, call, child, "s") + " AS " + sql::ident(out[k++]));
        std::string r = "SELECT " + sql::join(items) + " FROM " + from + (where.empty() ? "" : " WHERE " + where);
        if (!keys_of_s.empty()) r += " GROUP BY " + sql::join(keys_of_s);
        else r += " HAVING EXISTS (SELECT 1 FROM " + *dc + ")"; // one row, and only on change
        return r;
    };

    const std::string now = l.add_cte(tag(id, "new"), "n" + std::to_string(id) + ": aggregate of touched groups, now",
                                      aggregate_over(l.new_sql(child) + " s", in_touched));
    const std::string before_bag = l.add_cte(
        tag(id, "old_rows"), "n" + std::to_string(id) + ": rows of touched groups before the change (C − ΔC)",
        "SELECT " + l.column_list(child, "b") + ", pg_catalog.sum(b." + w + ") AS " + w + " FROM (SELECT " + cols +
            ", 1 AS " + w + " FROM " + l.new_sql(child) + " s WHERE " + in_touched + " UNION ALL SELECT " + cols +
            ", -s." + w + " FROM " + *dc + " s) b GROUP BY " + l.column_list(child, "b") + " HAVING pg_catalog.sum(b." + w +
            ") > 0");
    const std::string before = l.add_cte(
        tag(id, "old"), "n" + std::to_string(id) + ": aggregate of touched groups, before",
        aggregate_over(before_bag + " s CROSS JOIN LATERAL pg_catalog.generate_series(1, s." + w + ") AS copies", ""));
    return l.add_cte(tag(id, "aggregate"), "n" + std::to_string(id) + ": aggregate — γ(new) − γ(old) on touched groups",
                     "SELECT *, 1 AS " + w + " FROM " + now + " UNION ALL SELECT *, -1 FROM " + before);
}

std::optional<std::string> delta_distinct(lowering& l, int id) {
    const auto& n = l.node(id);
    const int child = n.inputs[0];
    auto dc = l.delta(child);
    if (!dc) return std::nullopt;
    const std::string w = sql::ident(weight);
    const auto types = column_types(l, child);
    const auto& names = l.names(child);

    auto same_row = [&](const std::string& a, const std::string& b) {
        std::vector<std::string> eq;
        for (std::size_t i = 0; i < names.size(); ++i)
            eq.push_back(sql::not_distinct(sql::column(a, names[i]), sql::column(b, names[i]), types[i]));
        return sql::join(eq, " AND ");
    };
    const std::string changed = l.add_cte(
        tag(id, "rows"), "n" + std::to_string(id) + ": rows whose multiplicity changes",
        "SELECT " + l.column_list(child, "s") + ", pg_catalog.sum(s." + w + ") AS " + w + " FROM " + *dc + " s GROUP BY " +
            l.column_list(child, "s"));
    const std::string counts = l.add_cte(
        tag(id, "counts"), "n" + std::to_string(id) + ": their multiplicity now",
        "SELECT " + l.column_list(child, "c") + ", pg_catalog.count(*) AS " + w + " FROM " + l.new_sql(child) +
            " c WHERE EXISTS (SELECT 1 FROM " + changed + " d WHERE " + same_row("c", "d") + ") GROUP BY " +
            l.column_list(child, "c"));
    const std::string now = "COALESCE(c." + w + ", 0)";
    return l.add_cte(
        tag(id, "distinct"), "n" + std::to_string(id) + ": distinct — [count > 0] now minus before",
        "SELECT * FROM (SELECT " + l.column_list(child, "d") + ", CAST(" + now + " > 0 AS pg_catalog.int4) - CAST(" + now +
            " - d." + w + " > 0 AS pg_catalog.int4) AS " + w + " FROM " + changed + " d LEFT JOIN " + counts + " c ON " +
            same_row("d", "c") + ") t WHERE t." + w + " <> 0");
}

} // namespace pgt::lower::detail
