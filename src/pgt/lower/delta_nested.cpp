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
std::string nid(int id) { return "n" + std::to_string(id); }
/// A hidden column of the invertible rule's CTEs: `__pgt_k0` (a group key), `__pgt_c1` (a
/// count of non-NULL inputs), `__pgt_a1` (an aggregate's change).
std::string hidden(const char* what, std::size_t j) { return "__pgt_" + std::string(what) + std::to_string(j); }

/// Values `a` and `b` of `type` are equal, NULL matching NULL (sql::not_distinct: a form
/// PostgreSQL can hash; a type without equality by its image); a plain `=`, which an index on
/// the value answers and PostgreSQL can estimate, when the value is never NULL.
tree::expr same_value(const std::string& a, const std::string& b, const sql_type& type, bool never_null) {
    if (never_null && type.equality) return tree::rendered(sql::binary("=", a, b));
    return tree::rendered(sql::not_distinct(a, b, type));
}

/// `a` (group key `key`, an expression over input `child`) equals `b`.
tree::expr same_key(const lowering& l, int child, const ir::expr& key, const tree::expr& a, const tree::expr& b) {
    const bool never_null = key.kind == ir::expr_kind::column && ir::never_null(key, l.node(child).rel->columns);
    return same_value(tree::render(a), tree::render(b), key.type, never_null);
}

/// COUNT, and SUM of exact numbers: the value before a change is the value after minus the
/// change's contribution, exactly.
bool invertible(const ir::agg_call& a) {
    if (a.distinct || a.filter || !a.order_by.empty()) return false;
    if (a.func == ir::agg_func::count_star || a.func == ir::agg_func::count) return true;
    return a.func == ir::agg_func::sum &&
           (is_integer(a.arg()->type.kind) || a.arg()->type.kind == type_kind::numeric);
}

/// The invertible rule's CTEs of the touched groups now (`__pgt_n` rows, `__pgt_cj` non-NULL
/// inputs of SUM j) and of the change's contribution per group (keys as `__pgt_kk`, `__pgt_n`
/// the net rows, `__pgt_cj` the net non-NULL inputs, `__pgt_aj` COUNT j's or SUM j's change).
std::pair<std::string, std::string> now_and_change(lowering& l, int id, const tree::expr& in_touched) {
    const int child = l.node(id).inputs[0];
    const std::string dc = *l.delta(child);
    const auto& a = std::get<ir::aggregate>(l.node(id).rel->node);
    const auto& out = l.names(id);
    const tree::expr w = tree::col("s", weight);
    const auto keys = l.aggregate_keys(id, "s");
    tree::select now, change;
    for (std::size_t k = 0; k < keys.values.size(); ++k) {
        now.items.push_back(tree::as(keys.values[k], out[k]));
        change.items.push_back(tree::as(keys.values[k], hidden("k", k)));
    }
    now.items.push_back(tree::as(tree::count_all(), "__pgt_n"));
    change.items.push_back(tree::as(tree::fn("sum", {w}), "__pgt_n"));
    for (std::size_t j = 0; j < a.aggs.size(); ++j) {
        const auto& call = a.aggs[j];
        now.items.push_back(tree::as(aggregate_value(l, call, child, "s"), out[a.group_by.size() + j]));
        if (call.func == ir::agg_func::count_star) continue;
        const tree::expr x = l.value(*call.arg(), child, "s");
        const tree::expr present = tree::fn("sum", {tree::case_when({{tree::is_not_null(x, call.arg()->type), w}}, tree::integer(0))});
        if (call.func == ir::agg_func::count) {
            change.items.push_back(tree::as(present, hidden("a", j)));
            continue;
        }
        now.items.push_back(tree::as(tree::fn("count", {x}), hidden("c", j)));
        change.items.push_back(tree::as(present, hidden("c", j)));
        const tree::expr weighted = tree::times(w, tree::cast(x, tree::type_name::catalog("numeric")));
        change.items.push_back(tree::as(tree::fn("sum", {weighted}), hidden("a", j)));
    }
    now.from(l.new_sql(child), "s").where(in_touched);
    change.from(dc, "s");
    if (keys.by.empty()) {
        now.having(tree::exists(tree::select({tree::integer(1)}).from(dc, "")));
        change.having(tree::gt(tree::count_all(), tree::integer(0)));
    } else {
        now.group_by(keys.by);
        change.group_by(keys.by);
    }
    return {l.add_cte(tag(id, "new"), nid(id) + ": aggregate of touched groups, now", tree::render(now)),
            l.add_cte(tag(id, "change"), nid(id) + ": the change's contribution per touched group", tree::render(change))};
}

/// The value of aggregate `j` (named `name`) before the change: now (n) minus the change (d).
tree::expr value_before(const ir::agg_call& call, std::size_t j, const std::string& name) {
    const tree::expr now_value = tree::coalesce({tree::col("n", name), tree::integer(0)});
    if (call.func == ir::agg_func::count_star) return tree::cast(tree::minus(now_value, tree::col("d", "__pgt_n")), call.type);
    if (call.func == ir::agg_func::count) return tree::cast(tree::minus(now_value, tree::col("d", hidden("a", j))), call.type);
    // A SUM of no non-NULL inputs is NULL.
    const tree::expr count_before =
        tree::minus(tree::coalesce({tree::col("n", hidden("c", j)), tree::integer(0)}), tree::col("d", hidden("c", j)));
    const tree::expr sum_before = tree::minus(now_value, tree::coalesce({tree::col("d", hidden("a", j)), tree::integer(0)}));
    return tree::case_when({{tree::gt(count_before, tree::integer(0)), tree::cast(sum_before, call.type)}});
}

/// Δγ for invertible aggregates: the touched groups now, and before as now minus the change.
std::string invertible_delta(lowering& l, int id, const tree::expr& in_touched) {
    const int child = l.node(id).inputs[0];
    const auto& a = std::get<ir::aggregate>(l.node(id).rel->node);
    const auto& out = l.names(id);
    const auto [now, change] = now_and_change(l, id, in_touched);

    // Before = now − change, for the groups that had rows before.
    tree::select old;
    std::vector<tree::expr> match;
    for (std::size_t k = 0; k < a.group_by.size(); ++k) {
        old.items.push_back(tree::as(tree::col("d", hidden("k", k)), out[k]));
        match.push_back(same_key(l, child, *a.group_by[k], tree::col("n", out[k]), tree::col("d", hidden("k", k))));
    }
    for (std::size_t j = 0; j < a.aggs.size(); ++j) {
        const std::string& name = out[a.group_by.size() + j];
        old.items.push_back(tree::as(value_before(a.aggs[j], j, name), name));
    }
    old.from(tree::join(tree::from(change, "d"), tree::join_kind::left, tree::from(now, "n"),
                        match.empty() ? tree::boolean(true) : tree::all_of(match)));
    if (!a.group_by.empty())
        old.where(tree::gt(tree::minus(tree::coalesce({tree::col("n", "__pgt_n"), tree::integer(0)}), tree::col("d", "__pgt_n")),
                           tree::integer(0)));
    const std::string before =
        l.add_cte(tag(id, "old"), nid(id) + ": aggregate of touched groups, before (now minus the change)", tree::render(old));
    tree::select added(l.columns(id, "s")), removed(l.columns(id, "s"));
    added.items.push_back(tree::as(tree::integer(1), weight));
    removed.items.emplace_back(tree::integer(-1));
    return l.add_cte(tag(id, "aggregate"), nid(id) + ": aggregate — γ(new) − γ(old) on touched groups",
                     tree::render(tree::union_all({added.from(now, "s"), removed.from(before, "s")})));
}

} // namespace

std::string rows_before(lowering& l, int id, const std::string& in_touched) {
    const int child = l.node(id).inputs[0];
    tree::select now(l.columns(child, "s"));
    now.items.push_back(tree::as(tree::integer(1), weight));
    now.from(l.new_sql(child), "s").where(tree::rendered(in_touched));
    tree::select removed(l.columns(child, "s"));
    removed.items.emplace_back(tree::negate(tree::col("s", weight)));
    removed.from(*l.delta(child), "s");
    const tree::expr net = tree::fn("sum", {tree::col("b", weight)});
    tree::select bag(l.grouped_columns(child, "b"));
    bag.items.push_back(tree::as(net, weight));
    bag.from(tree::from(tree::union_all({now, removed}), "b")).group_by(l.images(child, "b")).having(tree::gt(net, tree::integer(0)));
    const std::string rows =
        l.add_cte(tag(id, "old_rows"), nid(id) + ": rows of the touched part before the change (C − ΔC)", tree::render(bag));
    // Each row as many times as its weight.
    tree::select copies(l.columns(child, "s"));
    const tree::expr series = tree::fn("generate_series", {tree::integer(1), tree::col("s", weight)});
    copies.from(tree::cross_join(tree::from(rows, "s"), tree::from_function(series, "copies", true)));
    return tree::parenthesised(copies);
}

namespace {

/// The groups the change ΔC of aggregate node `id`'s input touches (a CTE), and a filter
/// keeping a row of C (alias "s") in them; `true` without GROUP BY.
tree::expr in_touched_groups(lowering& l, int id, const std::string& dc) {
    const int child = l.node(id).inputs[0];
    const auto& a = std::get<ir::aggregate>(l.node(id).rel->node);
    if (a.group_by.empty()) return tree::boolean(true);
    const auto keys = l.aggregate_keys(id, "s");
    tree::select touched;
    std::vector<tree::expr> match;
    for (std::size_t k = 0; k < keys.values.size(); ++k) {
        touched.items.push_back(tree::as(keys.values[k], hidden("k", k)));
        match.push_back(same_key(l, child, *a.group_by[k], l.value(*a.group_by[k], child, "s"), tree::col("t", hidden("k", k))));
    }
    touched.from(dc, "s");
    // (DISTINCT needs the keys' equality; keys without one are grouped by their images.)
    if (std::ranges::all_of(a.group_by, [](const ir::expr_ptr& g) { return g->type.equality; })) touched.distinct = true;
    else touched.group_by(keys.by);
    const std::string groups = l.add_cte(tag(id, "groups"), nid(id) + ": groups touched by the change", tree::render(touched));
    return tree::exists(tree::select({tree::integer(1)}).from(groups, "t").where(tree::all_of(std::move(match))));
}

} // namespace

std::optional<std::string> delta_aggregate(lowering& l, int id) {
    const auto& n = l.node(id);
    const int child = n.inputs[0];
    auto dc = l.delta(child);
    if (!dc) return std::nullopt;
    const auto& a = std::get<ir::aggregate>(n.rel->node);
    const auto keys = l.aggregate_keys(id, "s");
    const tree::expr in_touched = in_touched_groups(l, id, *dc);

    // γ over rows seen as alias "s" of a relation with C's columns.
    auto aggregate_over = [&](const std::string& from, std::optional<tree::expr> where) {
        tree::select g;
        const auto& out = l.names(id);
        std::size_t k = 0;
        for (const auto& key : keys.values) g.items.push_back(tree::as(key, out[k++]));
        for (const auto& call : a.aggs) g.items.push_back(tree::as(aggregate_value(l, call, child, "s"), out[k++]));
        g.from(from, "s").where_condition = std::move(where);
        if (!keys.by.empty()) g.group_by(keys.by);
        else g.having(tree::exists(tree::select({tree::integer(1)}).from(*dc, ""))); // one row, and only on change
        return tree::render(g);
    };

    if (std::all_of(a.aggs.begin(), a.aggs.end(), invertible)) return invertible_delta(l, id, in_touched);
    const std::string now =
        l.add_cte(tag(id, "new"), nid(id) + ": aggregate of touched groups, now", aggregate_over(l.new_sql(child), in_touched));
    const std::string before = l.add_cte(tag(id, "old"), nid(id) + ": aggregate of touched groups, before",
                                         aggregate_over(rows_before(l, id, tree::render(in_touched)), std::nullopt));
    tree::select added({tree::all(""), tree::as(tree::integer(1), weight)}), removed({tree::all(""), tree::integer(-1)});
    return l.add_cte(tag(id, "aggregate"), nid(id) + ": aggregate — γ(new) − γ(old) on touched groups",
                     tree::render(tree::union_all({added.from(now, ""), removed.from(before, "")})));
}

std::optional<std::string> delta_distinct(lowering& l, int id) {
    const auto& n = l.node(id);
    const int child = n.inputs[0];
    auto dc = l.delta(child);
    if (!dc) return std::nullopt;
    const auto& names = l.names(child);
    const auto& columns = l.node(child).rel->columns;

    // (A column never NULL is compared by `=`: the rows counted are then found by probes of an
    // index on it, not a scan.)
    auto same_row = [&](const std::string& a, const std::string& b) {
        std::vector<tree::expr> eq;
        for (std::size_t i = 0; i < names.size(); ++i)
            eq.push_back(same_value(sql::column(a, names[i]), sql::column(b, names[i]), columns[i].type, columns[i].not_null));
        return tree::all_of(std::move(eq));
    };
    tree::select changes(l.grouped_columns(child, "s"));
    changes.items.push_back(tree::as(tree::fn("sum", {tree::col("s", weight)}), weight));
    changes.from(*dc, "s").group_by(l.images(child, "s"));
    const std::string changed = l.add_cte(tag(id, "rows"), nid(id) + ": rows whose multiplicity changes", tree::render(changes));
    tree::select counted(l.grouped_columns(child, "c"));
    counted.items.push_back(tree::as(tree::count_all(), weight));
    counted.from(l.new_sql(child), "c")
        .where(tree::exists(tree::select({tree::integer(1)}).from(changed, "d").where(same_row("c", "d"))))
        .group_by(l.images(child, "c"));
    const std::string counts = l.add_cte(tag(id, "counts"), nid(id) + ": their multiplicity now", tree::render(counted));
    // [count > 0] now minus [count > 0] before, the count before being now minus the change.
    const tree::expr now = tree::coalesce({tree::col("c", weight), tree::integer(0)});
    const tree::type_name int4 = tree::type_name::catalog("int4");
    const tree::expr net = tree::minus(tree::cast(tree::gt(now, tree::integer(0)), int4),
                                       tree::cast(tree::gt(tree::minus(now, tree::col("d", weight)), tree::integer(0)), int4));
    tree::select rows(l.columns(child, "d"));
    rows.items.push_back(tree::as(net, weight));
    rows.from(tree::join(tree::from(changed, "d"), tree::join_kind::left, tree::from(counts, "c"), same_row("d", "c")));
    tree::select nonzero({tree::all("")});
    nonzero.from(tree::from(rows, "t")).where(tree::ne(tree::col("t", weight), tree::integer(0)));
    return l.add_cte(tag(id, "distinct"), nid(id) + ": distinct — [count > 0] now minus before", tree::render(nonzero));
}

} // namespace pgt::lower::detail
