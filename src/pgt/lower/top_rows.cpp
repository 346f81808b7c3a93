// The keyed, bag and distinct strategies: the stream table holds result rows (with their
// multiplicity for DISTINCT), and a refresh merges the consolidated net change per row.
#include "strategy.hpp"

#include <algorithm>

namespace pgt::lower::detail {

int merged_node(const circuit& c) {
    return c.strategy == maintenance::distinct ? c.nodes[static_cast<std::size_t>(c.output)].inputs[0] : c.output;
}

namespace {

/// The row id of a row of node `id` seen through `alias`.
tree::expr row_id_of(const lowering& l, int id, const std::string& alias) {
    const circuit& c = l.graph();
    const auto& cols = l.node(id).rel->columns;
    std::vector<std::string> values;
    std::vector<sql_type> types;
    auto add = [&](std::size_t i) {
        values.push_back(sql::column(alias, l.names(id)[i]));
        types.push_back(cols[i].type);
    };
    if (c.strategy == maintenance::keyed)
        for (int k : c.key) add(static_cast<std::size_t>(k));
    else
        for (std::size_t i = 0; i < cols.size(); ++i) add(i);
    return tree::rendered(l.row_id(values, types));
}

/// A select list: the row id of node `id`'s row seen through `alias`, then `items`.
std::vector<tree::select_item> with_row_id(const lowering& l, int id, const std::string& alias, std::vector<tree::select_item> items) {
    items.insert(items.begin(), tree::as(row_id_of(l, id, alias), "__pgt_row_id"));
    return items;
}

} // namespace

std::string rows_full_load(lowering& l) {
    const circuit& c = l.graph();
    const int id = merged_node(c);
    tree::select load(with_row_id(l, id, "q", l.columns(id, "q")));
    load.from(l.new_sql(id), "q");
    if (c.strategy == maintenance::distinct) {
        load.items.push_back(tree::as(tree::count_all(), "__pgt_count"));
        load.group_by(l.column_values(id, "q"));
    }
    return l.with(tree::render(load));
}

std::string rows_query_load(lowering& l, const std::string& query) {
    const int id = l.graph().output;
    tree::select load(with_row_id(l, id, "q", l.columns(id, "q")));
    load.from(tree::from_renamed("(" + query + ")", "q", l.names(id)));
    return tree::render(load);
}

std::string rows_delta(lowering& l) {
    const circuit& c = l.graph();
    const int id = merged_node(c);
    const auto d = l.delta(id);
    // One row (a change merged a row at a time) is its own net change.
    if (l.single_row(id)) {
        tree::select one(with_row_id(l, id, "s", l.columns(id, "s")));
        one.items.emplace_back(tree::col("s", weight));
        return tree::render(one.from(*d, "s"));
    }
    const tree::expr net = tree::fn("sum", {tree::col("s", weight)});
    tree::select consolidated(with_row_id(l, id, "s", l.grouped_columns(id, "s")));
    consolidated.items.push_back(tree::as(net, weight));
    // (DISTINCT's rows are counted by value: its storage holds one of equal values that print
    // apart, and a row's two versions must cancel there.)
    const auto keys = c.strategy == maintenance::distinct ? l.images(id, "s") : l.consolidation_keys(id, "s");
    consolidated.from(*d, "s").group_by(keys).having(tree::ne(net, tree::integer(0)));
    if (c.strategy != maintenance::keyed) return tree::render(consolidated);
    // A changed row arrives as its old version (weight −1) and its new one (+1): keep the new
    // one, so that the key's row is updated in place.
    tree::select newest({tree::all("")});
    newest.distinct_on = {tree::col("", "__pgt_row_id")};
    const tree::order_item by_id{tree::col("", "__pgt_row_id"), false, std::nullopt, false};
    const tree::order_item added_first{tree::col("", weight), true, std::nullopt, false};
    newest.from(tree::from(consolidated, "s")).order_by({by_id, added_first});
    return tree::render(newest);
}

namespace {

std::vector<tree::select_item> items(const std::vector<tree::expr>& values) { return {values.begin(), values.end()}; }

/// Column lists of the storage layout, as the apply statements use them.
struct apply_columns {
    std::vector<std::string> all;         ///< every storage column
    std::vector<tree::expr> from_d;       ///< d."col" for every storage column
    std::vector<tree::assignment> set_from_d; ///< "col" = d."col", all but the row id
    std::vector<tree::expr> t_printed, d_printed;

    explicit apply_columns(const layout& lay) {
        for (const auto& col : lay.columns) {
            all.push_back(col.name);
            from_d.push_back(tree::col("d", col.name));
            if (col.name == "__pgt_row_id") continue;
            set_from_d.push_back({col.name, tree::col("d", col.name)});
            append_printed(t_printed, sql::column("t", col.name), col.type);
            append_printed(d_printed, sql::column("d", col.name), col.type);
        }
    }

    /// A stored row (t) prints differently from its new version (d) in a column but the row id
    /// (a sum 7.25 that is now 7.250 is rewritten).
    tree::expr changed() const { return tree::is_distinct(tree::row(t_printed), tree::row(d_printed)); }
};

/// `t."column" OPERATOR(pg_catalog.=) ANY (ARRAY(…))` of `d`'s values of `d_column`: the stored
/// rows the change `d` touches, read through their index (`__pgt_row_id`) or by a TID scan
/// (`ctid`, where the change located them: stored_ctid_column), even where the planner has no
/// statistics on the table or expects many rows of `d` (a CTE's size is unknown to it: guessing
/// many touched groups, it read the table whole and hashed it to meet a few of them; TPC-H q03:
/// 11,300 stored groups read twice for 21 touched).
tree::expr stored_among(const std::string& column, const std::string& d, const std::string& d_column) {
    tree::select values({tree::col("d", d_column)});
    values.from(d, "d");
    return tree::equals_any(tree::col("t", column), values);
}

/// A data-modifying CTE: the statement, `RETURNING 1`.
template <class Statement>
cte modify(const char* name, const char* comment, Statement s) {
    s.returning = {tree::integer(1)};
    return {sql::ident(name), comment, tree::render(s)};
}

} // namespace

std::vector<cte> bag_apply_ctes(const layout& lay, const std::string& st) {
    const apply_columns cols(lay);
    const std::string d = sql::ident(delta_cte);
    const tree::expr w = tree::col("d", weight);
    // Remove |w| copies of each row with a negative weight, add w copies of each row with a
    // positive one; copies are told apart by ctid. (Rows equal but for their id are distinct
    // rows: a TopK's stream table shows its state's rows without their hidden sort keys.)
    std::vector<tree::expr> same{tree::eq(tree::col("s", "__pgt_row_id"), tree::col("d", "__pgt_row_id"))};
    for (std::size_t i = 1; i < lay.columns.size(); ++i)
        same.push_back(tree::rendered(sql::identical(sql::column("s", lay.columns[i].name), sql::column("d", lay.columns[i].name),
                                                     lay.columns[i].type)));
    // Each removed row's copies are looked up through the row id's index, |w| of them at most.
    tree::select copies({tree::as(tree::col("s", "ctid"), "sc")});
    copies.from(st, "s").where(tree::all_of(std::move(same))).limit(tree::cast(tree::negate(w), tree::type_name::catalog("int8")));
    tree::select removed({tree::col("x", "sc")});
    removed.from(tree::cross_join(tree::from(d, "d"), tree::from(copies, "x", true))).where(tree::lt(w, tree::integer(0)));
    tree::select added(items(cols.from_d));
    added.from(tree::cross_join(tree::from(d, "d"), tree::from_function(tree::fn("generate_series", {tree::integer(1), w}), "", true)))
        .where(tree::gt(w, tree::integer(0)));
    return {modify("__pgt_del", "delete |w| copies of removed rows",
                   tree::delete_from{st, "t", {}, tree::equals_any(tree::col("t", "ctid"), removed), {}}),
            modify("__pgt_ins", "insert w copies of added rows", tree::insert{st, cols.all, added, {}})};
}

std::vector<cte> aggregate_apply_ctes(const layout& lay, const std::string& st, const std::string& d,
                                      const std::string& prefix, const std::string& same_id, stored_rows_known known) {
    const apply_columns cols(lay);
    const tree::expr same = tree::rendered(same_id);
    const tree::expr touched = stored_among("__pgt_row_id", d, "__pgt_row_id");
    const tree::expr visible = tree::col("d", "__pgt_visible");
    // (The data-modifying CTEs see the table as the statement began, as the change's own read
    // of the stored groups did: a stored row is where that read found it.)
    const bool located = known == stored_rows_known::location;
    const tree::expr at = tree::all_of({tree::eq(tree::col("t", "ctid"), tree::col("d", stored_ctid_column)), stored_among("ctid", d, stored_ctid_column)});
    tree::select stored({tree::integer(1)});
    stored.from(st, "t").where(tree::all_of({same, touched}));
    tree::select added(items(cols.from_d));
    added.from(d, "d").where(tree::all_of(
        {visible, tree::negation(known == stored_rows_known::nothing ? tree::exists(stored) : tree::col("d", existed_column))}));
    const tree::expr removed = located ? tree::all_of({at, tree::negation(visible)}) : tree::all_of({same, tree::negation(visible), touched});
    const tree::expr updated =
        located ? tree::all_of({at, visible, cols.changed()}) : tree::all_of({same, touched, visible, cols.changed()});
    return {modify((prefix + "del").c_str(), "delete groups that became empty or fail HAVING",
                   tree::delete_from{st, "t", {tree::from(d, "d")}, removed, {}}),
            modify((prefix + "upd").c_str(), "update changed groups", tree::update{st, "t", cols.set_from_d, {tree::from(d, "d")}, updated, {}}),
            modify((prefix + "ins").c_str(), "insert groups new to the table", tree::insert{st, cols.all, added, {}})};
}

std::vector<cte> apply_ctes(const circuit& c, const layout& lay, const std::string& st, bool located) {
    const apply_columns cols(lay);
    const std::string d = sql::ident(delta_cte);
    const tree::expr w = tree::col("d", weight);
    const tree::expr zero = tree::integer(0);
    const tree::expr same_id = tree::eq(tree::col("t", "__pgt_row_id"), tree::col("d", "__pgt_row_id"));
    auto insert_new = [&](const tree::expr& condition, const std::vector<tree::expr>& values) {
        tree::select stored({tree::integer(1)});
        stored.from(st, "t").where(same_id);
        tree::select added(items(values));
        added.from(d, "d").where(tree::all_of({condition, tree::negation(tree::exists(stored))}));
        return modify("__pgt_ins", "insert rows new to the stream table", tree::insert{st, cols.all, added, {}});
    };
    auto remove = [&](const char* comment, const tree::expr& condition) {
        return modify("__pgt_del", comment, tree::delete_from{st, "t", {tree::from(d, "d")}, tree::all_of({same_id, condition}), {}});
    };
    auto update = [&](const char* comment, std::vector<tree::assignment> set, const tree::expr& condition) {
        return modify("__pgt_upd", comment,
                      tree::update{st, "t", std::move(set), {tree::from(d, "d")}, tree::all_of({same_id, condition}), {}});
    };
    switch (c.strategy) {
    case maintenance::aggregate:
        return aggregate_apply_ctes(lay, st, d, "__pgt_", tree::render(same_id), located ? stored_rows_known::location : stored_rows_known::existence);
    case maintenance::keyed:
        return {remove("delete rows whose key disappeared", tree::lt(w, zero)),
                update("update rows whose key remains", cols.set_from_d, tree::gt(w, zero)),
                insert_new(tree::gt(w, zero), cols.from_d)};
    case maintenance::distinct: {
        const tree::expr count = tree::plus(tree::col("t", "__pgt_count"), w);
        std::vector<tree::expr> values = cols.from_d;
        values.back() = w; // a new row's multiplicity is its weight
        return {remove("delete rows whose multiplicity drops to zero", tree::le(count, zero)),
                update("adjust multiplicities", {{"__pgt_count", count}}, tree::gt(count, zero)),
                insert_new(tree::gt(w, zero), values)};
    }
    case maintenance::bag: return bag_apply_ctes(lay, st);
    }
    return {};
}

std::optional<tree::expr> among_shard_values(const std::string& alias, const std::string& column, int param) {
    if (param == 0) return std::nullopt;
    return tree::any_of({tree::quantified("=", tree::col(alias, column), true, tree::param(param)), tree::is_null(tree::param(param))});
}

namespace {
/// The rows of a distributed storage's change that it keeps (their new version), and those it
/// removes.
std::pair<tree::expr, tree::expr> kept_and_removed(const circuit& c) {
    if (c.strategy == maintenance::aggregate) return {tree::col("d", "__pgt_visible"), tree::negation(tree::col("d", "__pgt_visible"))};
    return {tree::gt(tree::col("d", weight), tree::integer(0)), tree::lt(tree::col("d", weight), tree::integer(0))};
}

/// Whether a stored row has a column besides its row id and `column`: one an update may change.
/// (A row that is only its id and value is found unchanged or not at all.)
bool updatable(const layout& lay, const std::string& column) {
    return std::ranges::any_of(lay.columns, [&](const storage_column& col) { return col.name != "__pgt_row_id" && col.name != column; });
}

/// Those columns (updatable) of a stored row (`t`) and of its new version (`d` or `excluded`),
/// printed: a row is rewritten only where they differ.
tree::expr differs(const layout& lay, const std::string& column, const std::string& incoming) {
    std::vector<tree::expr> stored, updated;
    for (const auto& col : lay.columns) {
        if (col.name == "__pgt_row_id" || col.name == column) continue;
        append_printed(stored, sql::column("t", col.name), col.type);
        append_printed(updated, sql::column(incoming, col.name), col.type);
    }
    return tree::is_distinct(tree::row(stored), tree::row(updated));
}
} // namespace

std::vector<cte> distributed_apply_ctes(const circuit& c, const layout& lay, const std::string& st, const std::string& column,
                                        int shard_values_param) {
    const apply_columns cols(lay);
    const std::string d = sql::ident(delta_cte);
    const tree::expr same_id = tree::eq(tree::col("t", "__pgt_row_id"), tree::col("d", "__pgt_row_id"));
    // A row whose distribution value changes moves: deleted where it was, inserted where it goes.
    const tree::expr moved = tree::is_distinct(tree::col("t", column), tree::col("d", column));
    const auto [kept, removed] = kept_and_removed(c);
    std::vector<tree::expr> deleted{same_id, tree::any_of({removed, moved})};
    const auto among = among_shard_values("t", column, shard_values_param);
    if (among) deleted.push_back(*among);
    cte remove = modify("__pgt_del", "delete rows the change removes or moves",
                        tree::delete_from{st, "t", {tree::from(d, "d")}, tree::all_of(std::move(deleted)), {}});
    std::vector<tree::assignment> set;
    for (const auto& a : cols.set_from_d)
        if (a.column != column) set.push_back(a); // (the same in both: it is part of the row's identity)
    if (among) {
        if (!updatable(lay, column)) return {std::move(remove)};
        // Updated in place, the new rows left to distributed_new_rows' INSERT: Citus runs a
        // statement of SELECT, UPDATE and DELETE CTEs whose tables all lie on one shard as one
        // task there, but an INSERT CTE as a statement of its own.
        const tree::expr stays = tree::eq(tree::col("t", column), tree::col("d", column));
        return {std::move(remove), modify("__pgt_upd", "update changed rows in place",
                                          tree::update{st, "t", std::move(set), {tree::from(d, "d")},
                                                       tree::all_of({same_id, stays, kept, *among, differs(lay, column, "d")}), {}})};
    }
    for (auto& a : set) a.value = tree::col("excluded", a.column);
    tree::select rows(items(cols.from_d));
    rows.from(d, "d").where(kept);
    tree::upsert upsert{st, "t", cols.all, rows, {"__pgt_row_id", column}, std::move(set), std::nullopt, {}};
    if (updatable(lay, column)) upsert.where_condition = differs(lay, column, "excluded");
    // Which rows it inserted and which it updated, counted apart as the local apply's INSERT
    // and UPDATE are: a row version the upsert inserts has no xmax, one its DO UPDATE writes
    // carries the conflict's row lock in xmax (how PostgreSQL stores them, not SQL's promise).
    upsert.returning = {tree::as(tree::eq(tree::col("t", "xmax"), tree::integer(0)), "__pgt_fresh")};
    return {std::move(remove), {sql::ident(upserted_cte), "insert new rows, update changed ones", tree::render(upsert)}};
}

std::vector<tree::select_item> apply_counts(const std::vector<cte>& ctes, std::optional<tree::expr> inserted) {
    auto count = [&](const char* name, std::optional<tree::expr> condition = std::nullopt) {
        for (const auto& t : ctes)
            if (t.name == sql::ident(name)) {
                tree::select rows({tree::count_all()});
                rows.from(t.name, "");
                if (condition) rows.where(std::move(*condition));
                return tree::scalar(std::move(rows));
            }
        return tree::integer(0);
    };
    const tree::expr fresh = tree::col("", "__pgt_fresh");
    const bool upserts = std::ranges::any_of(ctes, [](const cte& t) { return t.name == sql::ident(upserted_cte); });
    if (!inserted) inserted = upserts ? count(upserted_cte, fresh) : count("__pgt_ins");
    const tree::expr updated = upserts ? count(upserted_cte, tree::negation(fresh)) : count("__pgt_upd");
    return {tree::as(std::move(*inserted), "inserted"), tree::as(count("__pgt_del"), "deleted"), tree::as(updated, "updated")};
}

distributed_rows distributed_new_rows(const circuit& c, const layout& lay, const std::vector<cte>& ctes, const std::string& st,
                                      const std::string& column, int shard_values_param) {
    const std::string d = sql::ident(delta_cte);
    // New here: kept, and not stored with its row id and distribution value as the statement
    // began. (An outer join, not a correlated NOT EXISTS, which Citus refuses over a CTE where
    // the change spans shards.)
    std::vector<tree::expr> same{tree::eq(tree::col("s", "__pgt_row_id"), tree::col("d", "__pgt_row_id")),
                                 tree::eq(tree::col("s", column), tree::col("d", column))};
    if (auto among = among_shard_values("s", column, shard_values_param)) same.push_back(std::move(*among));
    tree::select rows(apply_counts(ctes, tree::count_all()));
    // Each column's values as an array literal of their text, which the INSERT reads back (as
    // Citus itself sends values between its nodes).
    const tree::type_name text = tree::type_name::catalog("text");
    tree::select values;
    int n = 0;
    for (const auto& col : lay.columns) {
        rows.items.push_back(tree::as(tree::cast(tree::fn("array_agg", {tree::cast(tree::col("d", col.name), text)}), text), col.name));
        values.items.emplace_back(tree::cast(tree::fn("unnest", {tree::cast(tree::param(++n), tree::type_name::catalog("text[]"))}), col.type));
    }
    rows.from(tree::join(tree::from(d, "d"), tree::join_kind::left, tree::from(st, "s"), tree::all_of(std::move(same))))
        .where(tree::all_of({kept_and_removed(c).first, tree::is_null(tree::col("s", "__pgt_row_id"))}));
    return {tree::render(rows), tree::render(tree::insert{st, apply_columns(lay).all, values, {}}), n};
}

std::string merge_apply(const circuit& c, const layout& lay, const std::string& st) {
    const apply_columns cols(lay);
    const tree::expr w = tree::col("d", weight);
    const tree::expr zero = tree::integer(0);
    tree::merge m{st, "t", tree::from(sql::ident(delta_cte), "d"),
                  tree::eq(tree::col("t", "__pgt_row_id"), tree::col("d", "__pgt_row_id")), {}, {}};
    switch (c.strategy) {
    case maintenance::aggregate: {
        const tree::expr visible = tree::col("d", "__pgt_visible");
        m.matched = {{tree::negation(visible), {}}, {cols.changed(), cols.set_from_d}};
        m.not_matched = {{visible, cols.all, cols.from_d}};
        return tree::render(m);
    }
    case maintenance::keyed:
        m.matched = {{tree::lt(w, zero), {}}, {std::nullopt, cols.set_from_d}};
        m.not_matched = {{tree::gt(w, zero), cols.all, cols.from_d}};
        return tree::render(m);
    case maintenance::distinct: {
        const tree::expr count = tree::plus(tree::col("t", "__pgt_count"), w);
        std::vector<tree::expr> values = cols.from_d;
        values.back() = w; // a new row's multiplicity is its weight
        m.matched = {{tree::le(count, zero), {}}, {std::nullopt, {{"__pgt_count", count}}}};
        m.not_matched = {{tree::gt(w, zero), cols.all, values}};
        return tree::render(m);
    }
    case maintenance::bag: break;
    }
    return {};
}

} // namespace pgt::lower::detail
