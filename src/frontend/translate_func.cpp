// Function calls: the aggregates the IR maintains, other aggregates and window functions
// (unsupported), built-in functions typed by pgt/typing.hpp, and everything else resolved
// by the catalog. Volatile functions are recorded: DIFFERENTIAL cannot maintain them.
#include <algorithm>
#include <optional>

#include "frontend/coerce.hpp"
#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

namespace {

using ir::agg_func;
using ir::expr_kind;
using ir::expr_ptr;

struct function_name {
    std::string schema, name;
    bool builtin_schema() const { return schema.empty() || schema == "pg_catalog"; }
    std::string qualified() const { return schema.empty() ? name : schema + "." + name; }
};

function_name name_of(const FuncCall* fc) {
    std::vector<std::string> parts;
    for (const Node* n : nodes(fc->funcname)) parts.push_back(str(n));
    return {parts.size() >= 2 ? parts[parts.size() - 2] : std::string{}, parts.back()};
}

std::optional<agg_func> maintained_aggregate(const function_name& f) {
    if (!f.builtin_schema()) return std::nullopt;
    if (f.name == "count") return agg_func::count;
    if (f.name == "sum") return agg_func::sum;
    if (f.name == "avg") return agg_func::avg;
    if (f.name == "min") return agg_func::min;
    if (f.name == "max") return agg_func::max;
    if (f.name == "bool_and" || f.name == "every") return agg_func::bool_and;
    if (f.name == "bool_or") return agg_func::bool_or;
    return std::nullopt;
}

bool in_list(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::ranges::find(names, name) != names.end();
}

// pg_catalog aggregates the IR does not maintain.
bool other_builtin_aggregate(const function_name& f) {
    return f.builtin_schema() &&
           (in_list(f.name, {"array_agg", "string_agg", "json_agg", "jsonb_agg", "json_object_agg",
                             "jsonb_object_agg", "xmlagg", "stddev", "stddev_pop", "stddev_samp",
                             "variance", "var_pop", "var_samp", "bit_and", "bit_or", "bit_xor",
                             "corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy",
                             "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx",
                             "regr_sxy", "regr_syy", "percentile_cont", "percentile_disc", "mode",
                             "range_agg", "range_intersect_agg", "any_value"}) ||
            f.name.starts_with("json_object_agg") || f.name.starts_with("jsonb_object_agg"));
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

// Registers an aggregate at this level; an identical call already there is shared.
expr_ptr collect(agg_collector& aggs, ir::agg_call call) {
    auto same = [](const expr_ptr& a, const expr_ptr& b) { return a == b || (a && b && ir::equivalent(*a, *b)); };
    for (std::size_t i = 0; i < aggs.calls.size(); ++i) {
        const auto& c = aggs.calls[i];
        if (c.func == call.func && same(c.arg, call.arg) && same(c.filter, call.filter)) return aggs.results[i];
    }
    aggs.results.push_back(ir::make_column(-1, call.type));
    aggs.calls.push_back(std::move(call));
    return aggs.results.back();
}

// The call with its arguments and FILTER translated and typed; nullopt (recorded as
// unsupported) when its argument's type is opaque to the compiler.
std::optional<ir::agg_call> resolve_aggregate_call(const FuncCall* fc, agg_func func, const function_name& f,
                                                   const expr_env& env) {
    context& ctx = env.ctx;
    std::vector<expr_ptr> args = translate_args(fc, env.with(clause::aggregate_argument, nullptr));
    expr_ptr filter = filter_of(fc, env);
    if (fc->agg_star) {
        if (func != agg_func::count)
            ctx.fail(sqlstate::wrong_object_type, f.name + "(*) must be used to call a parameterless aggregate function",
                     fc->location);
        return ir::agg_call{agg_func::count_star, nullptr, filter, make_type(type_kind::int8)};
    }
    if (args.size() != 1) typing::throw_no_function(f.name, types_of(args), ctx.position(fc->location));
    auto res = typing::resolve_aggregate(func, args[0]->type, ctx.position(fc->location));
    if (!res) {
        ctx.unsupported(f.name + "() over type " + typing::display_name(args[0]->type), fc->location);
        return std::nullopt;
    }
    // count() of an unknown literal counts text, like any string.
    sql_type arg_type = res->args[0].kind == type_kind::unknown ? make_type(type_kind::text) : res->args[0];
    return ir::agg_call{func, coerce_unknown(args[0], arg_type), filter, res->result};
}

// Like PostgreSQL, an aggregate's place is checked once the call itself is resolved.
expr_ptr translate_maintained_aggregate(const FuncCall* fc, agg_func func, const function_name& f,
                                        const expr_env& env) {
    if (fc->agg_distinct) env.ctx.unsupported(f.name + "(DISTINCT …)", fc->location);
    if (fc->agg_order) env.ctx.unsupported("ORDER BY inside aggregate " + f.name + "()", fc->location);
    auto call = resolve_aggregate_call(fc, func, f, env);
    check_aggregate_allowed(env, fc->location);
    return call ? collect(*env.aggs, std::move(*call)) : placeholder(opaque_type());
}

// Aggregates outside the IR still make their level an aggregate query (so its grouping
// errors are reported), through a stand-in call.
expr_ptr translate_other_aggregate(const FuncCall* fc, const function_name& f, const expr_env& env) {
    env.ctx.unsupported("aggregate " + f.name + "()", fc->location);
    translate_args(fc, env.with(clause::aggregate_argument, nullptr));
    for (const Node* n : nodes(fc->agg_order)) translate_expr(as<SortBy>(n)->node, env.with(clause::aggregate_argument, nullptr));
    filter_of(fc, env);
    check_aggregate_allowed(env, fc->location);
    collect(*env.aggs, {agg_func::count_star, nullptr, nullptr, opaque_type()});
    return placeholder(opaque_type());
}

sql_type window_result(const function_name& f, const std::vector<expr_ptr>& args) {
    if (in_list(f.name, {"row_number", "rank", "dense_rank", "count"})) return make_type(type_kind::int8);
    if (f.name == "ntile") return make_type(type_kind::int4);
    if (in_list(f.name, {"percent_rank", "cume_dist"})) return make_type(type_kind::float8);
    if (!args.empty()) {
        if (in_list(f.name, {"lag", "lead", "first_value", "last_value", "nth_value", "min", "max"})) return args[0]->type;
        if (f.name == "sum") return sum_type(args[0]->type);
        if (f.name == "avg") return avg_type(args[0]->type);
    }
    return opaque_type();
}

expr_ptr translate_window_call(const FuncCall* fc, const function_name& f, const expr_env& env) {
    context& ctx = env.ctx;
    ctx.unsupported("window function " + f.name + "()", fc->location);
    std::vector<expr_ptr> args = translate_args(fc, env);
    filter_of(fc, env);
    expr_env def_env = env.with(clause::window_definition, env.aggs);
    for (const Node* n : nodes(fc->over->partitionClause)) translate_expr(n, def_env);
    for (const Node* n : nodes(fc->over->orderClause)) translate_expr(as<SortBy>(n)->node, def_env);
    if (env.where == clause::aggregate_argument)
        ctx.fail(sqlstate::grouping_error, "aggregate function calls cannot contain window function calls", fc->location);
    if (env.where != clause::select_list && env.where != clause::order_by)
        ctx.fail("42P20", std::string("window functions are not allowed in ") + clause_name(env.where), fc->location);
    return placeholder(window_result(f, args));
}

} // namespace

expr_ptr translate_func_call(const FuncCall* fc, const expr_env& env) {
    context& ctx = env.ctx;
    const function_name f = name_of(fc);
    if (fc->over) return translate_window_call(fc, f, env);
    if (auto agg = maintained_aggregate(f)) return translate_maintained_aggregate(fc, *agg, f, env);
    if (other_builtin_aggregate(f) || fc->agg_within_group) return translate_other_aggregate(fc, f, env);
    if (set_returning(f)) {
        ctx.unsupported("set-returning function " + f.name + "()", fc->location);
        translate_args(fc, env);
        return placeholder(opaque_type());
    }
    std::vector<expr_ptr> args = translate_args(fc, env);
    std::vector<sql_type> types = types_of(args);
    const int position = ctx.position(fc->location);
    const bool called_as_aggregate = fc->agg_star || fc->agg_distinct || fc->agg_order || fc->agg_filter;
    std::optional<typing::resolved_call> res;
    if (f.builtin_schema() && !called_as_aggregate) res = typing::resolve_builtin_function(f.name, types, position);
    std::string schema = "pg_catalog";
    if (!res) {
        auto info = ctx.cat.find_function(f.schema, f.name, types);
        if (!info) {
            // An argument standing in for an untranslatable construct has no real type to match.
            if (std::ranges::find(types, opaque_type()) != types.end()) return placeholder(opaque_type());
            typing::throw_no_function(f.qualified(), types, position);
        }
        // Called like an aggregate: a user-defined one (the catalog cannot say so).
        if (called_as_aggregate) return translate_other_aggregate(fc, f, env);
        res = typing::resolved_call{types, info->result, info->vol};
        schema = info->schema;
    }
    if (fc->func_variadic) ctx.unsupported("VARIADIC argument", fc->location);
    for (std::size_t i = 0; i < args.size(); ++i) args[i] = coerce_unknown(args[i], res->args[i]);
    if (res->vol == ir::volatility::volatile_) ctx.unsupported("volatile function " + f.name + "()", fc->location);
    return ir::make_call(expr_kind::func, schema, f.name, res->result, std::move(args), res->vol);
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
