// Window functions: each input row with the value of each call over its partition. A change
// can move any value of the partitions it touches (a rank, a running sum, a LAG), so the rule
// recomputes those partitions, before and after, with PostgreSQL's own window evaluation:
//     ΔW = W(C restricted to touched partitions) − W(C₋₁ restricted to touched partitions)
// C₋₁ = C − ΔC is rebuilt as a weighted bag. The partitions are those of the PARTITION BY
// expressions every call shares; with none in common, the whole input is recomputed.
// Rows whose values did not move cancel out in the stream table's consolidation.
#include <algorithm>

#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

/// A tie break for rows of node `input` seen through `alias`: its unique key, or else all its
/// columns (a type the compiler does not know by its text, which every type has and sorts).
/// Rows it leaves tied are identical, so that any order of them gives the same result.
std::vector<tree::order_item> tie_break(const lowering& l, int input, const std::string& alias) {
    const auto& cols = l.node(input).rel->columns;
    std::vector<int> positions;
    if (auto key = unique_key(*l.node(input).rel)) positions = *key;
    else
        for (std::size_t i = 0; i < cols.size(); ++i) positions.push_back(static_cast<int>(i));
    std::vector<tree::order_item> keys;
    for (int i : positions) {
        const auto& t = cols[static_cast<std::size_t>(i)].type;
        const tree::expr x = tree::col(alias, l.names(input)[static_cast<std::size_t>(i)]);
        keys.push_back({t.kind == type_kind::other ? tree::cast(x, make_type(type_kind::text)) : x});
    }
    return keys;
}

/// A PARTITION BY key as the rows are partitioned: a value without equality (the outer value
/// of a lifted subquery's evaluation, which may be json or xml) by its text image, as D's rows
/// are told apart.
tree::expr partition_key(const lowering& l, const ir::expr& p, int input, const std::string& alias) {
    if (p.type.equality) return l.value(p, input, alias);
    return tree::rendered(sql::image(l.expr(p, input, alias), p.type));
}
sql_type partition_key_type(const ir::expr& p) { return p.type.equality ? p.type : make_type(type_kind::text); }

/// `name(args) [FILTER (WHERE …)] OVER (…)` over rows seen through `alias` of node `input`.
/// Rows its ORDER BY leaves tied are ordered by a tie break where only their order matters
/// (ir::tie_effect::order): the same rows then get the same values whenever a refresh
/// recomputes their partition, before and after a change.
tree::expr window_call(const lowering& l, const ir::window_call& c, int input, const std::string& alias) {
    std::vector<tree::expr> args;
    for (const auto& a : c.args) args.push_back(l.value(*a, input, alias));
    tree::call_options o;
    o.star = c.star;
    if (c.filter) o.filter = l.value(*c.filter, input, alias);
    o.window = true;
    for (const auto& p : c.partition_by) o.partition.push_back(partition_key(l, *p, input, alias));
    o.window_order = sort_keys(l, c.order_by, input, alias);
    const bool tie_broken = ir::ties_effect(c) == ir::tie_effect::order;
    if (tie_broken)
        for (auto& k : tie_break(l, input, alias)) o.window_order.push_back(std::move(k));
    // A RANGE frame tie broken is one of a function that ignores its frame (row_number, lag, …):
    // left out, since an offset in it would need a single ORDER BY key.
    if (!(tie_broken && c.frame.units == ir::window_frame::unit::range))
        o.frame = ir::frame_text(c.frame, [&](const ir::expr& e) { return l.expr(e, input, alias); });
    return function_call(c.schema, c.name, std::move(args), std::move(o));
}

/// The PARTITION BY expressions all calls share (in the first call's order).
std::vector<ir::expr_ptr> common_partition(const ir::window& w) {
    std::vector<ir::expr_ptr> common;
    for (const auto& p : w.calls.front().partition_by)
        if (std::ranges::all_of(w.calls, [&](const ir::window_call& c) {
                return std::ranges::any_of(c.partition_by, [&](const ir::expr_ptr& q) { return ir::equivalent(*p, *q); });
            }))
            common.push_back(p);
    return common;
}

} // namespace

std::string window_new_sql(const lowering& l, int id, const std::string& input) {
    const auto& n = l.node(id);
    const int in = n.inputs[0];
    const auto& w = std::get<ir::window>(n.rel->node);
    const auto& out = l.names(id);
    tree::select rows(l.columns_as(in, "s", id));
    std::size_t k = l.names(in).size();
    for (const auto& c : w.calls) rows.items.push_back(tree::as(window_call(l, c, in, "s"), out[k++]));
    return tree::parenthesised(rows.from(input, "s"));
}

namespace {
/// A filter keeping the rows of C (alias s) in the partitions the change touched: per key, its
/// value is one of the touched ones (= ANY of an array: an index scan) or NULL where one is;
/// with several keys, the exact combination too. Without keys, the whole input when anything
/// changed.
tree::expr in_touched_partitions(lowering& l, int id, const std::string& dc) {
    const int child = l.node(id).inputs[0];
    const auto keys = common_partition(std::get<ir::window>(l.node(id).rel->node));
    if (keys.empty()) return tree::exists(tree::select({tree::integer(1)}).from(dc, ""));
    tree::select partitions;
    partitions.distinct = true;
    std::vector<tree::expr> match;
    for (std::size_t k = 0; k < keys.size(); ++k) {
        const std::string key = "__pgt_k" + std::to_string(k);
        const tree::expr v = partition_key(l, *keys[k], child, "s");
        partitions.items.push_back(tree::as(v, key));
        match.push_back(tree::rendered(sql::not_distinct(tree::render(v), sql::column("t", key), partition_key_type(*keys[k]))));
    }
    const std::string touched = l.add_cte("d" + std::to_string(id) + "_partitions", "n" + std::to_string(id) + ": partitions touched by the change",
                                          tree::render(partitions.from(dc, "s")));
    std::vector<tree::expr> per_key;
    for (std::size_t k = 0; k < keys.size(); ++k) {
        const tree::expr v = partition_key(l, *keys[k], child, "s");
        const tree::expr t = tree::col("t", "__pgt_k" + std::to_string(k));
        tree::select values({t});
        const sql_type type = partition_key_type(*keys[k]);
        values.from(touched, "t").where(tree::is_not_null(t, type));
        const tree::expr null_touched = tree::exists(tree::select({tree::integer(1)}).from(touched, "t").where(tree::is_null(t, type)));
        per_key.push_back(tree::any_of({tree::among(v, values, type), tree::all_of({tree::is_null(v, type), null_touched})}));
    }
    if (keys.size() > 1) per_key.push_back(tree::exists(tree::select({tree::integer(1)}).from(touched, "t").where(tree::all_of(std::move(match)))));
    return tree::all_of(std::move(per_key));
}
} // namespace

std::optional<std::string> delta_window(lowering& l, int id) {
    const auto dc = l.delta(l.node(id).inputs[0]);
    if (!dc) return std::nullopt;
    const std::string in_touched = tree::render(in_touched_partitions(l, id, *dc));
    tree::select now_rows({tree::all("")});
    now_rows.from(l.new_sql(l.node(id).inputs[0]), "s").where(tree::rendered(in_touched));
    tree::select added(l.columns(id, "x")), removed(l.columns(id, "x"));
    added.items.push_back(tree::as(tree::integer(1), weight));
    removed.items.emplace_back(tree::integer(-1));
    added.from(window_new_sql(l, id, tree::parenthesised(now_rows)), "x");
    removed.from(window_new_sql(l, id, rows_before(l, id, in_touched)), "x");
    return l.add_cte("d" + std::to_string(id) + "_window", "n" + std::to_string(id) + ": window — W(new) − W(old) on touched partitions",
                     tree::render(tree::union_all({added, removed})));
}

} // namespace pgt::lower::detail
