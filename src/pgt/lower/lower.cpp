// Entry points of lowering: storage layout, full load, incremental refresh.
#include "strategy.hpp"

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

layout storage_layout(const circuit& c) {
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
        for (auto& h : aggregate_state_columns(c)) lay.columns.push_back(std::move(h));
    return lay;
}

std::string full_load_sql(const circuit& c, const options& opts) {
    lowering l(c, nullptr, opts);
    return c.strategy == maintenance::aggregate ? aggregate_full_load(l) : rows_full_load(l);
}

std::vector<aggregate_state> aggregate_states(const circuit& c, const options& opts) {
    std::vector<aggregate_state> states;
    for (int id : stored_aggregates(c)) {
        lowering l(c, nullptr, opts);
        states.push_back({id, stored_aggregate_full_load(l, id), stored_aggregate_keys(l, id)});
    }
    for (int id : recursions(c)) {
        lowering l(c, nullptr, opts);
        states.push_back({id, recursive_full_load(l, id), recursive_state_keys(l, id)});
    }
    return states;
}

refresh_plan delta_sql(const circuit& c, const std::vector<source_changes>& sources,
                       const std::string& storage_table, const options& opts) {
    if (sources.size() != c.sources.size())
        throw error(sqlstate::internal_error, "delta_sql: one change relation per source expected");
    lowering l(c, &sources, opts);
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
    if (result_changes) {
        const std::string delta = c.strategy == maintenance::aggregate ? aggregate_delta(l, storage_table) : rows_delta(l);
        tail.push_back({sql::ident(delta_cte), "the net change of the stream table", delta});
        for (auto& m : apply_ctes(c, storage_layout(c), storage_table)) tail.push_back(std::move(m));
    }
    for (const auto& u : l.state_updates()) tail.push_back(u);
    plan.statement = l.with(tail, counts_select(tail));
    return plan;
}

} // namespace pgt::lower

namespace pgt::lower {

std::string full_difference_statement(const layout& lay, const std::string& new_rows, const std::string& storage_table) {
    std::vector<std::string> cols;
    for (const auto& c : lay.columns) cols.push_back(sql::ident(c.name));
    const std::string list = sql::join(cols);
    const std::string w = sql::ident(weight);
    std::vector<cte> ctes{
        {sql::ident("__pgt_new"), "the new contents", new_rows},
        {sql::ident(delta_cte), "new contents minus old, as a weighted bag",
         "SELECT " + list + ", pg_catalog.sum(x." + w + ") AS " + w + " FROM (SELECT " + list + ", 1 AS " + w +
             " FROM \"__pgt_new\" UNION ALL SELECT " + list + ", -1 FROM " + storage_table + ") x GROUP BY " + list +
             " HAVING pg_catalog.sum(x." + w + ") <> 0"}};
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

} // namespace pgt::lower
