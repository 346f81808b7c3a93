// pgt::frontend::compile: statement-level checks, then translation of the SELECT.
#include <algorithm>
#include <map>
#include <set>

#include "frontend/hard_checks.hpp"
#include "frontend/names.hpp"
#include "frontend/translate_select.hpp"

namespace pgt::frontend {

namespace {

const SelectStmt* the_select(context& ctx, const List* stmts) {
    if (list_length(stmts) == 0) ctx.fail(sqlstate::syntax_error, "defining query is empty", -1);
    if (list_length(stmts) > 1)
        ctx.fail(sqlstate::syntax_error, "defining query must be a single SELECT statement",
                 as<RawStmt>(static_cast<const Node*>(lsecond(stmts)))->stmt_location);
    const auto* raw = as<RawStmt>(static_cast<const Node*>(linitial(stmts)));
    if (!IsA(raw->stmt, SelectStmt))
        ctx.fail(sqlstate::feature_not_supported,
                 "defining query must be a SELECT statement, not " + statement_kind(raw->stmt), raw->stmt_location);
    return as<SelectStmt>(raw->stmt);
}

// `see` applied to the DEFAULT values of JSON_TABLE's columns and ON ERROR.
template <class F>
void see_json(const std::vector<ir::json_table_column>& columns, const std::optional<ir::json_behavior>& on_error, F& see) {
    if (on_error) see(on_error->value);
    for (const auto& c : columns) {
        if (c.on_empty) see(c.on_empty->value);
        see_json(c.columns, c.on_error, see);
    }
}

// The most volatile function, operator or cast anywhere in the tree (a CTE's subtree is
// shared by its references: each node is looked at once).
ir::volatility tree_volatility(const ir::rel& r, std::set<const ir::rel*>& seen) {
    ir::volatility v = ir::volatility::immutable;
    if (!seen.insert(&r).second) return v;
    auto see = [&](const ir::expr_ptr& e) {
        if (e) v = std::max(v, ir::max_volatility(*e));
    };
    std::visit(
        [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, ir::filter>) see(n.predicate);
            if constexpr (std::is_same_v<T, ir::project>) std::ranges::for_each(n.exprs, see);
            if constexpr (std::is_same_v<T, ir::join>) see(n.condition);
            if constexpr (std::is_same_v<T, ir::table_function>)
                for (const auto& call : n.calls) {
                    std::ranges::for_each(call.args, see);
                    if (call.json) see_json(call.json->columns, call.json->on_error, see);
                    // A series of timestamptz steps through the session's time zone.
                    else if (call.columns.front().type.kind == type_kind::timestamptz) v = std::max(v, ir::volatility::stable);
                }
            if constexpr (std::is_same_v<T, ir::window>)
                for (const auto& c : n.calls) {
                    std::ranges::for_each(c.args, see);
                    std::ranges::for_each(c.partition_by, see);
                    for (const auto& k : c.order_by) see(k.expr);
                    see(c.filter);
                }
            if constexpr (std::is_same_v<T, ir::values>)
                for (const auto& row : n.rows) std::ranges::for_each(row, see);
            if constexpr (std::is_same_v<T, ir::aggregate>) {
                std::ranges::for_each(n.group_by, see);
                for (const auto& a : n.aggs) {
                    std::ranges::for_each(a.args, see);
                    for (const auto& k : a.order_by) see(k.expr);
                    see(a.filter);
                }
            }
        },
        r.node);
    for (const auto& in : r.inputs) v = std::max(v, tree_volatility(*in, seen));
    return v;
}

// Whether `r` reads a table (or the rows of a recursive CTE, which read one).
bool reads_table(const ir::rel& r, std::map<const ir::rel*, bool>& memo) {
    if (auto it = memo.find(&r); it != memo.end()) return it->second;
    bool reads = std::holds_alternative<ir::scan>(r.node) || std::holds_alternative<ir::recursive_ref>(r.node);
    for (const auto& in : r.inputs) reads = reads_table(*in, memo) || reads;
    memo.emplace(&r, reads);
    return reads;
}

// A part of the query over constant rows alone (VALUES, a level without FROM) whose value is not
// immutable (`now()`) changes between refreshes with no change of a table to apply: a refresh
// would mix its old rows with its new ones.
void check_constant_parts(context& ctx, const ir::rel& r, std::map<const ir::rel*, bool>& memo, std::set<const ir::rel*>& checked) {
    if (!checked.insert(&r).second) return;
    if (!reads_table(r, memo)) {
        std::set<const ir::rel*> seen;
        if (tree_volatility(r, seen) != ir::volatility::immutable)
            ctx.unsupported("a stable function over constant rows (VALUES, a query level without FROM)", -1);
        return;
    }
    for (const auto& in : r.inputs) check_constant_parts(ctx, *in, memo, checked);
}

// A stream table is a table: its (first `visible`) columns need distinct names.
void check_distinct_names(const context& ctx, const ir::rel& root, std::size_t visible) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < visible; ++i)
        if (const auto& c = root.columns[i]; !seen.insert(c.name).second)
            ctx.fail(sqlstate::duplicate_column, "column \"" + c.name + "\" specified more than once", -1);
}

} // namespace

compile_result compile(const std::string& sql, const catalog& cat, const parse_fn& parse, const options& opts) {
    context ctx(cat, parse, opts, sql);
    const SelectStmt* select = the_select(ctx, static_cast<const List*>(parse(sql)));
    compile_result result;
    auto order = check_top_level_order_and_limit(ctx, select);
    result.ignored_order_by = order.ignored;

    ir::rel_ptr root = translate_select(ctx, select, select_scope{}, {.top_level = true, .topk = order.topk ? &*order.topk : nullptr});
    const std::size_t visible = order.topk ? order.topk->visible : root->columns.size();
    check_distinct_names(ctx, *root, visible);
    // A bag of empty rows has nothing for a row's identity to tell apart.
    if (visible == 0) ctx.unsupported("a select list without columns", -1);
    // Nothing to maintain: its rows change only when its stable values are taken again.
    if (ctx.sources().empty()) ctx.unsupported("a query that reads no table", -1);
    std::map<const ir::rel*, bool> reads;
    std::set<const ir::rel*> checked;
    check_constant_parts(ctx, *root, reads, checked);

    result.sources = ctx.sources();
    if (ctx.has_unsupported()) {
        result.unsupported = ctx.first_unsupported();
        return result;
    }
    std::set<const ir::rel*> seen;
    result.query = ir::query{root, tree_volatility(*root, seen), ctx.sources(), result.ignored_order_by, order.topk};
    return result;
}

} // namespace pgt::frontend
