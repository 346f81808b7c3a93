// One query level: WITH, FROM, WHERE, the select list, GROUP BY/HAVING, DISTINCT and the
// (ignored or judged elsewhere) ORDER BY, following transformSelectStmt's order so that
// errors come out as PostgreSQL reports them.
#include "frontend/translate_select.hpp"

#include <algorithm>
#include <numeric>

#include "frontend/coerce.hpp"
#include "frontend/grouping.hpp"
#include "frontend/hard_checks.hpp"
#include "frontend/names.hpp"
#include "frontend/operators.hpp"
#include "frontend/translate_expr.hpp"
#include "frontend/translate_from.hpp"

namespace pgt::frontend {

namespace {

using ir::expr_ptr;
using ir::rel_ptr;

struct target {
    expr_ptr expr;
    std::string name;
};

std::vector<target> translate_targets(const List* list, const expr_env& env) {
    std::vector<target> targets;
    for (const Node* n : nodes(list)) {
        const auto* rt = as<ResTarget>(n);
        if (IsA(rt->val, ColumnRef) && ends_with_star(as<ColumnRef>(rt->val))) {
            const auto* ref = as<ColumnRef>(rt->val);
            for (const auto& item : star_items(env.ctx, env.scope, name_parts(ref), ref->location))
                for (std::size_t i = 0; i < item.names.size(); ++i)
                    targets.push_back({reference(env.ctx, item.values[i], ref->location), item.names[i]});
            continue;
        }
        if (IsA(rt->val, A_Indirection) && IsA(llast(as<A_Indirection>(rt->val)->indirection), A_Star)) {
            for (auto& [name, e] : translate_all_fields(as<A_Indirection>(rt->val), env)) targets.push_back({e, name});
            continue;
        }
        expr_ptr e = translate_expr(rt->val, env);
        targets.push_back({e, rt->name ? std::string(rt->name) : figure_column_name(rt->val)});
    }
    return targets;
}

const char* clause_title(clause c) { return c == clause::group_by ? "GROUP BY" : "ORDER BY"; }

// A select-list entry named by a bare identifier in GROUP BY/ORDER BY (SQL92 rule); several
// entries of that name must be the same expression.
const target* target_named(context& ctx, const std::vector<target>& targets, const std::string& name, clause c,
                           int location) {
    const target* found = nullptr;
    for (const auto& t : targets) {
        if (t.name != name) continue;
        if (found && !ir::equivalent(*found->expr, *t.expr))
            ctx.fail(sqlstate::ambiguous_column, std::string(clause_title(c)) + " \"" + name + "\" is ambiguous", location);
        found = &t;
    }
    return found;
}

// `GROUP BY 2` / `ORDER BY 2`: the select-list entry at that position.
const target& target_at(context& ctx, const std::vector<target>& targets, const A_Const* c, clause cl) {
    const Node* v = reinterpret_cast<const Node*>(&c->val);
    if (c->isnull || !IsA(v, Integer))
        ctx.fail(sqlstate::syntax_error, std::string("non-integer constant in ") + clause_title(cl), c->location);
    long position = intVal(v);
    if (position < 1 || static_cast<std::size_t>(position) > targets.size())
        ctx.fail("42P10", std::string(clause_title(cl)) + " position " + std::to_string(position) + " is not in select list",
                 c->location);
    return targets[static_cast<std::size_t>(position - 1)];
}

bool single_name(const Node* n, std::string& name) {
    if (!IsA(n, ColumnRef)) return false;
    const auto* ref = as<ColumnRef>(n);
    if (list_length(ref->fields) != 1 || !IsA(linitial(ref->fields), String)) return false;
    name = str(static_cast<const Node*>(linitial(ref->fields)));
    return true;
}

// findTargetlistEntrySQL92 for GROUP BY: a FROM column beats an output alias of the same name.
expr_ptr group_key(const Node* n, const std::vector<target>& targets, const expr_env& env, const agg_collector& aggs) {
    context& ctx = env.ctx;
    const target* chosen = nullptr;
    std::string name;
    if (single_name(n, name) && !has_local_column(env.scope, name))
        chosen = target_named(ctx, targets, name, clause::group_by, expr_location(n));
    else if (IsA(n, A_Const))
        chosen = &target_at(ctx, targets, as<A_Const>(n), clause::group_by);
    if (!chosen) return translate_expr(n, env.with(clause::group_by, nullptr));
    if (contains_aggregate(*chosen->expr, aggs))
        ctx.fail(sqlstate::grouping_error, "aggregate functions are not allowed in GROUP BY", expr_location(n));
    return chosen->expr;
}

struct grouping_clause {
    std::vector<expr_ptr> keys;
    bool present = false; ///< GROUP BY given (even `GROUP BY ()`)
    /// GROUPING SETS, ROLLUP, CUBE: each set as positions in `keys` (empty: one set, all keys).
    std::vector<std::vector<int>> sets;
};

// At most this many grouping sets (upstream's limit too): each is an aggregate of its own.
constexpr std::size_t max_grouping_sets = 64;

using set_list = std::vector<std::vector<int>>;

int key_index(grouping_clause& g, const expr_ptr& e) {
    for (std::size_t i = 0; i < g.keys.size(); ++i)
        if (ir::equivalent(*g.keys[i], *e)) return static_cast<int>(i);
    g.keys.push_back(e);
    return static_cast<int>(g.keys.size()) - 1;
}

// `to` ∪ `from`, each key once, in order of first appearance.
void add_keys(std::vector<int>& to, const std::vector<int>& from) {
    for (int k : from)
        if (std::ranges::find(to, k) == to.end()) to.push_back(k);
}

// Every s ∪ t, PostgreSQL's combination of GROUP BY elements.
set_list product(const set_list& a, const set_list& b) {
    set_list out;
    for (const auto& x : a)
        for (const auto& y : b) {
            auto u = x;
            add_keys(u, y);
            out.push_back(std::move(u));
        }
    return out;
}

struct grouping_translation {
    grouping_clause& g;
    const std::vector<target>& targets;
    const expr_env& env;
    const agg_collector& aggs;

    // The keys of an item of ROLLUP/CUBE or a set of GROUPING SETS: `(a, b)` or `a`.
    std::vector<int> item(const Node* n) {
        std::vector<int> keys;
        auto add = [&](const Node* e) { add_keys(keys, {key_index(g, group_key(e, targets, env, aggs))}); };
        if (IsA(n, RowExpr))
            for (const Node* e : nodes(as<RowExpr>(n)->args)) add(e);
        else if (IsA(n, List))
            for (const Node* e : nodes(reinterpret_cast<const List*>(n))) add(e);
        else
            add(n);
        return keys;
    }

    // The grouping sets one element of GROUP BY stands for (expand_grouping_sets).
    set_list element(const Node* n) {
        context::depth_guard guard(env.ctx, expr_location(n));
        if (!IsA(n, GroupingSet)) return {item(n)};
        const auto* gs = as<GroupingSet>(n);
        std::vector<std::vector<int>> items;
        switch (gs->kind) {
        case GROUPING_SET_EMPTY: return {{}};
        case GROUPING_SET_SIMPLE: {
            std::vector<int> keys;
            for (const Node* e : nodes(gs->content)) add_keys(keys, item(e));
            return {keys};
        }
        case GROUPING_SET_SETS: {
            set_list out;
            for (const Node* e : nodes(gs->content)) {
                auto sets = element(e);
                out.insert(out.end(), sets.begin(), sets.end());
            }
            return out;
        }
        case GROUPING_SET_ROLLUP:
        case GROUPING_SET_CUBE: break;
        }
        for (const Node* e : nodes(gs->content)) items.push_back(item(e));
        set_list out;
        if (gs->kind == GROUPING_SET_ROLLUP) {
            for (std::size_t n_items = items.size() + 1; n_items-- > 0;) {
                std::vector<int> keys;
                for (std::size_t i = 0; i < n_items; ++i) add_keys(keys, items[i]);
                out.push_back(keys);
            }
            return out;
        }
        if (items.size() > 16) { // 2^16 sets: refused below anyway
            env.ctx.unsupported("CUBE of more than 16 elements", gs->location);
            return {{}};
        }
        for (std::size_t mask = (std::size_t{1} << items.size()); mask-- > 0;) {
            std::vector<int> keys;
            for (std::size_t i = 0; i < items.size(); ++i)
                if (mask & (std::size_t{1} << (items.size() - 1 - i))) add_keys(keys, items[i]);
            out.push_back(keys);
        }
        return out;
    }
};

grouping_clause translate_group_by(const List* list, const std::vector<target>& targets, const expr_env& env,
                                   const agg_collector& aggs) {
    grouping_clause g;
    g.present = list_length(list) > 0;
    grouping_translation t{g, targets, env, aggs};
    bool has_sets = false;
    set_list sets{{}};
    for (const Node* n : nodes(list)) {
        has_sets |= IsA(n, GroupingSet);
        sets = product(sets, t.element(n));
        if (sets.size() > max_grouping_sets) {
            env.ctx.unsupported("more than " + std::to_string(max_grouping_sets) + " grouping sets", expr_location(n));
            sets.resize(1);
        }
    }
    if (has_sets) g.sets = std::move(sets);
    return g;
}

// A level with several grouping sets: one aggregate per set over the same input, each
// projected onto all the keys (NULL where the set lacks one) and the aggregates, with the
// set's number last; their UNION ALL replaces the aggregate over all keys.
rel_ptr union_of_grouping_sets(const rel_ptr& agg, const std::vector<std::vector<int>>& sets) {
    const auto& whole = std::get<ir::aggregate>(agg->node);
    const std::size_t nkeys = whole.group_by.size();
    std::vector<rel_ptr> branches;
    std::vector<ir::column> cols = agg->columns;
    for (std::size_t k = 0; k < nkeys; ++k) cols[k].not_null = cols[k].not_null && std::ranges::all_of(sets, [&](const auto& set) {
                                                                      return std::ranges::find(set, static_cast<int>(k)) != set.end();
                                                                  });
    cols.push_back({"__grouping_set", make_type(type_kind::int4), true});
    for (std::size_t s = 0; s < sets.size(); ++s) {
        ir::aggregate one{{}, whole.aggs};
        std::vector<ir::column> one_cols;
        for (int k : sets[s]) {
            one.group_by.push_back(whole.group_by[static_cast<std::size_t>(k)]);
            one_cols.push_back(agg->columns[static_cast<std::size_t>(k)]);
        }
        for (std::size_t j = 0; j < whole.aggs.size(); ++j) one_cols.push_back(agg->columns[nkeys + j]);
        rel_ptr a = ir::make_rel(std::move(one), agg->inputs, std::move(one_cols));
        std::vector<expr_ptr> exprs;
        std::vector<std::string> names;
        for (std::size_t k = 0; k < nkeys; ++k) {
            const auto pos = std::ranges::find(sets[s], static_cast<int>(k));
            exprs.push_back(pos == sets[s].end() ? ir::make_constant(std::nullopt, cols[k].type)
                                                 : ir::make_column(static_cast<int>(pos - sets[s].begin()), cols[k].type));
        }
        for (std::size_t j = 0; j < whole.aggs.size(); ++j)
            exprs.push_back(ir::make_column(static_cast<int>(sets[s].size() + j), agg->columns[nkeys + j].type));
        exprs.push_back(ir::make_constant(std::to_string(s), make_type(type_kind::int4)));
        for (const auto& c : cols) names.push_back(c.name);
        branches.push_back(make_project(a, std::move(exprs), names));
    }
    return ir::make_rel(ir::union_all{}, std::move(branches), std::move(cols));
}

// GROUPING(args): the bit mask of the arguments missing from the row's grouping set (the
// first argument the most significant bit), over the grouped row whose last column is the
// set's number when there are several sets.
expr_ptr grouping_value(context& ctx, const agg_collector::grouping_call& call, const std::vector<expr_ptr>& keys,
                        const std::vector<std::vector<int>>& sets, const rel_ptr& grouped) {
    std::vector<int> positions;
    for (const auto& a : call.args) {
        auto it = std::ranges::find_if(keys, [&](const expr_ptr& k) { return ir::equivalent(*k, *a); });
        if (it == keys.end())
            ctx.fail(sqlstate::grouping_error, "arguments to GROUPING must be grouping expressions of the associated query level",
                     call.location);
        positions.push_back(static_cast<int>(it - keys.begin()));
    }
    const sql_type int4 = make_type(type_kind::int4);
    auto mask = [&](const std::vector<int>& set) {
        long m = 0;
        for (int p : positions) m = (m << 1) | (std::ranges::find(set, p) == set.end() ? 1 : 0);
        return ir::make_constant(std::to_string(m), int4);
    };
    if (sets.size() <= 1) {
        std::vector<int> all(keys.size());
        std::iota(all.begin(), all.end(), 0);
        return mask(sets.empty() ? all : sets[0]);
    }
    std::vector<expr_ptr> args;
    const expr_ptr set_column = ir::make_column(static_cast<int>(grouped->columns.size()) - 1, int4);
    for (std::size_t s = 0; s < sets.size(); ++s) {
        args.push_back(make_operator(ctx, "=", set_column, ir::make_constant(std::to_string(s), int4), call.location));
        args.push_back(mask(sets[s]));
    }
    return ir::make_node(ir::expr_kind::case_, int4, std::move(args));
}

// A sort key (ORDER BY, DISTINCT ON): a select-list entry named or numbered, or an
// expression (over the FROM row). ORDER BY has no effect on a stream table except with LIMIT
// (TopK), but must still be valid SQL.
struct sort_ref {
    int target = -1;
    expr_ptr expr;
};

sort_ref sort_key(const Node* key, const std::vector<target>& targets, bool distinct, const expr_env& env) {
    std::string name;
    if (single_name(key, name))
        if (const target* t = target_named(env.ctx, targets, name, clause::order_by, expr_location(key)))
            return {static_cast<int>(t - targets.data()), nullptr};
    if (IsA(key, A_Const))
        return {static_cast<int>(&target_at(env.ctx, targets, as<A_Const>(key), clause::order_by) - targets.data()), nullptr};
    expr_ptr e = translate_expr(key, env.with(clause::order_by, env.aggs));
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (ir::equivalent(*targets[i].expr, *e)) return {static_cast<int>(i), e};
    if (distinct)
        env.ctx.fail("42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list", expr_location(key));
    return {-1, e};
}

// A TopK key over the result's column `column`: ASC/DESC and NULLS FIRST/LAST as written
// (NULLS FIRST is the default for DESC).
ir::sort_key topk_key(const SortBy* sb, int column, const sql_type& type, context& ctx) {
    if (sb->sortby_dir == SORTBY_USING) ctx.unsupported("ORDER BY … USING in a TopK query", sb->location);
    const bool desc = sb->sortby_dir == SORTBY_DESC;
    return {ir::make_column(column, type), desc,
            sb->sortby_nulls == SORTBY_NULLS_DEFAULT ? desc : sb->sortby_nulls == SORTBY_NULLS_FIRST};
}

bool is_plain_distinct(const List* distinct) {
    return list_length(distinct) == 1 && linitial(distinct) == nullptr;
}

// A lifted subquery without GROUP BY is one group per row of D, including the rows of D
// no input row matches: D ⟕ aggregate, with counts of the missing groups 0 (its columns keep
// the aggregate's layout: D's values, then the aggregates).
rel_ptr with_empty_groups(context& ctx, const rel_ptr& d, const rel_ptr& agg) {
    const int m = static_cast<int>(d->columns.size());
    std::vector<expr_ptr> same, exprs;
    std::vector<std::string> names;
    for (int i = 0; i < m; ++i) {
        const auto& c = d->columns[static_cast<std::size_t>(i)];
        same.push_back(same_value(ctx, ir::make_column(i, c.type), ir::make_column(m + i, c.type), c.not_null));
    }
    rel_ptr joined = make_join(ir::join_kind::left, ir::make_and(std::move(same)), d, agg);
    const auto& a = std::get<ir::aggregate>(agg->node);
    for (int i = 0; i < m; ++i) exprs.push_back(ir::make_column(i, d->columns[static_cast<std::size_t>(i)].type));
    for (std::size_t j = 0; j < a.aggs.size(); ++j) {
        const auto& call = a.aggs[j];
        expr_ptr v = ir::make_column(2 * m + static_cast<int>(j), call.type);
        if (call.func == ir::agg_func::count || call.func == ir::agg_func::count_star)
            v = ir::make_node(ir::expr_kind::coalesce, call.type, {v, ir::make_constant("0", call.type)});
        exprs.push_back(v);
    }
    for (const auto& c : agg->columns) names.push_back(c.name);
    rel_ptr out = make_project(joined, std::move(exprs), names);
    auto cols = out->columns;
    for (std::size_t i = 0; i < cols.size(); ++i) cols[i].not_null = agg->columns[i].not_null;
    return ir::make_rel(out->node, out->inputs, std::move(cols));
}

// Moves the subqueries evaluated per group onto the aggregate's row: their outer values and
// left-hand sides are rebased with the select list, their columns follow the new row.
void rebase_per_group(context& ctx, std::vector<pending_sublink>& subs, const grouped& g, std::size_t& next_outer,
                      std::size_t& next_extra) {
    const int width = static_cast<int>(g.rel->columns.size());
    for (auto& p : subs) {
        for (auto& v : p.d_values) v = g.subquery_outer[next_outer++];
        for (auto& l : p.lhs) l = g.extras[next_extra++];
        std::vector<expr_ptr> map;
        for (int c = 0; c < p.row_width; ++c) map.push_back(nullptr); // outputs read the subquery only
        for (std::size_t c = 0; c < p.inner->columns.size(); ++c)
            map.push_back(ir::make_column(width + static_cast<int>(c), p.inner->columns[c].type));
        for (auto& o : p.outputs) o = ir::substitute_columns(o, map);
        p.row_width = width;
        finish_sublink(ctx, p, g.rel->columns);
    }
}

// Every expression of the calls (arguments, FILTER, PARTITION BY, ORDER BY), in order.
std::vector<expr_ptr> window_expressions(const std::vector<ir::window_call>& calls) {
    std::vector<expr_ptr> out;
    for (const auto& c : calls) {
        out.insert(out.end(), c.args.begin(), c.args.end());
        if (c.filter) out.push_back(c.filter);
        out.insert(out.end(), c.partition_by.begin(), c.partition_by.end());
        for (const auto& k : c.order_by) out.push_back(k.expr);
    }
    return out;
}

// The calls with their expressions replaced, in window_expressions' order, by `exprs`.
std::vector<ir::window_call> with_window_expressions(std::vector<ir::window_call> calls, std::vector<expr_ptr> exprs) {
    std::size_t i = 0;
    for (auto& c : calls) {
        for (auto& a : c.args) a = exprs.at(i++);
        if (c.filter) c.filter = exprs.at(i++);
        for (auto& p : c.partition_by) p = exprs.at(i++);
        for (auto& k : c.order_by) k.expr = exprs.at(i++);
    }
    return calls;
}

// The level's window calls as a window node over `rel` (the rows after WHERE, GROUP BY, HAVING
// and the select list's subqueries), their stand-ins in the select list and TopK keys replaced
// by its columns.
rel_ptr add_window(context& ctx, const rel_ptr& rel, const window_collector& windows, std::vector<expr_ptr>& exprs,
                   std::vector<expr_ptr>& extra_keys) {
    // A call whose value depends on how tied rows fall into frames of peers is deterministic
    // only where the PARTITION BY and ORDER BY keys hold a unique key of the rows, or all their
    // columns (tied rows are then alike).
    const auto key = unique_key(*rel);
    std::vector<int> every_column(rel->columns.size());
    std::iota(every_column.begin(), every_column.end(), 0);
    for (const auto& c : windows.calls) {
        if (ir::ties_effect(c) != ir::tie_effect::peers) continue;
        auto names_column = [&](int k) {
            auto is_k = [k](const expr_ptr& e) { return e->kind == ir::expr_kind::column && e->index == k; };
            return std::ranges::any_of(c.partition_by, is_k) ||
                   std::ranges::any_of(c.order_by, [&](const ir::sort_key& s) { return is_k(s.expr); });
        };
        if (!(key && std::ranges::all_of(*key, names_column)) && !std::ranges::all_of(every_column, names_column))
            ctx.unsupported("window function " + c.name + "() over a frame of peers its ORDER BY can leave tied", -1);
    }
    auto cols = rel->columns;
    const int width = static_cast<int>(cols.size());
    std::map<const ir::expr*, expr_ptr> values;
    for (std::size_t k = 0; k < windows.calls.size(); ++k) {
        const auto& c = windows.calls[k];
        cols.push_back({c.name, c.type});
        values[windows.results[k].get()] = ir::make_column(width + static_cast<int>(k), c.type);
    }
    for (auto& e : exprs) e = replace_stand_ins(e, values);
    for (auto& e : extra_keys) e = replace_stand_ins(e, values);
    return ir::make_rel(ir::window{windows.calls}, {rel}, std::move(cols));
}

// DISTINCT ON (keys) … ORDER BY: the first row of each key in that order, as the rows numbered
// 1 by row_number() over the key's partition (a window, maintained per touched key). Ties the
// ORDER BY leaves are broken as the window's sort breaks them, one valid choice of the query's.
rel_ptr first_per_key(context& ctx, const rel_ptr& rel, const std::vector<expr_ptr>& keys,
                      const std::vector<ir::sort_key>& order, const std::vector<pending_sublink>& subs) {
    auto has_subquery = [&](const expr_ptr& e) { return contains_sublink(*e, subs); };
    if (std::ranges::any_of(keys, has_subquery) ||
        std::ranges::any_of(order, [&](const ir::sort_key& k) { return has_subquery(k.expr); })) {
        ctx.unsupported("subquery in a DISTINCT ON key or its ORDER BY", -1);
        return rel;
    }
    ir::window_call first;
    first.name = "row_number";
    first.type = make_type(type_kind::int8);
    first.partition_by = keys;
    first.order_by = order;
    auto cols = rel->columns;
    const int width = static_cast<int>(cols.size());
    cols.push_back({"row_number", first.type});
    rel_ptr numbered = ir::make_rel(ir::window{{first}}, {rel}, std::move(cols));
    expr_ptr is_first = make_operator(ctx, "=", ir::make_column(width, first.type), ir::make_constant("1", first.type), -1);
    return ir::make_rel(ir::filter{is_first}, {numbered}, numbered->columns);
}

// A subquery's LIMIT/OFFSET over `rel`: its rows numbered in the ORDER BY `keys` within each
// evaluation (the first `partition` columns: D of a lifted subquery), row_number() past the
// OFFSET and within the LIMIT (rank() for WITH TIES), the first `visible` columns kept. Ties
// the ORDER BY leaves are broken as the window's sort breaks them, one valid choice of the
// query's.
rel_ptr rows_kept(context& ctx, const rel_ptr& rel, int partition, const std::vector<ir::sort_key>& keys, const row_limit& limit,
                  std::size_t visible) {
    ir::window_call number;
    number.name = limit.with_ties ? "rank" : "row_number";
    number.type = make_type(type_kind::int8);
    for (int i = 0; i < partition; ++i)
        number.partition_by.push_back(ir::make_column(i, rel->columns[static_cast<std::size_t>(i)].type));
    number.order_by = keys;
    auto cols = rel->columns;
    const int width = static_cast<int>(cols.size());
    cols.push_back({number.name, number.type});
    rel_ptr numbered = ir::make_rel(ir::window{{number}}, {rel}, std::move(cols));
    const expr_ptr n = ir::make_column(width, number.type);
    auto bound = [&](long long v) { return ir::make_constant(std::to_string(v), number.type); };
    std::vector<expr_ptr> kept;
    if (limit.offset > 0) kept.push_back(make_operator(ctx, ">", n, bound(limit.offset), -1));
    if (limit.count) kept.push_back(make_operator(ctx, "<=", n, bound(limit.offset + *limit.count), -1));
    rel_ptr out = kept.empty() ? numbered : ir::make_rel(ir::filter{ir::make_and(std::move(kept))}, {numbered}, numbered->columns);
    std::vector<expr_ptr> exprs;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < visible; ++i) {
        exprs.push_back(ir::make_column(static_cast<int>(i), rel->columns[i].type));
        names.push_back(rel->columns[i].name);
    }
    return make_project(out, std::move(exprs), names);
}

// The FROM rows of a SELECT level (a placeholder, recorded as unsupported, without FROM).
from_result level_from(context& ctx, const SelectStmt* s, const select_scope& env, correlation* corr, bool lift) {
    if (corr) corr->where = correlation::place::from;
    from_result from = translate_from_clause(ctx, s->fromClause, env, corr, lift ? corr->d : nullptr);
    if (!from.rel) from.rel = unit_rel();
    if (corr) corr->width = static_cast<int>(from.rel->columns.size());
    return from;
}

// One SELECT level being translated: its FROM rows, the collectors its expressions fill, and
// its clauses. Made in place and never moved: the scope and the environments point into it.
struct select_level {
    context& ctx;
    const SelectStmt* s;
    select_options opts;
    correlation* corr;
    correlation::mode mode;
    bool lift; // a lifted correlated subquery: D's columns lead its rows and its result
    std::optional<row_limit> limit;
    from_result from;
    select_scope scope;
    agg_collector aggs;
    window_collector windows;
    // Subqueries evaluated per row of the FROM clause, and per output row (per group when the
    // level aggregates); those of ORDER BY are checked, not evaluated.
    sublink_collector per_row, per_output, ignored;
    expr_env base, order_env;

    std::vector<target> targets;
    expr_ptr where, having;
    bool distinct = false, plain_distinct = false, grouped = false;
    std::vector<sort_ref> order_refs;
    std::vector<expr_ptr> order; // the ORDER BY keys outside the select list
    grouping_clause group;
    // DISTINCT ON: its keys, and the ORDER BY that picks the row kept for each.
    std::vector<expr_ptr> distinct_on;
    std::vector<ir::sort_key> pick_order;

    select_level(context& c, const SelectStmt* stmt, const select_scope& env, select_options o)
        : ctx(c), s(stmt), opts(o), corr(o.corr), mode(corr ? corr->current_mode() : correlation::mode::discover),
          lift(corr && mode == correlation::mode::lift),
          limit(o.top_level ? std::nullopt : subquery_row_limit(c, stmt, o.exists_test)),
          from(level_from(c, stmt, env, corr, lift)), scope{&from.items, &from.origins, &env, env.ctes, corr},
          windows{{}, {}, stmt->windowClause}, per_row{&from.rel->columns, {}}, per_output{&from.rel->columns, {}},
          ignored{&from.rel->columns, {}}, base{c, scope, clause::select_list, &aggs, &per_output, &per_row, &windows},
          order_env{c, scope, clause::select_list, &aggs, &ignored, &ignored, &windows} {}
    select_level(const select_level&) = delete;
    select_level& operator=(const select_level&) = delete;

    void at(correlation::place p) {
        if (corr) corr->where = p;
    }
    const SortBy* sort_by(std::size_t i) const { return as<SortBy>(static_cast<const Node*>(list_nth(s->sortClause, static_cast<int>(i)))); }
    std::size_t d_width() const { return lift ? corr->types().size() : 0; }
};

void translate_distinct_on(select_level& l) {
    if (!l.distinct || l.plain_distinct) return;
    for (const Node* n : nodes(l.s->distinctClause)) {
        const auto r = sort_key(n, l.targets, false, l.order_env);
        l.distinct_on.push_back(r.target >= 0 ? l.targets[static_cast<std::size_t>(r.target)].expr : r.expr);
    }
    for (std::size_t i = 0; i < l.order_refs.size(); ++i) {
        const auto& r = l.order_refs[i];
        ir::sort_key k = topk_key(l.sort_by(i), 0, {}, l.ctx);
        k.expr = r.target >= 0 ? l.targets[static_cast<std::size_t>(r.target)].expr : r.expr;
        l.pick_order.push_back(std::move(k));
    }
    if (!l.ignored.items.empty()) l.ctx.unsupported("subquery in the ORDER BY of a DISTINCT ON query", -1);
}

// The level's clauses, in transformSelectStmt's order, so that the first error is the one
// PostgreSQL reports.
void translate_clauses(select_level& l) {
    const SelectStmt* s = l.s;
    l.at(correlation::place::select);
    l.targets = translate_targets(s->targetList, l.base);
    l.at(correlation::place::where);
    if (s->whereClause)
        l.where = translate_condition(s->whereClause, {l.ctx, l.scope, clause::where, nullptr, &l.per_row, &l.per_row}, "WHERE");
    l.at(correlation::place::elsewhere);
    if (s->havingClause) l.having = translate_condition(s->havingClause, l.base.with(clause::having, &l.aggs), "HAVING");
    l.distinct = list_length(s->distinctClause) > 0;
    // Only plain DISTINCT needs ORDER BY in the select list; DISTINCT ON sorts by anything.
    // Subqueries in ORDER BY are checked, not evaluated: ORDER BY has no effect here (a TopK
    // key with a subquery is refused).
    l.plain_distinct = l.distinct && is_plain_distinct(s->distinctClause);
    for (const Node* n : nodes(s->sortClause)) {
        l.order_refs.push_back(sort_key(as<SortBy>(n)->node, l.targets, l.plain_distinct, l.order_env));
        if (l.order_refs.back().target < 0) l.order.push_back(l.order_refs.back().expr);
    }
    if (l.opts.topk && !l.ignored.items.empty()) l.ctx.unsupported("subquery in the ORDER BY of a TopK query", -1);
    if (l.limit && !l.ignored.items.empty()) l.ctx.unsupported("subquery in the ORDER BY of a subquery with LIMIT or OFFSET", -1);
    l.group = translate_group_by(s->groupClause, l.targets, {l.ctx, l.scope, clause::select_list, &l.aggs}, l.aggs);
    translate_distinct_on(l);
    l.grouped = l.group.present || !l.aggs.calls.empty() || l.having || !l.aggs.groupings.empty();
    if (!l.distinct_on.empty() && (l.grouped || l.corr || !l.windows.calls.empty()))
        l.ctx.unsupported("DISTINCT ON with GROUP BY, aggregates, window functions or in a correlated subquery",
                          expr_location(static_cast<const Node*>(linitial(s->distinctClause))));
}

// Window calls of a grouped level stand in as typed constants; a lifted level's partition by D
// too; and whether a correlated level is too complex to pull up.
void prepare_windows(select_level& l) {
    if (!l.windows.calls.empty() && l.grouped) {
        // The calls stand in as typed constants, which grouping leaves in place (its rebasing
        // would read their column stand-ins as columns of the FROM row).
        std::map<const ir::expr*, expr_ptr> stand_ins;
        for (auto& r : l.windows.results) {
            auto constant = placeholder(r->type);
            stand_ins[r.get()] = constant;
            r = constant;
        }
        for (auto& t : l.targets) t.expr = replace_stand_ins(t.expr, stand_ins);
        for (auto& e : l.order) e = replace_stand_ins(e, stand_ins);
        for (auto& r : l.order_refs) r.expr = replace_stand_ins(r.expr, stand_ins);
    }
    // In a lifted subquery each row of D is an evaluation of its own: its windows partition by D
    // too (D's columns lead the FROM row, and grouping rebases them as keys).
    if (l.lift)
        for (auto& c : l.windows.calls)
            for (std::size_t i = l.corr->types().size(); i-- > 0;)
                c.partition_by.insert(c.partition_by.begin(), ir::make_column(static_cast<int>(i), l.corr->types()[i]));
    if (l.corr && l.mode == correlation::mode::discover &&
        (l.grouped || l.distinct || list_length(l.s->windowClause) > 0 || !l.windows.calls.empty() || l.limit))
        l.corr->complex = true;
}

// A correlated level pulled up: FROM, WHERE and a select list only (discovery made sure). The
// WHERE conjuncts that read outer values relate the FROM rows to an outer row; the rest filter
// them here.
rel_ptr pulled_up(select_level& l) {
    std::vector<expr_ptr> local, correlated;
    for (auto& c : ir::conjuncts(l.where)) {
        const auto cols = ir::referenced_columns(*c);
        (std::ranges::any_of(cols, [&](int i) { return i >= l.corr->width; }) ? correlated : local).push_back(c);
    }
    l.corr->condition = ir::make_and(std::move(correlated));
    for (const auto& t : l.targets) {
        l.corr->targets.push_back(coerce_unknown(t.expr, make_type(type_kind::text)));
        l.corr->names.push_back(t.name);
    }
    return local.empty() ? l.from.rel : place_predicate(l.from.rel, ir::make_and(std::move(local)));
}

// WHERE: conjuncts without subqueries go down into the FROM tree; the row-wise subqueries then
// join the rows that pass them, and the conjuncts reading them filter last.
rel_ptr filter_rows(select_level& l) {
    rel_ptr rel = l.from.rel;
    std::vector<expr_ptr> local, with_subqueries;
    for (auto& c : ir::conjuncts(l.where)) (contains_sublink(*c, l.per_row.items) ? with_subqueries : local).push_back(c);
    if (!local.empty()) rel = place_predicate(rel, ir::make_and(std::move(local)));
    if (l.per_row.items.empty()) return rel;
    std::map<const ir::expr*, ir::expr_ptr> values;
    // Each conjunct filters as soon as its subqueries are in.
    auto filter_ready = [&](const std::vector<pending_sublink>& later_subs) {
        std::vector<expr_ptr> ready, later;
        for (auto& c : with_subqueries) (contains_sublink(*c, later_subs) ? later : ready).push_back(c);
        for (auto& c : ready) c = replace_stand_ins(c, values);
        if (!ready.empty()) rel = place_predicate(rel, ir::make_and(std::move(ready)));
        with_subqueries = std::move(later);
    };
    // An uncorrelated WHERE subquery whose test (x IN (SELECT …), x > ALL (…)) reads one input
    // of an inner join alone, the other input whole tables, is joined to that input first: a
    // change meets it before the joins multiply the change's rows, and what it rejects is not
    // joined at all. Its rows are read once whatever it is joined to (PostgreSQL hashes them).
    // Not past a filtered input, whose join may reject most rows: a change of the subquery's
    // result would then be matched with many more rows (TPC-H q20: every supplier instead of
    // one nation's, 4× the refresh). Nor a correlated subquery, which would cost a search of
    // its rows for each row of the input where PostgreSQL may join first; nor in a correlated
    // level, whose row leads with outer values; nor the subqueries of aggregate arguments,
    // which PostgreSQL evaluates per joined row.
    std::vector<pending_sublink> early, rest;
    for (const auto& p : l.per_row.items) {
        const bool in_where = std::ranges::any_of(with_subqueries, [&](const expr_ptr& c) { return contains_sublink(*c, {p}); });
        (!l.corr && in_where && reads_one_join_input(*rel, p) ? early : rest).push_back(p);
    }
    if (!early.empty()) {
        auto a = attach_below_joins(rel, early);
        rel = a.rel;
        values.merge(a.values);
        filter_ready(rest);
    }
    // The others one at a time: a later subquery (a lifted one's D in particular) sees only
    // the rows that pass.
    for (std::size_t i = 0; i < rest.size(); ++i) {
        auto a = attach_sublinks(rel, {rest[i]});
        rel = a.rel;
        values.merge(a.values);
        filter_ready(std::vector<pending_sublink>(rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, rest.end()));
    }
    for (auto& call : l.aggs.calls) {
        for (auto& e : call.args) e = replace_stand_ins(e, values);
        for (auto& k : call.order_by) k.expr = replace_stand_ins(k.expr, values);
        call.filter = replace_stand_ins(call.filter, values);
    }
    return rel;
}

// What the level returns: its columns (a lifted level's start with D's) and their names, and
// the ORDER BY keys outside the select list a TopK or LIMIT needs as columns after them.
struct level_output {
    std::vector<expr_ptr> exprs;
    std::vector<std::string> names;
    std::vector<expr_ptr> extra_keys;
};

level_output select_list(const select_level& l) {
    level_output out;
    for (std::size_t i = 0; i < l.d_width(); ++i) {
        out.exprs.push_back(ir::make_column(static_cast<int>(i), l.corr->types()[i]));
        out.names.push_back(l.from.rel->columns[i].name);
    }
    for (const auto& t : l.targets) {
        out.exprs.push_back(t.expr);
        out.names.push_back(t.name);
    }
    if (l.opts.topk || l.limit)
        for (const auto& r : l.order_refs)
            if (r.target < 0) out.extra_keys.push_back(r.expr);
    return out;
}

// GROUP BY, aggregates and HAVING over `rel`: the output, HAVING, the per-group subqueries'
// outer values and the window calls rebased on the groups.
rel_ptr group_rows(select_level& l, rel_ptr rel, level_output& out) {
    const std::size_t m = l.d_width();
    // Subqueries in the select list and HAVING are evaluated per group: their outer values
    // must be rebased like the select list, which needs them lifted.
    for (auto& p : l.per_output.items)
        if (p.pulled_up) p = lift_sublink(p, l.base);
    grouping_request req;
    for (std::size_t i = 0; i < m; ++i) req.keys.push_back(out.exprs[i]);
    req.keys.insert(req.keys.end(), l.group.keys.begin(), l.group.keys.end());
    req.targets = out.exprs;
    req.having = l.having;
    req.order_by = l.order;
    for (const auto& p : l.per_output.items) {
        req.subquery_outer.insert(req.subquery_outer.end(), p.d_values.begin(), p.d_values.end());
        req.extras.insert(req.extras.end(), p.lhs.begin(), p.lhs.end());
    }
    req.extras.insert(req.extras.end(), out.extra_keys.begin(), out.extra_keys.end());
    // Window calls read the groups: their expressions are rebased like the select list's.
    const std::vector<expr_ptr> window_exprs = window_expressions(l.windows.calls);
    req.extras.insert(req.extras.end(), window_exprs.begin(), window_exprs.end());
    // Grouping sets of a lifted subquery all group by D's values too.
    std::vector<std::vector<int>> sets;
    for (const auto& set : l.group.sets) {
        std::vector<int> lifted(m);
        std::iota(lifted.begin(), lifted.end(), 0);
        for (int k : set) lifted.push_back(k + static_cast<int>(m));
        sets.push_back(std::move(lifted));
    }
    if (l.lift && !l.group.present) req.after_aggregate = [&](const rel_ptr& agg) { return with_empty_groups(l.ctx, l.corr->d, agg); };
    if (sets.size() > 1) req.after_aggregate = [&](const rel_ptr& agg) { return union_of_grouping_sets(agg, sets); };
    // PostgreSQL infers no functional dependency with grouping sets.
    req.functional_dependency = sets.empty();
    const std::vector<expr_ptr> keys = req.keys;
    grouped g = build_grouping(l.ctx, rel, l.from.origins, l.aggs, std::move(req));
    std::map<const ir::expr*, expr_ptr> masks;
    for (const auto& call : l.aggs.groupings) masks[call.result.get()] = grouping_value(l.ctx, call, keys, sets, g.rel);
    for (auto& t : g.targets) t = replace_stand_ins(t, masks);
    out.exprs = std::move(g.targets);
    l.having = replace_stand_ins(g.having, masks);
    std::size_t next_outer = 0, next_extra = 0;
    rebase_per_group(l.ctx, l.per_output.items, g, next_outer, next_extra);
    const auto windows_at = g.extras.end() - static_cast<std::ptrdiff_t>(window_exprs.size());
    out.extra_keys.assign(g.extras.begin() + static_cast<std::ptrdiff_t>(next_extra), windows_at);
    l.windows.calls = with_window_expressions(l.windows.calls, {windows_at, g.extras.end()});
    return g.rel;
}

// After grouping: DISTINCT ON's first rows, the per-output subqueries, HAVING, the window
// calls (which see the rows after WHERE, GROUP BY and HAVING).
rel_ptr output_rows(select_level& l, rel_ptr rel, level_output& out) {
    if (!l.distinct_on.empty() && !l.grouped && !l.corr && l.windows.calls.empty())
        rel = first_per_key(l.ctx, rel, l.distinct_on, l.pick_order, l.per_output.items);
    if (!l.per_output.items.empty()) {
        auto a = attach_sublinks(rel, l.per_output.items);
        rel = a.rel;
        for (auto& e : out.exprs) e = replace_stand_ins(e, a.values);
        l.having = replace_stand_ins(l.having, a.values);
        // Window calls read the subqueries' values as columns of the rows they number.
        std::vector<expr_ptr> window_exprs = window_expressions(l.windows.calls);
        for (auto& e : window_exprs) e = replace_stand_ins(e, a.values);
        l.windows.calls = with_window_expressions(l.windows.calls, std::move(window_exprs));
    }
    if (l.having) rel = ir::make_rel(ir::filter{l.having}, {rel}, rel->columns);
    if (!l.windows.calls.empty()) rel = add_window(l.ctx, rel, l.windows, out.exprs, out.extra_keys);
    if (l.opts.resolve_unknowns)
        for (auto& e : out.exprs) e = coerce_unknown(e, make_type(type_kind::text));
    return rel;
}

// A TopK defining query: its ORDER BY keys as columns of the result (keys outside the select
// list added after it).
void add_topk_keys(select_level& l, level_output& out) {
    l.opts.topk->visible = out.exprs.size();
    std::size_t next_extra = 0;
    for (std::size_t i = 0; i < l.order_refs.size(); ++i) {
        int column = l.order_refs[i].target;
        if (column < 0) {
            column = static_cast<int>(out.exprs.size());
            out.exprs.push_back(out.extra_keys[next_extra++]);
            out.names.push_back("__topk_key" + std::to_string(i));
        }
        l.opts.topk->keys.push_back(topk_key(l.sort_by(i), column, out.exprs[static_cast<std::size_t>(column)]->type, l.ctx));
    }
}

// A subquery's LIMIT/OFFSET: the rows kept are numbered in the ORDER BY per evaluation (per
// row of D when lifted).
rel_ptr limited(select_level& l, rel_ptr rel, level_output& out) {
    const std::size_t m = l.d_width(), visible = out.exprs.size();
    std::vector<ir::sort_key> keys;
    std::size_t next_extra = 0;
    for (std::size_t i = 0; i < l.order_refs.size(); ++i) {
        const int target = l.order_refs[i].target;
        const std::size_t column = target >= 0 ? m + static_cast<std::size_t>(target) : out.exprs.size();
        if (target < 0) {
            out.exprs.push_back(out.extra_keys[next_extra++]);
            out.names.push_back("__limit_key" + std::to_string(i));
        }
        keys.push_back(topk_key(l.sort_by(i), static_cast<int>(column), out.exprs[column]->type, l.ctx));
    }
    rel = make_project(rel, std::move(out.exprs), out.names);
    if (l.plain_distinct) rel = ir::make_rel(ir::distinct{}, {rel}, rel->columns);
    return rows_kept(l.ctx, rel, static_cast<int>(m), keys, *l.limit, visible);
}

// An EXISTS subquery PostgreSQL simplifies (simplify_EXISTS_query: no aggregate, window,
// HAVING, OFFSET or LIMIT that can change its answer) has its select list, GROUP BY, DISTINCT
// and ORDER BY dropped before anything evaluates them: a function there that would fail on its
// arguments (a pseudo-type's input function, a division by zero) never runs. The level returns
// a constant instead.
void drop_exists_select_list(select_level& l) {
    const bool simplified = l.opts.exists_test && !l.limit && !l.s->limitOffset && l.aggs.calls.empty() &&
                            l.aggs.groupings.empty() && l.group.sets.empty() && !l.having && l.windows.calls.empty();
    if (!simplified) return;
    l.targets = {{ir::make_constant("1", make_type(type_kind::int4)), "?column?"}};
    l.per_output.items.clear();
    l.group = {};
    l.grouped = false;
    l.distinct = l.plain_distinct = false;
    l.order_refs.clear();
    l.order.clear();
    l.distinct_on.clear();
    l.pick_order.clear();
}

rel_ptr simple_select(context& ctx, const SelectStmt* s, const select_scope& env, select_options opts) {
    select_level l(ctx, s, env, opts);
    translate_clauses(l);
    drop_exists_select_list(l);
    prepare_windows(l);
    if (l.corr && l.mode == correlation::mode::pull_up) return pulled_up(l);
    rel_ptr rel = filter_rows(l);
    level_output out = select_list(l);
    if (l.grouped) rel = group_rows(l, rel, out);
    rel = output_rows(l, rel, out);
    if (l.opts.topk) add_topk_keys(l, out);
    if (l.limit) return limited(l, rel, out);
    rel = make_project(rel, std::move(out.exprs), out.names);
    if (l.plain_distinct) rel = ir::make_rel(ir::distinct{}, {rel}, rel->columns);
    return rel;
}

// A VALUES list: constant rows, each column cast to the common type of its values.
rel_ptr values_select(context& ctx, const SelectStmt* s, const select_scope& env) {
    const select_scope scope{nullptr, nullptr, &env, env.ctes};
    std::vector<std::vector<ir::expr_ptr>> rows;
    for (const Node* row : nodes(s->valuesLists)) {
        const List* values = reinterpret_cast<const List*>(row);
        if (!rows.empty() && rows.front().size() != static_cast<std::size_t>(list_length(values)))
            ctx.fail(sqlstate::syntax_error, "VALUES lists must all be the same length", -1);
        auto& exprs = rows.emplace_back();
        for (const Node* v : nodes(values)) exprs.push_back(translate_expr(v, {ctx, scope, clause::values}));
    }
    std::vector<ir::column> cols;
    for (std::size_t i = 0; i < rows.front().size(); ++i) {
        std::vector<sql_type> types;
        for (const auto& row : rows) types.push_back(row[i]->type);
        const auto type = common_type(ctx, types, "VALUES");
        cols.push_back({"column" + std::to_string(i + 1), type.value_or(opaque_type())});
        if (!type) continue;
        for (auto& row : rows) row[i] = coerce_to(row[i], *type);
    }
    return constant_rows(std::move(rows), std::move(cols));
}

// ORDER BY of a set operation may only name result columns.
void check_set_operation_order_by(context& ctx, const List* sort, const rel_ptr& rel) {
    std::vector<target> outputs;
    for (const auto& c : rel->columns) outputs.push_back({ir::make_column(0, c.type), c.name});
    for (const Node* n : nodes(sort)) {
        const Node* key = as<SortBy>(n)->node;
        std::string name;
        if (IsA(key, A_Const)) {
            target_at(ctx, outputs, as<A_Const>(key), clause::order_by);
        } else if (!single_name(key, name)) {
            ctx.fail(sqlstate::feature_not_supported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause", expr_location(key),
                     "Only result column names can be used, not expressions or functions.");
        } else if (std::ranges::none_of(outputs, [&](const target& t) { return t.name == name; })) {
            ctx.fail(sqlstate::undefined_column, "column \"" + name + "\" does not exist", expr_location(key));
        }
    }
}

void translate_cte(context& ctx, cte_scope& cs, std::size_t index) {
    cte_def& def = cs.defs[index];
    def.status = cte_def::state::in_progress;
    const Node* q = def.raw->ctequery;
    if (!IsA(q, SelectStmt))
        ctx.fail(sqlstate::feature_not_supported,
                 "WITH query \"" + def.name + "\" is not a SELECT: data-modifying statements are not supported in defining queries",
                 def.raw->location);
    const auto* s = as<SelectStmt>(q);
    cs.translating.push_back(index);
    rel_ptr rel = cs.recursive && s->op == SETOP_UNION ? translate_recursive_cte(ctx, cs, index, s)
                                                       : translate_select(ctx, s, *cs.body_env);
    cs.translating.pop_back();
    def.rel = rename_columns(ctx, rel, def.raw->aliascolnames, "WITH query \"" + def.name + "\"", def.raw->location);
    def.status = cte_def::state::done;
}

void translate_with(context& ctx, const WithClause* w, cte_scope& cs) {
    cs.recursive = w->recursive;
    for (const Node* n : nodes(w->ctes)) {
        const auto* cte = as<CommonTableExpr>(n);
        if (std::ranges::any_of(cs.defs, [&](const cte_def& d) { return d.name == cte->ctename; }))
            ctx.fail("42712", "WITH query name \"" + std::string(cte->ctename) + "\" specified more than once", cte->location);
        cs.defs.push_back({cte->ctename, cte, cte_def::state::pending, nullptr});
    }
    // Without RECURSIVE a CTE sees the ones before it; with it, all of them.
    for (std::size_t i = 0; i < cs.defs.size(); ++i) {
        cs.visible = cs.recursive ? cs.defs.size() : i;
        if (cs.defs[i].status == cte_def::state::pending) translate_cte(ctx, cs, i);
    }
    cs.visible = cs.defs.size();
}

} // namespace

std::vector<std::string> apply_aliases(context& ctx, std::vector<std::string> names, const List* aliases,
                                       const std::string& what, int location) {
    if (static_cast<std::size_t>(list_length(aliases)) > names.size())
        ctx.fail("42P10", what + " has " + std::to_string(names.size()) + " columns available but " +
                              std::to_string(list_length(aliases)) + " columns specified",
                 location);
    std::size_t i = 0;
    for (const Node* a : nodes(aliases)) names[i++] = str(a);
    return names;
}

rel_ptr rename_columns(context& ctx, const rel_ptr& rel, const List* aliases, const std::string& what, int location) {
    if (list_length(aliases) == 0) return rel;
    std::vector<std::string> names;
    for (const auto& c : rel->columns) names.push_back(c.name);
    names = apply_aliases(ctx, std::move(names), aliases, what, location);
    auto cols = rel->columns;
    for (std::size_t i = 0; i < cols.size(); ++i) cols[i].name = names[i];
    return ir::make_rel(rel->node, rel->inputs, std::move(cols));
}

rel_ptr reference_cte(context& ctx, cte_scope& cs, std::size_t index, int location) {
    cte_def& def = cs.defs[index];
    if (def.status == cte_def::state::pending) translate_cte(ctx, cs, index);
    if (def.status == cte_def::state::done) return def.rel;
    if (!def.rel) {
        const Node* q = def.raw->ctequery;
        bool is_union = IsA(q, SelectStmt) && as<SelectStmt>(q)->op == SETOP_UNION;
        ctx.fail("42P19",
                 is_union ? "recursive reference to query \"" + def.name + "\" must not appear within its non-recursive term"
                          : "recursive query \"" + def.name +
                                "\" does not have the form non-recursive-term UNION [ALL] recursive-term",
                 location);
    }
    // Read from another WITH query of the list while this one's recursive term is translated:
    // that query would keep the working table as its contents.
    if (cs.translating.empty() || cs.translating.back() != index)
        ctx.unsupported("WITH RECURSIVE query \"" + def.name + "\" read by another WITH query of its list", location);
    ++def.recursive_reads;
    return def.rel;
}

rel_ptr translate_select(context& ctx, const SelectStmt* s, const select_scope& env, select_options opts) {
    context::depth_guard guard(ctx, -1);
    check_into_and_locking(ctx, s);
    select_scope inner = env;
    cte_scope ctes;
    if (s->withClause) {
        inner.ctes.insert(inner.ctes.begin(), &ctes);
        ctes.body_env = &inner;
        translate_with(ctx, s->withClause, ctes);
    }
    if (!opts.top_level && (s->op != SETOP_NONE || s->valuesLists)) {
        if (has_limit(s)) ctx.unsupported("LIMIT in a subquery over a set operation or VALUES", expr_location(s->limitCount));
        if (s->limitOffset)
            ctx.unsupported("OFFSET in a subquery over a set operation or VALUES", expr_location(s->limitOffset));
    }
    if (s->op != SETOP_NONE) {
        rel_ptr rel = translate_set_operation(ctx, s, inner, opts.corr);
        check_set_operation_order_by(ctx, s->sortClause, rel);
        if (opts.topk) {
            // Keys name result columns (checked above).
            opts.topk->visible = rel->columns.size();
            for (const Node* n : nodes(s->sortClause)) {
                const auto* sb = as<SortBy>(n);
                std::string name;
                int column = 0;
                if (IsA(sb->node, A_Const)) column = static_cast<int>(intVal(&as<A_Const>(sb->node)->val)) - 1;
                else if (single_name(sb->node, name))
                    while (rel->columns[static_cast<std::size_t>(column)].name != name) ++column;
                opts.topk->keys.push_back(topk_key(sb, column, rel->columns[static_cast<std::size_t>(column)].type, ctx));
            }
        }
        return rel;
    }
    if (s->valuesLists) {
        if (opts.corr) opts.corr->complex = true;
        return values_select(ctx, s, inner);
    }
    return simple_select(ctx, s, inner, opts);
}

} // namespace pgt::frontend
