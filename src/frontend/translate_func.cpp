// Function calls: aggregates (built-in ones typed by pgt/typing.hpp, user-defined ones by the
// catalog), window functions (unsupported), built-in functions typed by pgt/typing.hpp, and
// everything else resolved by the catalog. Volatile functions are recorded: DIFFERENTIAL
// cannot maintain them.
#include <algorithm>
#include <optional>

#include "frontend/coerce.hpp"
#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

namespace {

using ir::agg_func;
using ir::expr_kind;
using ir::expr_ptr;

// The aggregates whose running state the IR knows; any other aggregate is `other`.
agg_func classify_aggregate(const std::string& name) {
    static const std::vector<std::pair<std::string_view, agg_func>> known{
        {"count", agg_func::count},        {"sum", agg_func::sum},           {"avg", agg_func::avg},
        {"min", agg_func::min},            {"max", agg_func::max},           {"bool_and", agg_func::bool_and},
        {"every", agg_func::bool_and},     {"bool_or", agg_func::bool_or},   {"var_pop", agg_func::var_pop},
        {"var_samp", agg_func::var_samp},  {"variance", agg_func::var_samp}, {"stddev_pop", agg_func::stddev_pop},
        {"stddev_samp", agg_func::stddev_samp}, {"stddev", agg_func::stddev_samp}, {"bit_xor", agg_func::bit_xor}};
    for (const auto& [n, f] : known)
        if (n == name) return f;
    return agg_func::other;
}

bool in_list(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::ranges::find(names, name) != names.end();
}

// pg_catalog functions returning sets (the catalog interface cannot say so).
bool set_returning(const function_name& f) {
    return f.builtin_schema() &&
           in_list(f.name, {"generate_series", "generate_subscripts", "unnest", "regexp_matches",
                            "regexp_split_to_table", "string_to_table", "json_array_elements",
                            "jsonb_array_elements", "json_array_elements_text",
                            "jsonb_array_elements_text", "json_each", "jsonb_each", "json_each_text",
                            "jsonb_each_text", "json_object_keys", "jsonb_object_keys",
                            "json_populate_recordset", "jsonb_populate_recordset", "json_to_recordset",
                            "jsonb_to_recordset", "jsonb_path_query", "pg_ls_dir", "ts_stat",
                            "ts_parse", "ts_token_type"});
}

const char* clause_name(clause c) {
    switch (c) {
    case clause::where: return "WHERE";
    case clause::join_on: return "JOIN conditions";
    case clause::group_by: return "GROUP BY";
    case clause::filter: return "FILTER";
    case clause::limit: return "LIMIT";
    case clause::values: return "VALUES";
    case clause::function_in_from: return "functions in FROM";
    case clause::window_definition: return "window definitions";
    default: return "this context";
    }
}

// Aggregates may stand where the level collects them, never inside another aggregate.
void check_aggregate_allowed(const expr_env& env, int location) {
    if (env.where == clause::aggregate_argument)
        env.ctx.fail(sqlstate::grouping_error, "aggregate function calls cannot be nested", location);
    if (!env.aggs)
        env.ctx.fail(sqlstate::grouping_error,
                     std::string("aggregate functions are not allowed in ") + clause_name(env.where), location);
}

std::vector<expr_ptr> translate_args(const FuncCall* fc, const expr_env& env) {
    std::vector<expr_ptr> args;
    for (const Node* n : nodes(fc->args)) args.push_back(translate_expr(n, env));
    return args;
}

std::vector<sql_type> types_of(const std::vector<expr_ptr>& args) {
    std::vector<sql_type> types;
    for (const auto& a : args) types.push_back(a->type);
    return types;
}

expr_ptr filter_of(const FuncCall* fc, const expr_env& env) {
    if (!fc->agg_filter) return nullptr;
    return translate_condition(fc->agg_filter, env.with(clause::filter, nullptr), "FILTER");
}

bool same_expr(const expr_ptr& a, const expr_ptr& b) { return a == b || (a && b && ir::equivalent(*a, *b)); }

bool same_call(const ir::agg_call& a, const ir::agg_call& b) {
    return a.func == b.func && a.name == b.name && a.schema == b.schema && a.distinct == b.distinct &&
           a.within_group == b.within_group && same_expr(a.filter, b.filter) &&
           std::ranges::equal(a.args, b.args, same_expr) &&
           std::ranges::equal(a.order_by, b.order_by, [](const ir::sort_key& x, const ir::sort_key& y) {
               return x.descending == y.descending && x.nulls_first == y.nulls_first && same_expr(x.expr, y.expr);
           });
}

// Registers an aggregate at this level; an identical call already there is shared.
expr_ptr collect(agg_collector& aggs, ir::agg_call call) {
    for (std::size_t i = 0; i < aggs.calls.size(); ++i)
        if (same_call(aggs.calls[i], call)) return aggs.results[i];
    aggs.results.push_back(ir::make_column(-1, call.type));
    aggs.calls.push_back(std::move(call));
    return aggs.results.back();
}

// ORDER BY inside a call, or WITHIN GROUP: keys with their direction and NULLs placement.
std::vector<ir::sort_key> sort_keys(const List* order, const expr_env& env) {
    std::vector<ir::sort_key> keys;
    for (const Node* n : nodes(order)) {
        const auto* sb = as<SortBy>(n);
        ir::sort_key k{translate_expr(sb->node, env), sb->sortby_dir == SORTBY_DESC, false};
        if (sb->sortby_dir == SORTBY_USING) env.ctx.unsupported("ORDER BY … USING inside an aggregate", sb->location);
        k.nulls_first = sb->sortby_nulls == SORTBY_NULLS_DEFAULT ? k.descending : sb->sortby_nulls == SORTBY_NULLS_FIRST;
        keys.push_back(std::move(k));
    }
    return keys;
}

// An aggregate call with its arguments, ORDER BY / WITHIN GROUP, DISTINCT and FILTER
// translated and typed by the catalog; `user`: not a built-in one. Like PostgreSQL, its place
// is checked once the call itself is resolved.
expr_ptr translate_aggregate(const FuncCall* fc, const function_name& f, bool user, const expr_env& env) {
    context& ctx = env.ctx;
    const expr_env inside = env.with(clause::aggregate_argument, nullptr);
    const auto before = ctx.references;
    std::vector<expr_ptr> args = translate_args(fc, inside);
    std::vector<ir::sort_key> order = sort_keys(fc->agg_order, inside);
    expr_ptr filter = filter_of(fc, env);
    // An aggregate whose arguments read columns of enclosing levels only is that level's
    // aggregate in PostgreSQL (`SELECT max(t.x) FROM u` in a subquery of t's query: one value
    // per group of t, on each row of u), not this level's.
    const long long outer = ctx.references.outer - before.outer, all = ctx.references.all - before.all;
    if (outer > 0 && all == outer) {
        // (Not this level's: allowed where this level allows none, as in its WHERE clause.)
        ctx.unsupported("aggregate " + f.name + "() of an enclosing query's columns", fc->location);
        return placeholder(opaque_type());
    }
    if (fc->func_variadic) ctx.unsupported("VARIADIC argument", fc->location);
    ir::agg_call call;
    call.name = f.name;
    call.func = user ? agg_func::other : classify_aggregate(f.name);
    call.filter = filter;
    call.distinct = fc->agg_distinct;
    call.within_group = fc->agg_within_group;
    call.order_by = std::move(order);
    if (fc->agg_star) {
        if (f.name != "count" || user)
            ctx.fail(sqlstate::wrong_object_type, f.name + "(*) must be used to call a parameterless aggregate function",
                     fc->location);
        call.func = agg_func::count_star;
        call.type = make_type(type_kind::int8);
    } else {
        std::vector<sql_type> ordered;
        if (call.within_group)
            for (const auto& k : call.order_by) ordered.push_back(k.expr->type);
        const auto types = types_of(args);
        const bool stand_in = std::ranges::find(types, opaque_type()) != types.end() ||
                              std::ranges::find(ordered, opaque_type()) != ordered.end();
        auto res = stand_in ? std::nullopt
                            : ctx.cat.resolve_function({f.schema, f.name, types, call_kind::aggregate, false, ordered,
                                                        ctx.position(fc->location)});
        if (!res) {
            ctx.unsupported("aggregate " + f.name + "() over types " + [&] {
                std::string t;
                for (const auto& a : args) t += (t.empty() ? "" : ", ") + typing::display_name(a->type);
                for (const auto& o : ordered) t += (t.empty() ? "" : ", ") + typing::display_name(o);
                return t;
            }(), fc->location);
            check_aggregate_allowed(env, fc->location);
            ir::agg_call stand_in_call;
            stand_in_call.func = agg_func::count_star;
            stand_in_call.name = "count";
            stand_in_call.type = opaque_type();
            collect(*env.aggs, std::move(stand_in_call));
            return placeholder(opaque_type());
        }
        if (res->vol == ir::volatility::volatile_) ctx.unsupported("volatile aggregate " + f.name + "()", fc->location);
        call.schema = res->schema;
        if (call.schema != "pg_catalog") call.func = agg_func::other;
        for (std::size_t i = 0; i < args.size(); ++i) args[i] = coerce_unknown(args[i], res->args[i]);
        // A whole-row reference is NULL where its row is not there, never for NULL fields (which
        // make IS NULL, as maintenance tests its inputs, true): count(t.*) counts t's NOT NULL
        // column instead; other aggregates of it are not maintained.
        for (auto& a : args)
            if (const auto present = whole_row_presence(*a)) {
                if (call.func != agg_func::count || call.distinct) ctx.unsupported("aggregate " + f.name + "() of a whole-row reference", fc->location);
                a = *present;
            }
        call.args = std::move(args);
        call.type = res->result;
    }
    if (call.distinct && !call.within_group)
        for (const auto& k : call.order_by)
            if (std::ranges::none_of(call.args, [&](const expr_ptr& a) { return ir::equivalent(*a, *k.expr); }))
                ctx.fail("42P10", "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                         expr_location(static_cast<const Node*>(linitial(fc->agg_order))));
    check_aggregate_allowed(env, fc->location);
    return collect(*env.aggs, std::move(call));
}

bool same_window_call(const ir::window_call& a, const ir::window_call& b) {
    auto same_keys = [](const std::vector<ir::sort_key>& x, const std::vector<ir::sort_key>& y) {
        return std::ranges::equal(x, y, [](const ir::sort_key& p, const ir::sort_key& q) {
            return p.descending == q.descending && p.nulls_first == q.nulls_first && same_expr(p.expr, q.expr);
        });
    };
    const auto& fa = a.frame;
    const auto& fb = b.frame;
    return a.name == b.name && a.star == b.star && same_expr(a.filter, b.filter) && std::ranges::equal(a.args, b.args, same_expr) &&
           std::ranges::equal(a.partition_by, b.partition_by, same_expr) && same_keys(a.order_by, b.order_by) &&
           fa.units == fb.units && fa.start == fb.start && fa.end == fb.end && fa.exclude == fb.exclude &&
           same_expr(fa.start_offset, fb.start_offset) && same_expr(fa.end_offset, fb.end_offset);
}

sql_type window_result(const function_name& f, const std::vector<expr_ptr>& args) {
    if (in_list(f.name, {"row_number", "rank", "dense_rank", "count"})) return make_type(type_kind::int8);
    if (f.name == "ntile") return make_type(type_kind::int4);
    if (in_list(f.name, {"percent_rank", "cume_dist"})) return make_type(type_kind::float8);
    if (!args.empty()) {
        // The value's type, without its modifier (a polymorphic result's, as PostgreSQL types it).
        if (in_list(f.name, {"lag", "lead", "first_value", "last_value", "nth_value", "min", "max"})) {
            const auto k = args[0]->type.kind;
            return k == type_kind::other || k == type_kind::unknown ? args[0]->type : make_type(k);
        }
        if (f.name == "sum") return sum_type(args[0]->type);
        if (f.name == "avg") return avg_type(args[0]->type);
    }
    return opaque_type();
}

// A frame bound of WindowDef's frameOptions (`start` or end), with its offset.
ir::window_frame::bound frame_bound(int options, bool start) {
    using b = ir::window_frame::bound;
    auto has = [&](int s, int e) { return (options & (start ? s : e)) != 0; };
    if (has(FRAMEOPTION_START_UNBOUNDED_PRECEDING, FRAMEOPTION_END_UNBOUNDED_PRECEDING)) return b::unbounded_preceding;
    if (has(FRAMEOPTION_START_UNBOUNDED_FOLLOWING, FRAMEOPTION_END_UNBOUNDED_FOLLOWING)) return b::unbounded_following;
    if (has(FRAMEOPTION_START_OFFSET_PRECEDING, FRAMEOPTION_END_OFFSET_PRECEDING)) return b::offset_preceding;
    if (has(FRAMEOPTION_START_OFFSET_FOLLOWING, FRAMEOPTION_END_OFFSET_FOLLOWING)) return b::offset_following;
    return b::current_row;
}

ir::window_frame frame_of(const WindowDef* w, const expr_env& env) {
    ir::window_frame f;
    const int o = w->frameOptions;
    if (!(o & FRAMEOPTION_NONDEFAULT)) return f;
    f.units = (o & FRAMEOPTION_ROWS) ? ir::window_frame::unit::rows
              : (o & FRAMEOPTION_GROUPS) ? ir::window_frame::unit::groups : ir::window_frame::unit::range;
    f.start = frame_bound(o, true);
    f.end = frame_bound(o, false);
    const expr_env offsets = env.with(clause::window_definition, nullptr);
    if (w->startOffset) f.start_offset = translate_expr(w->startOffset, offsets);
    if (w->endOffset) f.end_offset = translate_expr(w->endOffset, offsets);
    for (const auto& off : {f.start_offset, f.end_offset})
        if (off && !ir::referenced_columns(*off).empty())
            env.ctx.fail(sqlstate::grouping_error, "argument of a window frame offset must not contain variables", -1);
    if (o & FRAMEOPTION_EXCLUDE_CURRENT_ROW) f.exclude = ir::window_frame::exclusion::current_row;
    if (o & FRAMEOPTION_EXCLUDE_GROUP) f.exclude = ir::window_frame::exclusion::group;
    if (o & FRAMEOPTION_EXCLUDE_TIES) f.exclude = ir::window_frame::exclusion::ties;
    return f;
}

// The WINDOW clause entry `name` of the level, or 42704 as PostgreSQL reports it.
const WindowDef* named_window(const expr_env& env, const char* name, int location) {
    if (env.windows)
        for (const Node* n : nodes(env.windows->named))
            if (as<WindowDef>(n)->name && std::string(as<WindowDef>(n)->name) == name) return as<WindowDef>(n);
    env.ctx.fail("42704", std::string("window \"") + name + "\" does not exist", location);
    return nullptr;
}

// A window function (or an aggregate used as one): recorded at its level, which adds a window
// node computing it; stands in the expression as a placeholder until then. `OVER w` is the
// named window w; `OVER (w ORDER BY …)` takes w's PARTITION BY (and ORDER BY when it has one).
expr_ptr translate_window_call(const FuncCall* fc, const function_name& f, const expr_env& env) {
    context& ctx = env.ctx;
    ir::window_call call;
    call.name = f.name;
    call.args = translate_args(fc, env);
    call.star = fc->agg_star;
    call.filter = filter_of(fc, env);
    expr_env def_env = env.with(clause::window_definition, env.aggs);
    const WindowDef* over = fc->over;
    const WindowDef* base = over;
    if (over->name) over = base = named_window(env, over->name, fc->location);
    if (over->refname) {
        base = named_window(env, over->refname, over->location);
        if (base->orderClause && over->orderClause)
            ctx.fail("42P20", std::string("cannot override ORDER BY clause of window \"") + over->refname + "\"", over->location);
        if (base->frameOptions & FRAMEOPTION_NONDEFAULT)
            ctx.fail("42P20", std::string("cannot copy window \"") + over->refname + "\" because it has a frame clause",
                     over->location);
    }
    for (const Node* n : nodes(base->partitionClause)) call.partition_by.push_back(translate_expr(n, def_env));
    call.order_by = sort_keys(over->orderClause ? over->orderClause : base->orderClause, def_env);
    if (env.where == clause::aggregate_argument)
        ctx.fail(sqlstate::grouping_error, "aggregate function calls cannot contain window function calls", fc->location);
    if (env.where != clause::select_list && env.where != clause::order_by)
        ctx.fail("42P20", std::string("window functions are not allowed in ") + clause_name(env.where), fc->location);
    if (fc->agg_distinct)
        ctx.fail(sqlstate::feature_not_supported, "DISTINCT is not implemented for window functions", fc->location);
    if (fc->agg_order)
        ctx.fail(sqlstate::feature_not_supported, "aggregate ORDER BY is not implemented for window functions", fc->location);
    call.frame = frame_of(over, env);
    // Typed by the catalog (a window function, or an aggregate used as one), or by the
    // built-in window functions' result rules.
    const auto types = types_of(call.args);
    const auto res = std::ranges::find(types, opaque_type()) != types.end()
                         ? std::nullopt
                         : ctx.cat.resolve_function({f.schema, f.name, types, call_kind::window, call.star, {},
                                                     ctx.position(fc->location)});
    if (res) {
        call.type = res->result;
        call.schema = res->schema;
        for (std::size_t i = 0; i < call.args.size(); ++i) call.args[i] = coerce_unknown(call.args[i], res->args[i]);
        if (res->vol == ir::volatility::volatile_) ctx.unsupported("volatile window function " + f.name + "()", fc->location);
    } else {
        call.type = window_result(f, call.args);
        // lag/lead's default takes the value's type.
        if (in_list(f.name, {"lag", "lead"}) && call.args.size() == 3)
            call.args[2] = coerce_unknown(call.args[2], call.args[0]->type);
    }
    const bool typed = res || (f.builtin_schema() && call.type != opaque_type());
    if (!env.windows || !typed) {
        ctx.unsupported("window function " + f.name + "()", fc->location);
        return placeholder(call.type);
    }
    for (std::size_t i = 0; i < env.windows->calls.size(); ++i)
        if (same_window_call(env.windows->calls[i], call)) return env.windows->results[i];
    env.windows->results.push_back(ir::make_column(-1, call.type));
    env.windows->calls.push_back(std::move(call));
    return env.windows->results.back();
}

} // namespace

function_name name_of(const FuncCall* fc) {
    std::vector<std::string> parts;
    for (const Node* n : nodes(fc->funcname)) parts.push_back(str(n));
    return {parts.size() >= 2 ? parts[parts.size() - 2] : std::string{}, parts.back()};
}

expr_ptr translate_func_call(const FuncCall* fc, const expr_env& env) {
    context& ctx = env.ctx;
    const function_name f = name_of(fc);
    if (fc->over) return translate_window_call(fc, f, env);
    if (f.builtin_schema() && typing::is_builtin_aggregate(f.name)) return translate_aggregate(fc, f, false, env);
    if (!(f.builtin_schema() && typing::is_builtin_function(f.name)))
        if (ctx.cat.find_aggregate(f.schema, f.name, list_length(fc->args))) return translate_aggregate(fc, f, true, env);
    if (set_returning(f)) {
        ctx.unsupported("set-returning function " + f.name + "()", fc->location);
        translate_args(fc, env);
        return placeholder(opaque_type());
    }
    std::vector<expr_ptr> args = translate_args(fc, env);
    std::vector<sql_type> types = types_of(args);
    const int position = ctx.position(fc->location);
    const bool called_as_aggregate = fc->agg_star || fc->agg_distinct || fc->agg_order || fc->agg_filter;
    if (std::ranges::find(types, opaque_type()) != types.end()) return placeholder(opaque_type());
    auto res = ctx.cat.resolve_function({f.schema, f.name, types, call_kind::function, false, {}, position});
    if (!res || called_as_aggregate) typing::throw_no_function(f.qualified(), types, position);
    if (fc->func_variadic) ctx.unsupported("VARIADIC argument", fc->location);
    for (std::size_t i = 0; i < args.size(); ++i) args[i] = coerce_unknown(args[i], res->args[i]);
    if (res->returns_set) {
        ctx.unsupported("set-returning function " + f.name + "()", fc->location);
        return placeholder(res->result);
    }
    if (res->is_cast) return make_cast(args[0], res->result, res->vol);
    if (res->vol == ir::volatility::volatile_) ctx.unsupported("volatile function " + f.name + "()", fc->location);
    return ir::make_call(expr_kind::func, res->schema, f.name, res->result, std::move(args), res->vol);
}

expr_ptr translate_grouping_func(const GroupingFunc* g, const expr_env& env) {
    context& ctx = env.ctx;
    if (env.where == clause::aggregate_argument)
        ctx.fail(sqlstate::grouping_error, "aggregate function calls cannot contain grouping operations", g->location);
    if (!env.aggs)
        ctx.fail(sqlstate::grouping_error, std::string("grouping operations are not allowed in ") + clause_name(env.where),
                 g->location);
    if (list_length(g->args) > 31)
        ctx.fail("54011", "GROUPING must have fewer than 32 arguments", g->location);
    agg_collector::grouping_call call{nullptr, {}, g->location};
    for (const Node* a : nodes(g->args)) call.args.push_back(translate_expr(a, env.with(clause::group_by, nullptr)));
    auto stand_in = std::make_shared<ir::expr>(*placeholder(make_type(type_kind::int4)));
    stand_in->name = "grouping#" + std::to_string(env.aggs->groupings.size());
    call.result = stand_in;
    env.aggs->groupings.push_back(std::move(call));
    return env.aggs->groupings.back().result;
}

expr_ptr translate_sql_value_function(const SQLValueFunction* svf, const expr_env& env) {
    auto call = [](const char* name, sql_type type) {
        return ir::make_call(expr_kind::func, "pg_catalog", name, std::move(type), {}, ir::volatility::stable);
    };
    // The SQL-standard forms are now() in the session's time zone, cast as the standard says.
    auto now_as = [&](const char* type_name) {
        sql_type t = parse_type_name(type_name);
        if (svf->typmod >= 0) t.name += "(" + std::to_string(svf->typmod) + ")";
        if (t.kind == type_kind::other) t.name = "pg_catalog." + t.name;
        return make_cast(call("now", make_type(type_kind::timestamptz)), t);
    };
    const sql_type name_type{type_kind::other, "pg_catalog.name"};
    switch (svf->op) {
    case SVFOP_CURRENT_DATE: return now_as("date");
    case SVFOP_CURRENT_TIME:
    case SVFOP_CURRENT_TIME_N: return now_as("timetz");
    case SVFOP_CURRENT_TIMESTAMP: return call("now", make_type(type_kind::timestamptz));
    case SVFOP_CURRENT_TIMESTAMP_N: return now_as("timestamptz");
    case SVFOP_LOCALTIME:
    case SVFOP_LOCALTIME_N: return now_as("time");
    case SVFOP_LOCALTIMESTAMP:
    case SVFOP_LOCALTIMESTAMP_N: return now_as("timestamp");
    case SVFOP_CURRENT_ROLE:
    case SVFOP_CURRENT_USER:
    case SVFOP_USER: return call("current_user", name_type);
    case SVFOP_SESSION_USER: return call("session_user", name_type);
    case SVFOP_CURRENT_CATALOG: return call("current_database", name_type);
    case SVFOP_CURRENT_SCHEMA: return call("current_schema", name_type);
    }
    env.ctx.unsupported("SQL value function", svf->location);
    return placeholder(opaque_type());
}

} // namespace pgt::frontend
