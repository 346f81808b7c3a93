// Subqueries in expressions: EXISTS, IN / op ANY, op ALL and scalar subqueries become
// sublink nodes (see ir::sublink) joined to the rows of the level they stand in. A
// correlated subquery is translated in the mode discovery chose (correlation.hpp): pulled up,
// its correlated WHERE conjuncts become the sublink's condition; lifted, it is evaluated per
// distinct combination D of the outer values it reads, and the condition matches those.
// ARRAY (subquery) and row comparisons other than = and <> are not maintained.
#include <set>

#include "frontend/correlation.hpp"
#include "frontend/operators.hpp"
#include "frontend/translate_expr.hpp"
#include "frontend/translate_select.hpp"

namespace pgt::frontend {

namespace {

const char* construct_name(const SubLink* s) {
    switch (s->subLinkType) {
    case EXISTS_SUBLINK: return "EXISTS (subquery)";
    case ALL_SUBLINK: return "ALL (subquery)";
    case ANY_SUBLINK: return list_length(s->operName) == 0 ? "IN (subquery)" : "ANY (subquery)"; // IN has no operator
    case ROWCOMPARE_SUBLINK: return "row comparison with a subquery";
    case EXPR_SUBLINK: return "scalar subquery";
    case ARRAY_SUBLINK: return "ARRAY (subquery)";
    default: return "subquery in an expression";
    }
}

const char* clause_name(clause c) {
    switch (c) {
    case clause::group_by: return "GROUP BY";
    case clause::join_on: return "an outer join's ON clause";
    case clause::function_in_from: return "a function in FROM";
    case clause::window_definition: return "a window definition";
    case clause::values: return "VALUES";
    case clause::limit: return "LIMIT";
    default: return "this clause";
    }
}

// The value's stand-in: a NULL of its type that no other expression is equivalent to.
ir::expr_ptr stand_in(context& ctx, sql_type type) {
    auto e = std::make_shared<ir::expr>(*placeholder(std::move(type)));
    e->name = "sublink#" + std::to_string(ctx.new_range_id());
    return e;
}

// A subquery the IR does not maintain: translated for its names and sources only.
ir::expr_ptr untranslated(const SubLink* s, const expr_env& env, const std::string& construct) {
    context& ctx = env.ctx;
    ctx.unsupported(construct, s->location);
    if (s->testexpr) translate_expr(s->testexpr, env);
    ir::rel_ptr sub = translate_select(ctx, as<SelectStmt>(s->subselect), env.scope);
    switch (s->subLinkType) {
    case EXPR_SUBLINK:
        if (sub->columns.size() != 1) ctx.fail(sqlstate::syntax_error, "subquery must return only one column", s->location);
        return placeholder(sub->columns[0].type);
    case ARRAY_SUBLINK: return placeholder(opaque_type());
    default: return placeholder(make_type(type_kind::boolean));
    }
}

ir::sublink_kind kind_of(const SubLink* s) {
    switch (s->subLinkType) {
    case EXISTS_SUBLINK: return ir::sublink_kind::exists;
    case ALL_SUBLINK: return ir::sublink_kind::all;
    case ANY_SUBLINK: return ir::sublink_kind::any;
    default: return ir::sublink_kind::scalar;
    }
}

// A pulled-up expression over [FROM row ++ outer values] as one over [level row ++ FROM row].
ir::expr_ptr from_pulled(const ir::expr_ptr& e, const correlation& corr, const ir::rel& inner, int row_width) {
    if (!e) return nullptr;
    std::vector<ir::expr_ptr> map;
    for (int j = 0; j < corr.width; ++j)
        map.push_back(ir::make_column(row_width + j, inner.columns[static_cast<std::size_t>(j)].type));
    for (const auto& v : corr.values()) map.push_back(v);
    return ir::substitute_columns(e, map);
}

// Keeps only the columns of a pulled-up subquery's FROM row that its condition and select
// list read (at least one, where it has any: a FROM-less one's is the row without columns), so
// that its rows are narrow and comparable.
void prune_inner(pending_sublink& p) {
    if (p.inner->columns.empty()) return;
    const int w = p.row_width;
    std::set<int> used;
    auto note = [&](const ir::expr_ptr& e) {
        if (!e) return;
        for (int c : ir::referenced_columns(*e))
            if (c >= w) used.insert(c - w);
    };
    note(p.pulled_condition);
    for (const auto& o : p.outputs) note(o);
    if (used.empty()) used.insert(0);
    if (used.size() == p.inner->columns.size()) return;
    std::vector<ir::expr_ptr> keep;
    std::vector<std::string> names;
    std::vector<ir::expr_ptr> map(static_cast<std::size_t>(w) + p.inner->columns.size());
    for (int c : used) {
        const auto& col = p.inner->columns[static_cast<std::size_t>(c)];
        map[static_cast<std::size_t>(w + c)] = ir::make_column(w + static_cast<int>(keep.size()), col.type);
        keep.push_back(ir::make_column(c, col.type));
        names.push_back(col.name);
    }
    auto remap = [&](const ir::expr_ptr& e) -> ir::expr_ptr {
        if (!e) return e;
        // Outer columns keep their index and type.
        return ir::map_columns(e, [&](const ir::expr& col) {
            return col.index < w ? ir::make_column(col.index, col.type) : map[static_cast<std::size_t>(col.index)];
        });
    };
    p.pulled_condition = remap(p.pulled_condition);
    for (auto& o : p.outputs) o = remap(o);
    p.inner = make_project(p.inner, std::move(keep), names);
}

// ANY/ALL: `lhs op output` per column, combined as a row comparison (= all, <> any).
ir::expr_ptr comparison(context& ctx, const pending_sublink& p) {
    std::vector<ir::expr_ptr> parts;
    for (std::size_t i = 0; i < p.outputs.size(); ++i)
        parts.push_back(make_operator(ctx, p.op, p.lhs[i], p.outputs[i], p.node->location));
    if (parts.size() == 1) return parts[0];
    return ir::make_node(p.op == "=" ? ir::expr_kind::and_ : ir::expr_kind::or_, make_type(type_kind::boolean), std::move(parts));
}

// Translates the subquery of `s` in the mode discovery chose (lifted when `force_lift`);
// nullopt when its correlation cannot be maintained (recorded). The left-hand side comes
// first, then discovery, then the subquery, so that the enclosing levels see their outer
// values imported in the same order whether or not discovery runs in this pass.
std::optional<pending_sublink> translate_pending(const SubLink* s, const expr_env& env, const sublink_collector& into,
                                                 bool force_lift) {
    context& ctx = env.ctx;
    pending_sublink p;
    p.kind = kind_of(s);
    p.node = s;
    p.row_width = static_cast<int>(into.row->size());
    if (p.kind == ir::sublink_kind::any || p.kind == ir::sublink_kind::all) {
        const Node* t = s->testexpr;
        if (IsA(t, RowExpr))
            for (const Node* a : nodes(as<RowExpr>(t)->args)) p.lhs.push_back(translate_expr(a, env));
        else
            p.lhs.push_back(translate_expr(t, env));
        p.op = list_length(s->operName) == 0 ? "=" : str(static_cast<const Node*>(llast(s->operName)));
    }
    const auto* select = as<SelectStmt>(s->subselect);
    const bool exists_test = p.kind == ir::sublink_kind::exists;
    auto run = [&](context& c, correlation* corr) {
        return translate_select(c, select, env.scope, {.corr = corr, .exists_test = exists_test});
    };
    const auto& decision = discover(ctx, s, false, [&](context& c, correlation& corr) { run(c, &corr); });
    if (!decision.refusal.empty()) {
        ctx.unsupported(decision.refusal, s->location);
        run(ctx, nullptr);
        return std::nullopt;
    }
    auto mode = decision.mode;
    if (force_lift && mode) mode = correlation::mode::lift;

    const int w = p.row_width;
    auto inner_columns = [&](std::size_t from) {
        for (std::size_t j = from; j < p.inner->columns.size(); ++j)
            p.outputs.push_back(ir::make_column(w + static_cast<int>(j), p.inner->columns[j].type));
    };
    if (!mode) {
        p.inner = run(ctx, nullptr);
        inner_columns(0);
    } else if (*mode == correlation::mode::pull_up) {
        correlation corr(correlation::mode::pull_up, decision.types);
        p.inner = run(ctx, &corr);
        p.pulled_up = true;
        p.pulled_condition = from_pulled(corr.condition, corr, *p.inner, w);
        for (const auto& t : corr.targets) p.outputs.push_back(from_pulled(t, corr, *p.inner, w));
        prune_inner(p);
    } else {
        correlation corr(correlation::mode::lift, decision.types);
        corr.d = placeholder_rel(d_columns(decision.types));
        p.inner = run(ctx, &corr);
        p.d = corr.d.get();
        p.d_values = corr.values();
        inner_columns(p.d_values.size());
    }
    if (p.kind == ir::sublink_kind::scalar && p.outputs.size() != 1)
        ctx.fail(sqlstate::syntax_error, "subquery must return only one column", s->location);
    if ((p.kind == ir::sublink_kind::any || p.kind == ir::sublink_kind::all) && p.lhs.size() != p.outputs.size())
        ctx.fail(sqlstate::syntax_error, p.lhs.size() < p.outputs.size() ? "subquery has too many columns" : "subquery has too few columns",
                 s->location);
    return p;
}

} // namespace

ir::expr_ptr translate_sublink(const SubLink* s, const expr_env& env) {
    context& ctx = env.ctx;
    if (!IsA(s->subselect, SelectStmt)) return untranslated(s, env, construct_name(s));
    const bool maintained = s->subLinkType == EXISTS_SUBLINK || s->subLinkType == ANY_SUBLINK ||
                            s->subLinkType == ALL_SUBLINK || s->subLinkType == EXPR_SUBLINK;
    sublink_collector* into = env.where == clause::aggregate_argument || env.where == clause::filter ? env.row_subs : env.subs;
    if (!maintained) return untranslated(s, env, construct_name(s));
    if (!into) return untranslated(s, env, std::string(construct_name(s)) + " in " + clause_name(env.where));
    if (s->testexpr && IsA(s->testexpr, RowExpr)) {
        const std::string op = list_length(s->operName) == 0 ? "=" : str(static_cast<const Node*>(llast(s->operName)));
        if (op != "=" && op != "<>") return untranslated(s, env, "row comparison " + op + " with a subquery");
    }
    // A level that is itself a subquery and contains one cannot be pulled up.
    if (env.scope.corr) env.scope.corr->complex = true;
    auto pending = translate_pending(s, env, *into, false);
    if (!pending) return placeholder(s->subLinkType == EXPR_SUBLINK ? opaque_type() : make_type(type_kind::boolean));
    pending_sublink& p = *pending;
    finish_sublink(ctx, p, *into->row);
    p.result = stand_in(ctx, p.kind == ir::sublink_kind::scalar ? p.outputs[0]->type : make_type(type_kind::boolean));
    into->items.push_back(p);
    return p.result;
}

pending_sublink lift_sublink(const pending_sublink& p, const expr_env& env) {
    pending_sublink lifted = *translate_pending(p.node, env, *env.subs, true); // p was translated: no refusal
    lifted.result = p.result;
    finish_sublink(env.ctx, lifted, *env.subs->row);
    return lifted;
}

void finish_sublink(context& ctx, pending_sublink& p, const std::vector<ir::column>& row) {
    const int w = static_cast<int>(row.size());
    p.condition = p.pulled_condition;
    if (!p.d_values.empty()) {
        std::vector<ir::expr_ptr> same;
        for (std::size_t i = 0; i < p.d_values.size(); ++i)
            same.push_back(same_value(ctx, p.d_values[i], ir::make_column(w + static_cast<int>(i), p.inner->columns[i].type),
                                      ir::never_null(*p.d_values[i], row)));
        p.condition = ir::make_and(std::move(same));
    }
    p.value = p.kind == ir::sublink_kind::scalar ? p.outputs[0]
              : p.kind == ir::sublink_kind::exists ? nullptr
                                                   : comparison(ctx, p);
}

attached_sublinks attach_sublinks(ir::rel_ptr rel, const std::vector<pending_sublink>& subs) {
    attached_sublinks out;
    for (const auto& p : subs) {
        const int width = static_cast<int>(rel->columns.size());
        ir::rel_ptr inner = p.d ? replace_rel(p.inner, p.d, make_d(rel, p.d_values)) : p.inner;
        // The subquery's columns follow the row it was translated over; earlier subqueries
        // have since added their own columns to it.
        auto shifted = [&](const ir::expr_ptr& e) -> ir::expr_ptr {
            if (!e || width == p.row_width) return e;
            std::vector<ir::expr_ptr> map;
            for (int c = 0; c < p.row_width; ++c) map.push_back(ir::make_column(c, rel->columns[static_cast<std::size_t>(c)].type));
            for (std::size_t c = 0; c < inner->columns.size(); ++c)
                map.push_back(ir::make_column(width + static_cast<int>(c), inner->columns[c].type));
            return ir::substitute_columns(e, map);
        };
        ir::sublink node{p.kind, shifted(p.condition), shifted(p.value)};
        auto cols = rel->columns;
        std::vector<ir::column> all = cols;
        all.insert(all.end(), inner->columns.begin(), inner->columns.end());
        const bool not_null = p.kind == ir::sublink_kind::exists ||
                              (p.kind != ir::sublink_kind::scalar && node.value && ir::never_null(*node.value, all));
        cols.push_back({p.kind == ir::sublink_kind::exists ? "exists" : "__sublink", p.result->type, not_null});
        rel = ir::make_rel(std::move(node), {rel, inner}, std::move(cols));
        out.values.emplace(p.result.get(), ir::make_column(width, p.result->type));
    }
    out.rel = std::move(rel);
    return out;
}

namespace {

/// The columns of the row it was translated over that `p` reads.
std::set<int> row_columns_read(const pending_sublink& p) {
    std::set<int> read;
    auto note = [&](const ir::expr_ptr& e) {
        if (!e) return;
        for (int c : ir::referenced_columns(*e))
            if (c < p.row_width) read.insert(c);
    };
    note(p.condition);
    note(p.value);
    for (const auto& v : p.d_values) note(v);
    return read;
}

/// `p` translated over a row whose columns [from, from + width) are now a row of their own:
/// its row references and the subquery's columns after them move down by `from` (and the
/// columns past the part by what follows it).
pending_sublink rebased(pending_sublink p, int from, int width) {
    const int tail = p.row_width - from - width;
    auto move = [&](const ir::expr_ptr& e) -> ir::expr_ptr {
        if (!e) return e;
        return ir::map_columns(e, [&](const ir::expr& c) {
            return ir::make_column(c.index < p.row_width ? c.index - from : c.index - from - tail, c.type);
        });
    };
    p.condition = move(p.condition);
    p.value = move(p.value);
    for (auto& v : p.d_values) v = move(v);
    p.row_width = width;
    return p;
}

} // namespace

std::optional<sided_sublinks> attach_to_sides(const std::vector<pending_sublink>& subs, ir::rel_ptr left, ir::rel_ptr right) {
    const int lw = static_cast<int>(left->columns.size()), rw = static_cast<int>(right->columns.size());
    std::vector<pending_sublink> on_left, on_right;
    for (const auto& p : subs) {
        const auto read = row_columns_read(p);
        if (read.empty() || *read.begin() >= lw) on_right.push_back(rebased(p, lw, rw));
        else if (*read.rbegin() < lw) on_left.push_back(rebased(p, 0, lw));
        else return std::nullopt;
    }
    sided_sublinks out;
    auto l = attach_sublinks(std::move(left), on_left);
    auto r = attach_sublinks(std::move(right), on_right);
    out.left_added = static_cast<int>(on_left.size());
    out.right_added = static_cast<int>(on_right.size());
    // In the joined row of the new inputs: the left's added columns before the right's.
    for (const auto& [stand_in, v] : l.values) out.values.emplace(stand_in, v);
    for (const auto& [stand_in, v] : r.values)
        out.values.emplace(stand_in, ir::make_column(lw + out.left_added + v->index, v->type));
    out.left = std::move(l.rel);
    out.right = std::move(r.rel);
    return out;
}

namespace {

/// Whole tables, joined: no filter that would make a join with them reject rows.
bool unfiltered(const ir::rel& r) {
    if (std::holds_alternative<ir::scan>(r.node)) return true;
    const auto* j = std::get_if<ir::join>(&r.node);
    return j && j->kind == ir::join_kind::inner && unfiltered(*r.inputs[0]) && unfiltered(*r.inputs[1]);
}

} // namespace

bool reads_one_join_input(const ir::rel& rel, const pending_sublink& p) {
    const ir::rel* r = &rel;
    while (std::holds_alternative<ir::filter>(r->node)) r = r->inputs[0].get();
    const auto* j = std::get_if<ir::join>(&r->node);
    if (!j || j->kind != ir::join_kind::inner || p.d || p.condition) return false;
    const auto read = row_columns_read(p);
    const int lw = static_cast<int>(r->inputs[0]->columns.size());
    if (read.empty()) return false;
    if (*read.rbegin() < lw) return unfiltered(*r->inputs[1]);
    return *read.begin() >= lw && unfiltered(*r->inputs[0]);
}

attached_sublinks attach_below_joins(ir::rel_ptr rel, const std::vector<pending_sublink>& subs) {
    if (subs.empty()) return {std::move(rel), {}};
    if (const auto* f = std::get_if<ir::filter>(&rel->node)) {
        // (The filter reads the row's columns, which keep their places; the added ones follow.)
        auto a = attach_below_joins(rel->inputs[0], subs);
        auto cols = a.rel->columns;
        a.rel = ir::make_rel(*f, {a.rel}, std::move(cols));
        return a;
    }
    const auto* j = std::get_if<ir::join>(&rel->node);
    if (!j || j->kind != ir::join_kind::inner) return attach_sublinks(std::move(rel), subs);
    const ir::rel_ptr& left = rel->inputs[0];
    const ir::rel_ptr& right = rel->inputs[1];
    const int lw = static_cast<int>(left->columns.size()), rw = static_cast<int>(right->columns.size());
    std::vector<pending_sublink> on_left, on_right, here;
    for (const auto& p : subs) {
        if (!reads_one_join_input(*rel, p)) here.push_back(p);
        else if (*row_columns_read(p).rbegin() < lw) on_left.push_back(rebased(p, 0, lw));
        else on_right.push_back(rebased(p, lw, rw));
    }
    if (on_left.empty() && on_right.empty()) return attach_sublinks(std::move(rel), subs);
    auto l = attach_below_joins(left, on_left);
    auto r = attach_below_joins(right, on_right);
    const int nl = static_cast<int>(on_left.size()), nr = static_cast<int>(on_right.size());
    const ir::expr_ptr condition = j->condition ? ir::map_columns(j->condition, [&](const ir::expr& c) {
        return ir::make_column(c.index < lw ? c.index : c.index + nl, c.type);
    })
                                                : nullptr;
    ir::rel_ptr joined = make_join(ir::join_kind::inner, condition, l.rel, r.rel);
    // The row back in its order, the subqueries' columns after it: left's, then right's.
    std::vector<int> order;
    for (int c = 0; c < lw; ++c) order.push_back(c);
    for (int c = 0; c < rw; ++c) order.push_back(lw + nl + c);
    for (int k = 0; k < nl; ++k) order.push_back(lw + k);
    for (int k = 0; k < nr; ++k) order.push_back(lw + nl + rw + k);
    if (nl > 0) {
        std::vector<ir::expr_ptr> exprs;
        std::vector<std::string> names;
        for (const int c : order) {
            exprs.push_back(ir::make_column(c, joined->columns[static_cast<std::size_t>(c)].type));
            names.push_back(joined->columns[static_cast<std::size_t>(c)].name);
        }
        joined = make_project(joined, std::move(exprs), names);
    }
    attached_sublinks out = attach_sublinks(std::move(joined), here);
    for (const auto& [stand_in, v] : l.values) out.values.emplace(stand_in, ir::make_column(lw + rw + v->index - lw, v->type));
    for (const auto& [stand_in, v] : r.values) out.values.emplace(stand_in, ir::make_column(lw + rw + nl + v->index - rw, v->type));
    return out;
}

ir::expr_ptr replace_stand_ins(const ir::expr_ptr& e, const std::map<const ir::expr*, ir::expr_ptr>& values) {
    if (!e) return e;
    if (auto it = values.find(e.get()); it != values.end()) return it->second;
    bool changed = false;
    std::vector<ir::expr_ptr> args;
    for (const auto& a : e->args) {
        args.push_back(replace_stand_ins(a, values));
        changed |= args.back() != a;
    }
    if (!changed) return e;
    auto copy = std::make_shared<ir::expr>(*e);
    copy->args = std::move(args);
    return copy;
}

bool contains_sublink(const ir::expr& e, const std::vector<pending_sublink>& subs) {
    for (const auto& p : subs)
        if (p.result.get() == &e) return true;
    for (const auto& a : e.args)
        if (contains_sublink(*a, subs)) return true;
    return false;
}

} // namespace pgt::frontend
