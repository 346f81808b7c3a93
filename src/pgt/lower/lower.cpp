// Entry points of lowering: storage layout, full load, incremental refresh.
#include "strategy.hpp"

#include <algorithm>
#include <utility>

#include "pgt/error.hpp"

namespace pgt::lower {

using namespace detail;

namespace {
/// The refresh statement's result: rows inserted, deleted and updated by the apply CTEs.
std::string counts_select(const std::vector<cte>& ctes) { return tree::render(tree::select(apply_counts(ctes))); }

/// Where an aggregate's delta may be cut for options::stage_table: after the change per touched
/// group (lowering::stage_point), when nothing after it reads a CTE before it or a parameter
/// (the change relations' bounds: what follows reads no change), so that what follows needs
/// the stage in their place. nullopt otherwise.
std::optional<std::size_t> groups_stage_cut(const lowering& l, const std::vector<cte>& tail) {
    const auto point = l.stage_point();
    if (!point || !l.state_updates().empty()) return std::nullopt;
    const std::vector<cte>& ctes = l.ctes();
    auto reads_before = [&](const cte& later) {
        if (later.body.find('$') != std::string::npos) return true;
        return std::any_of(ctes.begin(), ctes.begin() + static_cast<std::ptrdiff_t>(*point),
                           [&](const cte& earlier) { return later.body.find(earlier.name) != std::string::npos; });
    };
    if (std::any_of(ctes.begin() + static_cast<std::ptrdiff_t>(*point) + 1, ctes.end(), reads_before) ||
        std::ranges::any_of(tail, reads_before))
        return std::nullopt;
    return point;
}
} // namespace

sql_type row_id_type(const options& opts) {
    return opts.wide_row_id ? sql_type{type_kind::other, "pg_catalog.uuid"} : make_type(type_kind::int8);
}

std::string row_id_call(const options& opts, const std::vector<std::string>& values, const std::vector<sql_type>& types) {
    std::vector<std::string> args;
    // (A VARIADIC function takes at least one argument: the empty key's id is the empty array's.)
    if (opts.wide_row_id && opts.row_id_of_values && !values.empty()) {
        for (std::size_t i = 0; i < values.size(); ++i) args.push_back(sql::row_id_value(values[i], types[i]));
        return "pgtrickle.pg_trickle_row_id_of(" + sql::join(args) + ")";
    }
    for (std::size_t i = 0; i < values.size(); ++i) args.push_back(sql::hash_text(values[i], types[i]));
    if (!opts.wide_row_id) return "pgtrickle.pg_trickle_hash_multi(" + sql::text_array(args) + ")";
    if (args.size() == 1) return "pgtrickle.pg_trickle_row_id(" + args[0] + ")";
    return "pgtrickle.pg_trickle_row_id(" + sql::text_array(args) + ")";
}

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
    lay.columns.push_back({"__pgt_row_id", row_id_type(opts), true, row_id_purpose(c.strategy)});
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

std::vector<layout> earlier_storage_layouts(const circuit& now) {
    if (now.strategy != maintenance::aggregate || now.query.topk) return {};
    // (Before encoded scale counts, a SUM or AVG of a plain numeric was recomputed.)
    ir::rel unencoded = *now.nodes[static_cast<std::size_t>(now.state_node)].rel;
    bool encoded = false;
    for (auto& call : std::get<ir::aggregate>(unencoded.node).aggs) encoded = std::exchange(call.encodes_scales, false) || encoded;
    circuit c = now;
    c.nodes[static_cast<std::size_t>(c.state_node)].rel = &unencoded;
    const auto without = [](layout lay, const std::vector<std::string>& names) {
        std::erase_if(lay.columns, [&](const storage_column& col) { return std::ranges::find(names, col.name) != names.end(); });
        return lay;
    };
    // Each count is newer than those after it: the infinities', the encoded scales', the NaNs',
    // the scales'.
    const auto infinities = infinity_count_columns(c);
    auto nans = nan_count_columns(c);
    nans.insert(nans.end(), infinities.begin(), infinities.end());
    auto counts = scale_count_columns(c);
    counts.insert(counts.end(), nans.begin(), nans.end());
    options separate, narrow;
    separate.state_in_output = false;
    separate.wide_row_id = narrow.wide_row_id = false;
    std::vector<layout> layouts{without(storage_layout(c, separate), counts)};
    if (!nans.empty()) {
        layouts.push_back(without(storage_layout(c), nans));
        layouts.push_back(without(storage_layout(c, narrow), nans));
    }
    if (encoded) {
        layouts.push_back(without(storage_layout(c), infinities));
        layouts.push_back(without(storage_layout(c, narrow), infinities));
    }
    // (Named from `now`: there a plain numeric's SUM or AVG keeps a running sum, with its
    // infinity counts, which `c` recomputes.)
    if (const auto newest = infinity_count_columns(now); !newest.empty()) {
        layouts.push_back(without(storage_layout(now), newest));
        layouts.push_back(without(storage_layout(now, narrow), newest));
    }
    return layouts;
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
    // (An aggregate kept in a state table of its own is loaded apart from the rows, from its
    // own SQL: the rows are still the query's as they are.)
    if (c.query.topk || (c.strategy != maintenance::bag && c.strategy != maintenance::keyed) || !recursions(c).empty())
        return std::nullopt;
    lowering l(c, nullptr, opts);
    return rows_query_load(l, query);
}

std::optional<std::string> why_not_distributable(const circuit& c) {
    if (c.strategy != maintenance::keyed && c.strategy != maintenance::aggregate)
        return "only a query with a key (its sources' primary keys, or GROUP BY) is distributed: DISTINCT and rows without a key "
               "have no row a shard can update by itself";
    if (c.query.topk || !stored_aggregates(c).empty() || !recursions(c).empty())
        return "a TopK, a recursive query or an aggregate kept in a state table has state besides its rows";
    return std::nullopt;
}

std::vector<aggregate_state> aggregate_states(const circuit& c, const options& opts) {
    std::vector<aggregate_state> states;
    for (int id : stored_aggregates(c)) {
        lowering l(c, nullptr, opts);
        states.push_back({id, stored_aggregate_full_load(l, id), stored_aggregate_keys(l, id), stored_aggregate_state_columns(l, id)});
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
    if (!result_changes && !states_change) { // (a statement all the same: its counts, all 0)
        plan.statement = counts_select({});
        return plan;
    }
    plan.has_delta = true;
    std::vector<cte> tail;
    std::string merge, update, result;
    if (!opts.distribution_column.empty())
        if (const auto why = why_not_distributable(c)) throw error(sqlstate::feature_not_supported, "output_distribution_column: " + *why);
    if (result_changes && !opts.distribution_column.empty()) {
        tail.push_back({sql::ident(delta_cte), "the net change of the stream table",
                        c.strategy == maintenance::aggregate ? aggregate_delta(l, storage_table) : rows_delta(l)});
        const layout lay = storage_layout(c, opts);
        for (auto& m : distributed_apply_ctes(c, lay, storage_table, opts.distribution_column, opts.shard_values_param))
            tail.push_back(std::move(m));
        if (opts.shard_values_param != 0) {
            auto rows = distributed_new_rows(c, lay, tail, storage_table, opts.distribution_column, opts.shard_values_param);
            result = std::move(rows.select);
            plan.insert_rows = std::move(rows.insert);
            plan.insert_rows_params = rows.insert_params;
        }
    } else if (result_changes && opts.merge && !c.query.topk && c.strategy == maintenance::aggregate) {
        auto statements = aggregate_merge(l, storage_layout(c, opts), storage_table);
        merge = std::move(statements.merge);
        update = std::move(statements.update);
    } else if (result_changes) {
        std::string delta = c.strategy == maintenance::aggregate ? aggregate_delta(l, storage_table) : rows_delta(l);
        if (topk_keeps_prefix(c)) delta = topk_prefix_delta(c, delta, storage_table);
        tail.push_back({sql::ident(delta_cte), "the net change of the stream table", delta});
        if (opts.merge && !c.query.topk) merge = merge_apply(c, storage_layout(c, opts), storage_table);
        if (merge.empty())
            for (auto& m : apply_ctes(c, storage_layout(c, opts), storage_table, stored_rows_located(opts))) tail.push_back(std::move(m));
    }
    const bool stageable = !opts.stage_table.empty() && !tail.empty() && tail.front().name == sql::ident(delta_cte) &&
                           merge.empty() && opts.distribution_column.empty();
    // (A bag's copies are deleted by ctid, which Citus refuses in a statement it plans.)
    const bool staged_bag = stageable && c.strategy == maintenance::bag;
    const auto groups_cut = stageable && c.strategy == maintenance::aggregate && !c.query.topk ? groups_stage_cut(l, tail) : std::nullopt;
    // The CTEs up to what is computed into the stage table, that one last; the rest is applied
    // from the stage by a statement that reads no change.
    std::vector<cte> staged, apply;
    if (staged_bag) {
        staged = l.ctes();
        staged.push_back(tail.front());
        apply.assign(tail.begin() + 1, tail.end());
    } else if (groups_cut) {
        staged.assign(l.ctes().begin(), l.ctes().begin() + static_cast<std::ptrdiff_t>(*groups_cut) + 1);
        apply.assign(l.ctes().begin() + static_cast<std::ptrdiff_t>(*groups_cut) + 1, l.ctes().end());
        apply.insert(apply.end(), tail.begin(), tail.end());
    }
    if (!staged.empty()) {
        const cte computed = staged.back();
        tree::select all_computed({tree::all("")});
        all_computed.from(computed.name, "");
        plan.stage_select = render_with(staged, tree::render(all_computed));
        // (The CTEs within the INSERT's query, not over the INSERT, where Citus would run each
        // apart: there it plans the query as one, joins pushed down to the shards. Changes of
        // state tables, which only a bag stages with, must stay over the statement.)
        if (l.state_updates().empty()) {
            plan.stage_fill = tree::render(tree::insert{opts.stage_table, {}, tree::rendered_query(plan.stage_select), {}});
        } else {
            std::vector<cte> fill = staged;
            fill.insert(fill.end(), l.state_updates().begin(), l.state_updates().end());
            plan.stage_fill = render_with(fill, tree::render(tree::insert{opts.stage_table, {}, all_computed, {}}));
        }
        apply.insert(apply.begin(), {computed.name, computed.comment + ", computed into " + opts.stage_table,
                                     tree::render(tree::select({tree::all("")}).from(opts.stage_table, ""))});
        plan.statement = render_with(apply, counts_select(apply));
        plan.counted = true;
    } else {
        for (const auto& u : l.state_updates()) tail.push_back(u);
        plan.counted = merge.empty();
        plan.statement = l.with(tail, !plan.counted ? merge : result.empty() ? counts_select(tail) : result);
    }
    if (!update.empty()) plan.update_first = l.with(tail, update);
    if (opts.max_statement_bytes && std::max({plan.statement.size(), plan.update_first.size(), plan.stage_fill.size()}) > opts.max_statement_bytes)
        throw statement_too_large();
    return plan;
}

} // namespace pgt::lower

namespace pgt::lower {

std::string full_difference_statement(const layout& lay, const std::string& new_rows, const std::string& storage_table) {
    std::vector<tree::select_item> cols, grouped;
    std::vector<tree::expr> images;
    for (const auto& c : lay.columns) {
        cols.emplace_back(tree::col("", c.name));
        // The row id (a uuid or a bigint) is grouped as it is: its values are equal only when alike.
        if (c.name == lay.columns.front().name) {
            grouped.emplace_back(tree::col("x", c.name));
            images.push_back(tree::col("x", c.name));
            continue;
        }
        const std::string x = sql::column("x", c.name);
        const std::string v = sql::grouped_value(x, c.type);
        grouped.push_back(v == x ? tree::select_item(tree::col("x", c.name)) : tree::as(tree::rendered(v), c.name));
        images.push_back(tree::rendered(sql::image(x, c.type)));
    }
    tree::select added(cols), removed(cols);
    added.items.push_back(tree::as(tree::integer(1), weight));
    removed.items.emplace_back(tree::integer(-1));
    const tree::expr net = tree::fn("sum", {tree::col("x", weight)});
    tree::select difference(grouped);
    difference.items.push_back(tree::as(net, weight));
    difference.from(tree::from(tree::union_all({added.from(sql::ident("__pgt_new"), ""), removed.from(storage_table, "")}), "x"))
        .group_by(images)
        .having(tree::ne(net, tree::integer(0)));
    std::vector<cte> ctes{{sql::ident("__pgt_new"), "the new contents", new_rows},
                          {sql::ident(delta_cte), "new contents minus old, as a weighted bag", tree::render(difference)}};
    for (auto& m : bag_apply_ctes(lay, storage_table)) ctes.push_back(std::move(m));
    return render_with(ctes, counts_select(ctes), true);
}

} // namespace pgt::lower

namespace pgt::lower {

layout topk_layout(const circuit& c, const options& opts) {
    layout lay;
    lay.strategy = maintenance::bag;
    lay.unique_row_id = false;
    lay.columns.push_back({"__pgt_row_id", row_id_type(opts), true, "row id of the maintained result's row"});
    const auto& root = c.query.root->columns;
    for (std::size_t i = 0; i < c.query.topk->visible; ++i) {
        sql_type t = root[i].type.name.empty() ? make_type(type_kind::text) : root[i].type;
        lay.columns.push_back({root[i].name, t, false, ""});
    }
    return lay;
}

namespace {
/// The TopK order over the stored columns seen through `alias` (none: bare names); reversed,
/// for reading the state's last row through its index backwards.
std::vector<tree::order_item> topk_keys(const circuit& c, const std::string& alias, bool reversed = false) {
    std::vector<tree::order_item> keys;
    for (const auto& k : c.query.topk->keys) {
        const std::string& name = c.query.root->columns[static_cast<std::size_t>(k.expr->index)].name;
        keys.push_back({tree::col(alias, name), k.descending != reversed, k.nulls_first != reversed, true});
    }
    return keys;
}
} // namespace

std::string topk_statement(const circuit& c, const std::string& state_table, const std::string& storage_table) {
    const auto& t = *c.query.topk;
    const layout lay = topk_layout(c);
    tree::select top;
    for (const auto& col : lay.columns) top.items.emplace_back(tree::col("s", col.name));
    top.from(state_table, "s").order_by(topk_keys(c, "s")).offset(t.offset);
    top.fetch_first = tree::select::fetch{t.limit, t.with_ties};
    return full_difference_statement(lay, tree::render(top), storage_table);
}

std::string topk_index_columns(const circuit& c) { return tree::render(topk_keys(c, "")); }

namespace {
/// Rows the stream table holds at most (LIMIT + OFFSET).
long long topk_kept(const circuit& c) { return c.query.topk->limit + c.query.topk->offset; }

/// True when the row seen through `d` sorts strictly after the one seen through `b` in the
/// TopK order (NULLs placed as the ORDER BY places them).
tree::expr sorts_after(const circuit& c, const std::string& d, const std::string& b) {
    std::vector<tree::expr> equal_so_far, alternatives;
    for (const auto& k : c.query.topk->keys) {
        const std::string& name = c.query.root->columns[static_cast<std::size_t>(k.expr->index)].name;
        const tree::expr x = tree::col(d, name), y = tree::col(b, name);
        const sql_type& type = k.expr->type;
        const tree::expr nulls = k.nulls_first ? tree::all_of({tree::is_not_null(x, type), tree::is_null(y, type)})
                                               : tree::all_of({tree::is_null(x, type), tree::is_not_null(y, type)});
        const tree::expr after = tree::any_of({nulls, tree::coalesce({tree::compare(k.descending ? "<" : ">", x, y, k.expr->type), tree::boolean(false)})});
        std::vector<tree::expr> conjuncts = equal_so_far;
        conjuncts.push_back(after);
        alternatives.push_back(tree::all_of(std::move(conjuncts)));
        equal_so_far.push_back(tree::is_not_distinct(x, y));
    }
    return tree::any_of(std::move(alternatives));
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
    tree::select prefix({tree::all("")});
    prefix.from(tree::from(tree::rendered_query(all), "q")).order_by(topk_keys(c, "q")).limit(tree::integer(topk_prefix_rows(c)));
    return tree::render(prefix);
}

namespace {
/// `(SELECT count(*) FROM (SELECT 1 FROM table LIMIT n) alias)`: counts up to n rows.
tree::expr count_up_to(const std::string& table, long long n, const std::string& alias) {
    tree::select some({tree::integer(1)});
    some.from(table, "").limit(tree::integer(n));
    return tree::scalar(tree::select({tree::count_all()}).from(tree::from(some, alias)));
}
} // namespace

std::string topk_state_count(const circuit& c, const std::string& state_table) {
    return tree::render(tree::select({count_up_to(state_table, 2 * topk_prefix_rows(c) + 1, "x")}));
}

std::string topk_state_trim(const circuit& c, const std::string& state_table) {
    tree::select beyond({tree::col("s", "ctid")});
    beyond.from(state_table, "s").order_by(topk_keys(c, "s")).offset(topk_prefix_rows(c));
    return tree::render(tree::delete_from{state_table, "", {}, tree::equals_any(tree::col("", "ctid"), beyond), {}});
}

namespace detail {
std::string topk_prefix_delta(const circuit& c, const std::string& delta, const std::string& state_table) {
    // The state's last row, when the state holds at least the stream table's rows (fewer:
    // the state is the whole result and takes every change).
    const long long kept = topk_kept(c);
    tree::select boundary({tree::all("")});
    boundary.from(state_table, "s").where(tree::ge(count_up_to(state_table, kept, "n"), tree::integer(kept)));
    boundary.order_by(topk_keys(c, "s", true)).limit(tree::integer(1));
    const tree::expr beyond = tree::exists(tree::select({tree::integer(1)}).from(tree::from(boundary, "b")).where(sorts_after(c, "d", "b")));
    const tree::relation changes = tree::from(tree::rendered_query(delta), "d");
    if (c.strategy == maintenance::bag) return tree::render(tree::select({tree::all("d")}).from(changes).where(tree::negation(beyond)));
    // Keyed: a row's new version beyond the boundary removes its old version, if kept.
    tree::select change;
    for (const auto& col : storage_layout(c).columns) change.items.emplace_back(tree::col("d", col.name));
    const tree::expr w = tree::col("d", weight);
    change.items.push_back(tree::as(
        tree::case_when({{tree::all_of({tree::gt(w, tree::integer(0)), beyond}), tree::cast(tree::integer(-1), tree::type_name::catalog("int8"))}}, w), weight));
    return tree::render(change.from(changes));
}
} // namespace detail

} // namespace pgt::lower
