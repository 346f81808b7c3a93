// Delta rules of aggregate and DISTINCT below the top of the query (in a subquery, or under a
// join). Their old state is not stored, so the rule recomputes the groups (rows) a change
// touches, before and after:
//     Δγ = γ(C restricted to touched groups) − γ(C₋₁ restricted to touched groups)
// When every aggregate is invertible (COUNT, and SUM of exact numbers), the old values follow
// from the new ones and the change: old = new − Σ_Δ w·x per group, the group existing before
// when its row count did. Otherwise C₋₁ = C − ΔC is rebuilt as a weighted bag and expanded
// back to rows, so that any aggregate gets exactly PostgreSQL's result.
// Cost: the touched groups' rows of C, once (invertible) or twice; a top-level aggregate keeps
// state instead.
#include <algorithm>

#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

std::string tag(int id, const char* what) { return "d" + std::to_string(id) + "_" + what; }

std::vector<sql_type> column_types(const lowering& l, int id) {
    std::vector<sql_type> t;
    for (const auto& c : l.node(id).rel->columns) t.push_back(c.type);
    return t;
}

/// `a` (an expression over input `child`) equals `b`, NULL matching NULL; a plain `=`, which
/// PostgreSQL can hash and estimate, when `a` is a never-NULL column.
std::string same_key(const lowering& l, int child, const ir::expr& key, const std::string& a, const std::string& b) {
    if (key.kind == ir::expr_kind::column && ir::never_null(key, l.node(child).rel->columns)) return sql::binary("=", a, b);
    return sql::not_distinct(a, b, key.type);
}

/// COUNT, and SUM of exact numbers: the value before a change is the value after minus the
/// change's contribution, exactly.
bool invertible(const ir::agg_call& a) {
    if (a.distinct || a.filter || !a.order_by.empty()) return false;
    if (a.func == ir::agg_func::count_star || a.func == ir::agg_func::count) return true;
    return a.func == ir::agg_func::sum &&
           (is_integer(a.arg()->type.kind) || a.arg()->type.kind == type_kind::numeric);
}

/// Δγ for invertible aggregates: the touched groups now, and before as now minus the change.
std::string invertible_delta(lowering& l, int id, const std::string& in_touched) {
    const auto& n = l.node(id);
    const int child = n.inputs[0];
    const std::string dc = *l.delta(child);
    const auto& a = std::get<ir::aggregate>(n.rel->node);
    const auto& out = l.names(id);
    const std::string w = sql::ident(weight);
    const std::string nid = "n" + std::to_string(id);
    auto hidden = [](const char* what, std::size_t j) { return sql::ident("__pgt_" + std::string(what) + std::to_string(j)); };

    std::vector<std::string> now_items, change_items, keys_of_s;
    for (std::size_t k = 0; k < a.group_by.size(); ++k) {
        keys_of_s.push_back(l.expr(*a.group_by[k], child, "s"));
        now_items.push_back(keys_of_s[k] + " AS " + sql::ident(out[k]));
        change_items.push_back(keys_of_s[k] + " AS " + hidden("k", k));
    }
    now_items.push_back("pg_catalog.count(*) AS \"__pgt_n\"");
    change_items.push_back("pg_catalog.sum(s." + w + ") AS \"__pgt_n\"");
    for (std::size_t j = 0; j < a.aggs.size(); ++j) {
        const auto& call = a.aggs[j];
        now_items.push_back(aggregate_call(l, call, child, "s") + " AS " + sql::ident(out[a.group_by.size() + j]));
        if (call.func == ir::agg_func::count_star) continue;
        const std::string x = l.expr(*call.arg(), child, "s");
        const std::string present = "pg_catalog.sum(CASE WHEN " + x + " IS NOT NULL THEN s." + w + " ELSE 0 END)";
        if (call.func == ir::agg_func::count) {
            change_items.push_back(present + " AS " + hidden("a", j));
            continue;
        }
        now_items.push_back("pg_catalog.count(" + x + ") AS " + hidden("c", j));
        change_items.push_back(present + " AS " + hidden("c", j));
        change_items.push_back("pg_catalog.sum(" + sql::binary("*", "s." + w, "CAST(" + x + " AS pg_catalog.numeric)") + ") AS " + hidden("a", j));
    }
    const bool grouped = !keys_of_s.empty();
    const std::string group_by = grouped ? " GROUP BY " + sql::join(keys_of_s) : "";
    const std::string now = l.add_cte(tag(id, "new"), nid + ": aggregate of touched groups, now",
                                      "SELECT " + sql::join(now_items) + " FROM " + l.new_sql(child) + " s WHERE " +
                                          in_touched + group_by +
                                          (grouped ? "" : " HAVING EXISTS (SELECT 1 FROM " + dc + ")"));
    const std::string change = l.add_cte(tag(id, "change"), nid + ": the change's contribution per touched group",
                                         "SELECT " + sql::join(change_items) + " FROM " + dc + " s" + group_by +
                                             (grouped ? "" : " HAVING " + sql::binary(">", "pg_catalog.count(*)", "0")));

    // Before = now − change, for the groups that had rows before.
    std::vector<std::string> old_items, match;
    for (std::size_t k = 0; k < a.group_by.size(); ++k) {
        old_items.push_back("d." + hidden("k", k) + " AS " + sql::ident(out[k]));
        match.push_back(same_key(l, child, *a.group_by[k], sql::column("n", out[k]), "d." + hidden("k", k)));
    }
    for (std::size_t j = 0; j < a.aggs.size(); ++j) {
        const auto& call = a.aggs[j];
        const std::string name = sql::ident(out[a.group_by.size() + j]);
        const std::string now_value = "COALESCE(n." + name + ", 0)";
        std::string v;
        if (call.func == ir::agg_func::count_star) v = sql::binary("-", now_value, "d.\"__pgt_n\"");
        else if (call.func == ir::agg_func::count) v = sql::binary("-", now_value, "d." + hidden("a", j));
        if (!v.empty()) {
            old_items.push_back(sql::cast(v, call.type) + " AS " + name);
            continue;
        }
        const std::string count_before = sql::binary("-", "COALESCE(n." + hidden("c", j) + ", 0)", "d." + hidden("c", j));
        old_items.push_back("CASE WHEN " + sql::binary(">", count_before, "0") + " THEN " +
                            sql::cast(sql::binary("-", now_value, "COALESCE(d." + hidden("a", j) + ", 0)"), call.type) +
                            " END AS " + name);
    }
    const std::string before = l.add_cte(
        tag(id, "old"), nid + ": aggregate of touched groups, before (now minus the change)",
        "SELECT " + sql::join(old_items) + " FROM " + change + " d LEFT JOIN " + now + " n ON " +
            (match.empty() ? "true" : sql::join(match, " AND ")) +
            (grouped ? " WHERE " + sql::binary(">", sql::binary("-", "COALESCE(n.\"__pgt_n\", 0)", "d.\"__pgt_n\""), "0") : ""));
    const std::string cols = l.column_list(id, "s");
    return l.add_cte(tag(id, "aggregate"), nid + ": aggregate — γ(new) − γ(old) on touched groups",
                     "SELECT " + cols + ", 1 AS " + w + " FROM " + now + " s UNION ALL SELECT " + cols + ", -1 FROM " +
                         before + " s");
}

} // namespace

std::string rows_before(lowering& l, int id, const std::string& in_touched) {
    const int child = l.node(id).inputs[0];
    const std::string w = sql::ident(weight);
    const std::string cols = l.column_list(child, "s");
    const std::string bag = l.add_cte(
        tag(id, "old_rows"), "n" + std::to_string(id) + ": rows of the touched part before the change (C − ΔC)",
        "SELECT " + l.grouped_column_list(child, "b") + ", pg_catalog.sum(b." + w + ") AS " + w + " FROM (SELECT " + cols +
            ", 1 AS " + w + " FROM " + l.new_sql(child) + " s WHERE " + in_touched + " UNION ALL SELECT " + cols + ", " + sql::negated("s." + w) +
            " FROM " + *l.delta(child) + " s) b GROUP BY " + l.image_list(child, "b") + " HAVING " +
            sql::binary(">", "pg_catalog.sum(b." + w + ")", "0"));
    return "(SELECT " + l.column_list(child, "s") + " FROM " + bag + " s CROSS JOIN LATERAL pg_catalog.generate_series(1, s." +
           w + ") AS copies)";
}

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
            match.push_back(same_key(l, child, *a.group_by[k], keys_of_s[k], sql::column("t", key)));
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

    if (std::all_of(a.aggs.begin(), a.aggs.end(), invertible)) return invertible_delta(l, id, in_touched);
    const std::string now = l.add_cte(tag(id, "new"), "n" + std::to_string(id) + ": aggregate of touched groups, now",
                                      aggregate_over(l.new_sql(child) + " s", in_touched));
    const std::string before = l.add_cte(
        tag(id, "old"), "n" + std::to_string(id) + ": aggregate of touched groups, before",
        aggregate_over(rows_before(l, id, in_touched) + " s", ""));
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
        "SELECT " + l.grouped_column_list(child, "s") + ", pg_catalog.sum(s." + w + ") AS " + w + " FROM " + *dc +
            " s GROUP BY " + l.image_list(child, "s"));
    const std::string counts = l.add_cte(
        tag(id, "counts"), "n" + std::to_string(id) + ": their multiplicity now",
        "SELECT " + l.grouped_column_list(child, "c") + ", pg_catalog.count(*) AS " + w + " FROM " + l.new_sql(child) +
            " c WHERE EXISTS (SELECT 1 FROM " + changed + " d WHERE " + same_row("c", "d") + ") GROUP BY " +
            l.image_list(child, "c"));
    const std::string now = "COALESCE(c." + w + ", 0)";
    return l.add_cte(
        tag(id, "distinct"), "n" + std::to_string(id) + ": distinct — [count > 0] now minus before",
        "SELECT * FROM (SELECT " + l.column_list(child, "d") + ", " +
            sql::binary("-", "CAST(" + sql::binary(">", now, "0") + " AS pg_catalog.int4)",
                        "CAST(" + sql::binary(">", sql::binary("-", now, "d." + w), "0") + " AS pg_catalog.int4)") +
            " AS " + w + " FROM " + changed + " d LEFT JOIN " + counts + " c ON " + same_row("d", "c") + ") t WHERE " +
            sql::binary("<>", "t." + w, "0"));
}

} // namespace pgt::lower::detail
