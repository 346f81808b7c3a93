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
std::string tie_break(const lowering& l, int input, const std::string& alias) {
    const auto& cols = l.node(input).rel->columns;
    std::vector<int> positions;
    if (auto key = unique_key(*l.node(input).rel)) positions = *key;
    else
        for (std::size_t i = 0; i < cols.size(); ++i) positions.push_back(static_cast<int>(i));
    std::vector<std::string> keys;
    for (int i : positions) {
        const auto& t = cols[static_cast<std::size_t>(i)].type;
        const std::string x = sql::column(alias, l.names(input)[static_cast<std::size_t>(i)]);
        keys.push_back(t.kind == type_kind::other ? sql::cast(x, make_type(type_kind::text)) : x);
    }
    return sql::join(keys);
}

/// `name(args) [FILTER (WHERE …)] OVER (…)` over rows seen through `alias` of node `input`.
/// Rows its ORDER BY leaves tied are ordered by a tie break where only their order matters
/// (ir::tie_effect::order): the same rows then get the same values whenever a refresh
/// recomputes their partition, before and after a change.
std::string window_call_sql(const lowering& l, const ir::window_call& c, int input, const std::string& alias) {
    std::vector<std::string> args, over;
    for (const auto& a : c.args) args.push_back(l.expr(*a, input, alias));
    std::string r = function_name(c.schema, c.name) + "(" + (c.star ? "*" : sql::join(args)) + ")";
    if (c.filter) r += " FILTER (WHERE " + l.expr(*c.filter, input, alias) + ")";
    std::vector<std::string> partition;
    for (const auto& p : c.partition_by) partition.push_back(l.expr(*p, input, alias));
    if (!partition.empty()) over.push_back("PARTITION BY " + sql::join(partition));
    std::vector<std::string> order;
    if (!c.order_by.empty()) order.push_back(sort_keys_sql(l, c.order_by, input, alias));
    const bool tie_broken = ir::ties_effect(c) == ir::tie_effect::order;
    if (tie_broken) order.push_back(tie_break(l, input, alias));
    if (!order.empty()) over.push_back("ORDER BY " + sql::join(order));
    // A RANGE frame tie broken is one of a function that ignores its frame (row_number, lag, …):
    // left out, since an offset in it would need a single ORDER BY key.
    const std::string frame = tie_broken && c.frame.units == ir::window_frame::unit::range
                                  ? std::string()
                                  : ir::frame_text(c.frame, [&](const ir::expr& e) { return l.expr(e, input, alias); });
    if (!frame.empty()) over.push_back(frame);
    return r + " OVER (" + sql::join(over, " ") + ")";
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
    std::vector<std::string> items;
    std::size_t k = 0;
    for (const auto& c : l.names(in)) items.push_back(sql::column("s", c) + " AS " + sql::ident(out[k++]));
    for (const auto& c : w.calls) items.push_back(window_call_sql(l, c, in, "s") + " AS " + sql::ident(out[k++]));
    return "(SELECT " + sql::join(items) + " FROM " + input + " s)";
}

std::optional<std::string> delta_window(lowering& l, int id) {
    const auto& n = l.node(id);
    const int child = n.inputs[0];
    const auto dc = l.delta(child);
    if (!dc) return std::nullopt;
    const auto& w = std::get<ir::window>(n.rel->node);
    const std::string tag = "n" + std::to_string(id);
    const std::string wt = sql::ident(weight);

    // The touched partitions, and a filter keeping the rows of C in them: per key, its value
    // is one of the touched ones (= ANY of an array: an index scan) or NULL where one is; with
    // several keys, the exact combination too.
    std::string in_touched = "EXISTS (SELECT 1 FROM " + *dc + ")";
    const auto keys = common_partition(w);
    if (!keys.empty()) {
        std::vector<std::string> items, match, per_key;
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const std::string key = "__pgt_k" + std::to_string(k);
            items.push_back(l.expr(*keys[k], child, "s") + " AS " + sql::ident(key));
            match.push_back(sql::not_distinct(l.expr(*keys[k], child, "s"), sql::column("t", key), keys[k]->type));
        }
        const std::string touched = l.add_cte("d" + std::to_string(id) + "_partitions", tag + ": partitions touched by the change",
                                              "SELECT DISTINCT " + sql::join(items) + " FROM " + *dc + " s");
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const std::string v = l.expr(*keys[k], child, "s");
            const std::string t = sql::column("t", "__pgt_k" + std::to_string(k));
            per_key.push_back("(" + sql::among(v, "SELECT " + t + " FROM " + touched + " t WHERE " + t + " IS NOT NULL", keys[k]->type) +
                              " OR (" + v + " IS NULL AND EXISTS (SELECT 1 FROM " + touched + " t WHERE " + t + " IS NULL)))");
        }
        if (keys.size() > 1) per_key.push_back("EXISTS (SELECT 1 FROM " + touched + " t WHERE " + sql::join(match, " AND ") + ")");
        in_touched = sql::join(per_key, " AND ");
    }
    const std::string now_rows = "(SELECT * FROM " + l.new_sql(child) + " s WHERE " + in_touched + ")";
    const std::string before_rows = rows_before(l, id, in_touched);
    const std::string cols = l.column_list(id, "x");
    return l.add_cte("d" + std::to_string(id) + "_window", tag + ": window — W(new) − W(old) on touched partitions",
                     "SELECT " + cols + ", 1 AS " + wt + " FROM " + window_new_sql(l, id, now_rows) + " x UNION ALL SELECT " +
                         cols + ", -1 FROM " + window_new_sql(l, id, before_rows) + " x");
}

} // namespace pgt::lower::detail
