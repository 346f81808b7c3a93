// Entry points of lowering: storage layout, full load, incremental refresh.
#include "strategy.hpp"

#include <algorithm>

#include "pgt/error.hpp"

namespace pgt::lower {

using namespace detail;

namespace {
/// The refresh statement's result: rows inserted, deleted and updated by the apply CTEs.
std::string counts_select(const std::vector<cte>& ctes) {
    auto count = [&](const char* name) {
        for (const auto& t : ctes)
            if (t.name == sql::ident(name)) return "(SELECT pg_catalog.count(*) FROM " + t.name + ")";
        return std::string("0");
    };
    return "SELECT " + count("__pgt_ins") + " AS inserted, " + count("__pgt_del") + " AS deleted, " + count("__pgt_upd") +
           " AS updated";
}
} // namespace

std::string row_id_purpose(maintenance m) {
    switch (m) {
    case maintenance::keyed: return "row identity (xxHash of the row key)";
    case maintenance::aggregate: return "row identity (xxHash of the GROUP BY values)";
    case maintenance::distinct: return "row identity (xxHash of all visible columns)";
    case maintenance::bag: break;
    }
    return "row id, not unique (xxHash of all visible columns: equal rows share it)";
}

layout storage_layout(const circuit& c, const options& opts) {
    layout lay;
    lay.strategy = c.strategy;
    lay.unique_row_id = c.strategy != maintenance::bag;
    lay.columns.push_back({"__pgt_row_id", make_type(type_kind::int8), true, row_id_purpose(c.strategy)});
    for (const auto& col : c.query.root->columns) {
        // An untyped literal column (SELECT NULL AS x) is stored as text, as CREATE TABLE AS does.
        sql_type t = col.type.name.empty() ? make_type(type_kind::text) : col.type;
        lay.columns.push_back({col.name, t, false, ""});
    }
    if (c.strategy == maintenance::distinct)
        lay.columns.push_back({"__pgt_count", make_type(type_kind::int8), true, "multiplicity of the row"});
    if (c.strategy == maintenance::aggregate)
        for (auto& h : aggregate_state_columns(c, opts)) lay.columns.push_back(std::move(h));
    if (const int r = recursion_stored_as_result(c); r >= 0) {
        lowering l(c, nullptr, {});
        for (int k : recursive_state_keys(l, r))
            lay.lookup_columns.push_back(sql::ident(c.query.root->columns[static_cast<std::size_t>(k)].name));
    }
    return lay;
}

std::vector<layout> storage_layouts_of_0_1_0(const circuit& c) {
    if (c.strategy != maintenance::aggregate || c.query.topk) return {};
    options separate;
    separate.state_in_output = false;
    layout lay = storage_layout(c, separate);
    const auto counts = scale_count_columns(c);
    std::erase_if(lay.columns, [&](const storage_column& col) { return std::ranges::find(counts, col.name) != counts.end(); });
    return {lay};
}

bool single_row_maintainable(const circuit& c, std::size_t source) {
    if (c.query.topk) return false;
    auto at = [&](int n) -> const circuit_node& { return c.nodes[static_cast<std::size_t>(n)]; };
    int id = c.output;
    if (c.strategy == maintenance::aggregate) {
        if (c.state_node < 0) return false;
        // A group HAVING hides is not stored: its state is computed afresh from the sources,
        // which hold every row of the change already, and a later row's change would count twice.
        for (int p : c.post)
            if (at(p).op == circuit_op::filter) return false;
        id = at(c.state_node).inputs[0];
    } else if (c.strategy == maintenance::distinct) {
        id = at(c.output).inputs[0]; // the stream table counts the rows below the DISTINCT
    }
    while (at(id).op == circuit_op::filter || at(id).op == circuit_op::map) id = at(id).inputs[0];
    return at(id).op == circuit_op::source && at(id).source == static_cast<int>(source);
}

std::string single_row_pair_update(const circuit& c, std::size_t source, const std::string& first,
                                   const std::string& second, const std::string& storage_table, const options& opts) {
    if (!single_row_maintainable(c, source) || c.strategy != maintenance::aggregate) return {};
    auto bound = [&](const std::string& relation, int weight) {
        std::vector<source_changes> sources(c.sources.size(), {std::string(), false});
        sources[source] = {relation, true, true, weight};
        return sources;
    };
    const auto first_sources = bound(first, -1), second_sources = bound(second, 1);
    options second_opts = opts;
    second_opts.cte_prefix += "new_";
    lowering one(c, &first_sources, opts), other(c, &second_sources, second_opts);
    const std::string update = aggregate_pair_update(one, other, storage_layout(c, opts), storage_table);
    return one.with(other.ctes(), update);
}

std::string full_load_sql(const circuit& c, const options& opts) {
    lowering l(c, nullptr, opts);
    return c.strategy == maintenance::aggregate ? aggregate_full_load(l) : rows_full_load(l);
}

std::optional<std::string> query_load_sql(const circuit& c, const std::string& query, const options& opts) {
    if (c.query.topk || (c.strategy != maintenance::bag && c.strategy != maintenance::keyed) ||
        !stored_aggregates(c).empty() || !recursions(c).empty())
        return std::nullopt;
    lowering l(c, nullptr, opts);
    return rows_query_load(l, query);
}

std::vector<aggregate_state> aggregate_states(const circuit& c, const options& opts) {
    std::vector<aggregate_state> states;
    for (int id : stored_aggregates(c)) {
        lowering l(c, nullptr, opts);
        states.push_back({id, stored_aggregate_full_load(l, id), stored_aggregate_keys(l, id)});
    }
    for (int id : recursions(c)) {
        if (id == recursion_stored_as_result(c)) continue;
        lowering l(c, nullptr, opts);
        std::vector<std::string> keys;
        for (int k : recursive_state_keys(l, id)) keys.push_back(sql::ident(l.names(id)[static_cast<std::size_t>(k)]));
        states.push_back({id, recursive_full_load(l, id), keys});
    }
    return states;
}

refresh_plan delta_sql(const circuit& c, const std::vector<source_changes>& sources,
                       const std::string& storage_table, const options& opts) {
    if (sources.size() != c.sources.size())
        throw error(sqlstate::internal_error, "delta_sql: one change relation per source expected");
    lowering l(c, &sources, opts);
    if (const int r = recursion_stored_as_result(c); r >= 0) l.keep_state_in_result(r, storage_table);
    refresh_plan plan;
    // Stored aggregates first: their state tables are brought up to date by every refresh that
    // changes their input, and the rules above read their new contents.
    bool states_change = false;
    for (const auto& [id, table] : opts.aggregate_states)
        if (l.delta(id)) states_change = true;
    const int changed = c.strategy == maintenance::aggregate || c.strategy == maintenance::distinct
                            ? c.nodes[static_cast<std::size_t>(c.state_node)].inputs[0]
                            : c.output;
    const bool result_changes = l.delta(changed).has_value();
    if (!result_changes && !states_change) return plan;
    plan.has_delta = true;
    std::vector<cte> tail;
    std::string merge, update;
    if (result_changes && opts.merge && !c.query.topk && c.strategy == maintenance::aggregate) {
        auto statements = aggregate_merge(l, storage_layout(c, opts), storage_table);
        merge = std::move(statements.merge);
        update = std::move(statements.update);
    } else if (result_changes) {
        std::string delta = c.strategy == maintenance::aggregate ? aggregate_delta(l, storage_table) : rows_delta(l);
        if (topk_keeps_prefix(c)) delta = topk_prefix_delta(c, delta, storage_table);
        tail.push_back({sql::ident(delta_cte), "the net change of the stream table", delta});
        if (opts.merge && !c.query.topk) merge = merge_apply(c, storage_layout(c, opts), storage_table);
        if (merge.empty())
            for (auto& m : apply_ctes(c, storage_layout(c, opts), storage_table)) tail.push_back(std::move(m));
    }
    for (const auto& u : l.state_updates()) tail.push_back(u);
    plan.counted = merge.empty();
    plan.statement = l.with(tail, plan.counted ? counts_select(tail) : merge);
    if (!update.empty()) plan.update_first = l.with(tail, update);
    return plan;
}

} // namespace pgt::lower

namespace pgt::lower {

std::string full_difference_statement(const layout& lay, const std::string& new_rows, const std::string& storage_table) {
    std::vector<std::string> cols, grouped, images;
    for (const auto& c : lay.columns) {
        cols.push_back(sql::ident(c.name));
        const std::string x = sql::column("x", c.name);
        const std::string v = sql::grouped_value(x, c.type);
        grouped.push_back(v == x ? x : v + " AS " + sql::ident(c.name));
        images.push_back(sql::image(x, c.type));
    }
    const std::string list = sql::join(cols);
    const std::string w = sql::ident(weight);
    std::vector<cte> ctes{
        {sql::ident("__pgt_new"), "the new contents", new_rows},
        {sql::ident(delta_cte), "new contents minus old, as a weighted bag",
         "SELECT " + sql::join(grouped) + ", pg_catalog.sum(x." + w + ") AS " + w + " FROM (SELECT " + list + ", 1 AS " + w +
             " FROM \"__pgt_new\" UNION ALL SELECT " + list + ", -1 FROM " + storage_table + ") x GROUP BY " +
             sql::join(images) + " HAVING " + sql::binary("<>", "pg_catalog.sum(x." + w + ")", "0")}};
    for (auto& m : bag_apply_ctes(lay, storage_table)) ctes.push_back(std::move(m));
    std::string r = "WITH\n";
    for (std::size_t i = 0; i < ctes.size(); ++i)
        r += "-- " + ctes[i].comment + "\n" + ctes[i].name + (i == 0 ? " AS MATERIALIZED (\n" : " AS (\n") + ctes[i].body +
             "\n)" + (i + 1 < ctes.size() ? ",\n" : "\n");
    return r + counts_select(ctes);
}

} // namespace pgt::lower

namespace pgt::lower {

layout topk_layout(const circuit& c) {
    layout lay;
    lay.strategy = maintenance::bag;
    lay.unique_row_id = false;
    lay.columns.push_back({"__pgt_row_id", make_type(type_kind::int8), true, "row id of the maintained result's row"});
    const auto& root = c.query.root->columns;
    for (std::size_t i = 0; i < c.query.topk->visible; ++i) {
        sql_type t = root[i].type.name.empty() ? make_type(type_kind::text) : root[i].type;
        lay.columns.push_back({root[i].name, t, false, ""});
    }
    return lay;
}

namespace {
std::string key_list(const circuit& c, const std::string& alias) {
    std::vector<std::string> keys;
    for (const auto& k : c.query.topk->keys) {
        const std::string& name = c.query.root->columns[static_cast<std::size_t>(k.expr->index)].name;
        keys.push_back((alias.empty() ? sql::ident(name) : sql::column(alias, name)) + (k.descending ? " DESC" : " ASC") +
                       (k.nulls_first ? " NULLS FIRST" : " NULLS LAST"));
    }
    return sql::join(keys);
}
} // namespace

std::string topk_statement(const circuit& c, const std::string& state_table, const std::string& storage_table) {
    const auto& t = *c.query.topk;
    const layout lay = topk_layout(c);
    std::vector<std::string> cols;
    for (const auto& col : lay.columns) cols.push_back(sql::column("s", col.name));
    std::string top = "SELECT " + sql::join(cols) + " FROM " + state_table + " s ORDER BY " + key_list(c, "s");
    top += " OFFSET " + std::to_string(t.offset) + " ROWS FETCH FIRST " + std::to_string(t.limit) + " ROWS " +
           (t.with_ties ? "WITH TIES" : "ONLY");
    return full_difference_statement(lay, top, storage_table);
}

std::string topk_index_columns(const circuit& c) { return key_list(c, ""); }

namespace {
/// Rows the stream table holds at most (LIMIT + OFFSET).
long long topk_kept(const circuit& c) { return c.query.topk->limit + c.query.topk->offset; }

/// True when the row seen through `d` sorts strictly after the one seen through `b` in the
/// TopK order (NULLs placed as the ORDER BY places them).
std::string sorts_after(const circuit& c, const std::string& d, const std::string& b) {
    std::string equal_so_far, r;
    for (const auto& k : c.query.topk->keys) {
        const std::string& name = c.query.root->columns[static_cast<std::size_t>(k.expr->index)].name;
        const std::string x = sql::column(d, name), y = sql::column(b, name);
        const std::string nulls = k.nulls_first ? "(" + x + " IS NOT NULL AND " + y + " IS NULL)"
                                                : "(" + x + " IS NULL AND " + y + " IS NOT NULL)";
        const std::string after = "(" + nulls + " OR COALESCE(" + sql::compared(k.descending ? "<" : ">", x, y, k.expr->type) + ", false))";
        r += (r.empty() ? "" : " OR ") + (equal_so_far.empty() ? after : "(" + equal_so_far + " AND " + after + ")");
        equal_so_far += (equal_so_far.empty() ? "" : " AND ") + x + " IS NOT DISTINCT FROM " + y;
    }
    return "(" + r + ")";
}

/// The TopK order reversed, for reading the state's last row through its index backwards.
std::string reversed_key_list(const circuit& c, const std::string& alias) {
    std::vector<std::string> keys;
    for (const auto& k : c.query.topk->keys) {
        const std::string& name = c.query.root->columns[static_cast<std::size_t>(k.expr->index)].name;
        keys.push_back(sql::column(alias, name) + (k.descending ? " ASC" : " DESC") +
                       (k.nulls_first ? " NULLS LAST" : " NULLS FIRST"));
    }
    return sql::join(keys);
}
} // namespace

bool topk_keeps_prefix(const circuit& c) {
    if (!c.query.topk || c.query.topk->with_ties) return false;
    const long long kept = topk_kept(c);
    return kept > 0 && kept <= 100000 && (c.strategy == maintenance::bag || c.strategy == maintenance::keyed);
}

long long topk_prefix_rows(const circuit& c) { return topk_kept(c) + std::max<long long>(topk_kept(c), 100); }

std::string topk_state_load(const circuit& c, const options& opts) {
    const std::string all = full_load_sql(c, opts);
    if (!topk_keeps_prefix(c)) return all;
    return "SELECT * FROM (" + all + ") q ORDER BY " + key_list(c, "q") + " LIMIT " + std::to_string(topk_prefix_rows(c));
}

std::string topk_state_count(const circuit& c, const std::string& state_table) {
    return "SELECT pg_catalog.count(*) FROM (SELECT 1 FROM " + state_table + " LIMIT " +
           std::to_string(2 * topk_prefix_rows(c) + 1) + ") x";
}

std::string topk_state_trim(const circuit& c, const std::string& state_table) {
    return "DELETE FROM " + state_table + " WHERE ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT s.ctid FROM " + state_table + " s ORDER BY " +
           key_list(c, "s") + " OFFSET " + std::to_string(topk_prefix_rows(c)) + "))";
}

namespace detail {
std::string topk_prefix_delta(const circuit& c, const std::string& delta, const std::string& state_table) {
    // The state's last row, when the state holds at least the stream table's rows (fewer:
    // the state is the whole result and takes every change).
    const std::string kept = std::to_string(topk_kept(c));
    const std::string boundary =
        "SELECT * FROM " + state_table + " s WHERE " +
        sql::binary(">=", "(SELECT pg_catalog.count(*) FROM (SELECT 1 FROM " + state_table + " LIMIT " + kept + ") n)", kept) +
        " ORDER BY " + reversed_key_list(c, "s") + " LIMIT 1";
    const std::string beyond = "EXISTS (SELECT 1 FROM (" + boundary + ") b WHERE " + sorts_after(c, "d", "b") + ")";
    if (c.strategy == maintenance::bag) return "SELECT d.* FROM (" + delta + ") d WHERE NOT " + beyond;
    // Keyed: a row's new version beyond the boundary removes its old version, if kept.
    std::vector<std::string> cols;
    for (const auto& col : storage_layout(c).columns) cols.push_back(sql::column("d", col.name));
    const std::string w = sql::column("d", weight);
    return "SELECT " + sql::join(cols) + ", CASE WHEN " + sql::binary(">", w, "0") + " AND " + beyond + " THEN -1::pg_catalog.int8 ELSE " + w +
           " END AS " + sql::ident(weight) + " FROM (" + delta + ") d";
}
} // namespace detail

} // namespace pgt::lower
