// FROM items: tables (scans), views (inlined), CTE references, subqueries and joins, with
// PostgreSQL's namespace rules and error messages (parse_clause.c, parse_relation.c).
#include "frontend/translate_from.hpp"

#include <algorithm>

#include "frontend/coerce.hpp"
#include "frontend/correlation.hpp"
#include "frontend/json_table.hpp"
#include "frontend/operators.hpp"
#include "frontend/table_functions.hpp"
#include "frontend/translate_expr.hpp"
#include "frontend/translate_select.hpp"

namespace pgt::frontend {

namespace {

using ir::expr_ptr;
using ir::rel_ptr;

from_result translate_item(context& ctx, const Node* n, const select_scope& env, const from_result* lateral_left,
                           correlation* corr, bool direct = true, bool spine = false);

// A range over all columns of `rel` (a scan, subquery, view or CTE).
from_result single_range(context& ctx, rel_ptr rel, const std::string& name, const Alias* alias,
                         const std::string& schema) {
    from_result r;
    const std::string refname = alias ? std::string(alias->aliasname) : name;
    std::vector<std::string> names;
    for (const auto& c : rel->columns) names.push_back(c.name);
    r.names = alias ? apply_aliases(ctx, std::move(names), alias->colnames, "table \"" + refname + "\"", -1) : names;
    for (std::size_t i = 0; i < rel->columns.size(); ++i) {
        r.values.push_back(ir::make_column(static_cast<int>(i), rel->columns[i].type));
        r.origins.push_back({refname, r.names[i], -1, nullptr, -1});
    }
    r.items.push_back({refname, alias ? std::string{} : schema, true, true, false, r.names, r.values});
    r.rel = std::move(rel);
    return r;
}

from_result table_range(context& ctx, const ir::table_ptr& t, const RangeVar* rv) {
    const std::string refname = rv->alias ? std::string(rv->alias->aliasname) : t->name;
    from_result r = single_range(ctx, ir::make_rel(ir::scan{t, refname}, {}, t->columns), t->name, rv->alias, t->schema);
    r.items[0].is_table = true;
    const int range_id = ctx.new_range_id();
    for (std::size_t i = 0; i < r.origins.size(); ++i) {
        r.origins[i].range_id = range_id;
        r.origins[i].table = t;
        r.origins[i].table_column = static_cast<int>(i);
    }
    return r;
}

rel_ptr expand_view(context& ctx, const relation_info& info, const std::string& qualified) {
    if (auto it = ctx.view_cache.find(qualified); it != ctx.view_cache.end()) return it->second;
    if (std::ranges::find(ctx.expanding_views, qualified) != ctx.expanding_views.end())
        throw error("42P17", "infinite recursion detected in rules for relation \"" + qualified + "\"");
    const void* tree = nullptr;
    try {
        tree = ctx.parse(info.view_definition);
    } catch (const error& e) {
        throw error(e.code(), "definition of view " + qualified + ": " + e.what());
    }
    const List* stmts = static_cast<const List*>(tree);
    const Node* stmt = list_length(stmts) == 1 ? as<RawStmt>(static_cast<const Node*>(linitial(stmts)))->stmt : nullptr;
    if (!stmt || !IsA(stmt, SelectStmt))
        throw error(sqlstate::internal_error, "definition of view " + qualified + " is not a single SELECT");

    ctx.expanding_views.push_back(qualified);
    rel_ptr rel;
    {
        context::view_text_guard text(ctx, info.view_definition);
        rel = translate_select(ctx, as<SelectStmt>(stmt), select_scope{});
    }
    ctx.expanding_views.pop_back();
    // The catalog's column names win: CREATE VIEW v (a, b) renames the SELECT's columns.
    if (info.table && !info.table->columns.empty() && info.table->columns.size() <= rel->columns.size()) {
        auto cols = rel->columns;
        for (std::size_t i = 0; i < info.table->columns.size(); ++i) cols[i].name = info.table->columns[i].name;
        rel = ir::make_rel(rel->node, rel->inputs, std::move(cols));
    }
    ctx.view_cache.emplace(qualified, rel);
    return rel;
}

/// Change capture is by statement triggers, which see only the statements that name their
/// table. A partitioned table has them on every partition as well; an inheritance parent does
/// not, so rows written directly into its children would be missed, and a partition or child
/// misses the rows written through its parent. Such tables are refused in every mode, since
/// FULL stream tables too are refreshed by the scheduler only when changes were captured.
void check_capture_covers(const context& ctx, const relation_info& info, const std::string& written, const RangeVar* rv) {
    if (!info.parent.empty())
        ctx.fail(sqlstate::feature_not_supported,
                 "stream tables cannot read " + written + ": it is " +
                     (info.is_partition ? "a partition of " : "an inheritance child of ") + info.parent +
                     ", and changes made through " + info.parent + " are not captured",
                 rv->location);
    if (info.has_children && rv->inh && !info.partitioned) {
        ctx.fail(sqlstate::feature_not_supported,
                 "stream tables cannot read inheritance parent " + written +
                     ": rows written directly to its child tables are not captured",
                 rv->location, "Read FROM ONLY " + written + " for the parent's own rows (maintained by FULL refresh).");
    }
}

from_result relation_range(context& ctx, const RangeVar* rv) {
    const std::string schema = rv->schemaname ? rv->schemaname : "";
    const std::string written = schema.empty() ? std::string(rv->relname) : schema + "." + rv->relname;
    auto info = ctx.cat.find_relation(schema, rv->relname);
    if (!info) ctx.fail(sqlstate::undefined_table, "relation \"" + written + "\" does not exist", rv->location);
    if (info->is_temporary)
        ctx.fail(sqlstate::feature_not_supported, "stream tables cannot read temporary table " + written, rv->location);
    const ir::table_ptr& t = info->table;
    // Changes of these relations cannot be captured (no triggers, or none with transition
    // tables), so no refresh mode can keep a stream table over them current.
    const char* uncapturable = info->kind == relation_kind::materialized_view ? "materialized view "
                               : info->kind == relation_kind::foreign_table   ? "foreign table "
                               : info->kind == relation_kind::other           ? "relation "
                                                                              : nullptr;
    if (uncapturable)
        ctx.fail(sqlstate::feature_not_supported,
                 std::string("stream tables cannot read ") + uncapturable + written +
                     ": changes to it cannot be captured (capture needs triggers with transition tables)",
                 rv->location,
                 info->kind == relation_kind::materialized_view
                     ? "Define the stream table over the materialized view's query instead."
                     : "");
    if (info->kind == relation_kind::view) {
        const std::string qualified = t ? t->schema + "." + t->name : written;
        rel_ptr rel = expand_view(ctx, *info, qualified);
        return single_range(ctx, rel, t ? t->name : std::string(rv->relname), rv->alias, t ? t->schema : schema);
    }
    check_capture_covers(ctx, *info, written, rv);
    // A parent's capture also records its children's rows changed through it, so a delta
    // of the parent alone cannot be told apart; FULL refresh reads the parent's own rows.
    if (!rv->inh) ctx.unsupported("FROM ONLY " + written, rv->location);
    ctx.add_source(t);
    return table_range(ctx, t, rv);
}

from_result range_var(context& ctx, const RangeVar* rv, const select_scope& env) {
    if (!rv->schemaname) {
        // CTE names shadow tables; the innermost WITH wins.
        for (cte_scope* cs : env.ctes)
            for (std::size_t i = 0; i < cs->visible; ++i)
                if (cs->defs[i].name == rv->relname)
                    return single_range(ctx, reference_cte(ctx, *cs, i, rv->location), rv->relname, rv->alias, {});
    }
    return relation_range(ctx, rv);
}

// A LATERAL subquery reading the items to its left: pulled up, it is the subquery's FROM
// rows with its correlated conjuncts as join condition and its select list over both sides;
// lifted, it is evaluated per distinct combination D of the values it reads.
// `sees_left`: LATERAL (a subquery in FROM without it reads only outer levels, which a lifted
// level's row holds in D: it is evaluated over that row all the same, the names to its left
// hidden).
from_result lateral_subquery(context& ctx, const RangeSubselect* rs, const select_scope& env, const from_result& left,
                             correlation* level_corr, bool sees_left) {
    const auto* select = as<SelectStmt>(rs->subquery);
    const std::string alias = rs->alias->aliasname;
    const select_scope left_scope{sees_left ? &left.items : nullptr, sees_left ? &left.origins : nullptr, &env, env.ctes,
                                  level_corr};
    auto run = [&](context& c, correlation* corr) {
        const place_scope lateral(left.level_row ? level_corr : nullptr, correlation::place::lateral);
        return translate_select(c, select, left_scope, {.corr = corr});
    };
    const auto& decision = discover(ctx, rs, true, [&](context& c, correlation& corr) { run(c, &corr); });
    if (!decision.refusal.empty()) ctx.unsupported(decision.refusal, -1);
    if (!decision.mode || !decision.refusal.empty()) return single_range(ctx, run(ctx, nullptr), alias, rs->alias, {});

    const int w = static_cast<int>(left.rel->columns.size());
    from_result r;
    r.lateral = true;
    std::vector<std::string> names;
    if (*decision.mode == correlation::mode::pull_up) {
        correlation corr(correlation::mode::pull_up, decision.types);
        r.rel = run(ctx, &corr);
        std::vector<ir::expr_ptr> map;
        for (int j = 0; j < corr.width; ++j) map.push_back(ir::make_column(w + j, r.rel->columns[static_cast<std::size_t>(j)].type));
        for (const auto& v : corr.values()) map.push_back(v);
        if (corr.condition) r.condition = ir::substitute_columns(corr.condition, map);
        for (const auto& t : corr.targets) r.values.push_back(ir::substitute_columns(t, map));
        names = corr.names;
    } else {
        correlation corr(correlation::mode::lift, decision.types);
        corr.d = placeholder_rel(d_columns(decision.types));
        const ir::rel_ptr lifted = run(ctx, &corr); // records the outer values D is made of
        r.rel = replace_rel(lifted, corr.d.get(), make_d(left.rel, corr.values()));
        std::vector<ir::expr_ptr> same;
        for (std::size_t i = 0; i < corr.values().size(); ++i)
            same.push_back(same_value(ctx, corr.values()[i], ir::make_column(w + static_cast<int>(i), decision.types[i]),
                                      ir::never_null(*corr.values()[i], left.rel->columns)));
        r.condition = ir::make_and(std::move(same));
        for (std::size_t j = decision.types.size(); j < r.rel->columns.size(); ++j) {
            r.values.push_back(ir::make_column(w + static_cast<int>(j), r.rel->columns[j].type));
            names.push_back(r.rel->columns[j].name);
        }
    }
    r.names = apply_aliases(ctx, std::move(names), rs->alias->colnames, "table \"" + alias + "\"", -1);
    for (const auto& c : r.rel->columns) r.origins.push_back({alias, c.name, -1, nullptr, -1});
    r.items.push_back({alias, {}, true, true, false, r.names, r.values});
    return r;
}

// `direct`: the item joins the items to its left itself (it is not the left side of a JOIN,
// whose row would not hold them); `spine`: it is the first input of a join on a lifted level's
// spine (see join), which the join joins to the level's row.
from_result subquery(context& ctx, const RangeSubselect* rs, const select_scope& env, const from_result* lateral_left,
                     correlation* level_corr, bool direct, bool spine) {
    if (!rs->alias)
        ctx.fail(sqlstate::syntax_error, "subquery in FROM must have an alias", -1,
                 "For example, FROM (SELECT ...) [AS] foo.");
    if (rs->lateral && lateral_left && direct) return lateral_subquery(ctx, rs, env, *lateral_left, level_corr, true);
    // In a correlated level, a subquery in FROM reads the enclosing levels through the level's
    // correlation, as a LATERAL one would (so a lifted level passes their values in D).
    const place_scope lateral(level_corr && !rs->lateral ? level_corr : nullptr, correlation::place::lateral);
    if (!rs->lateral && level_corr && level_corr->current_mode() == correlation::mode::lift && lateral_left &&
        lateral_left->level_row && (direct || spine))
        return lateral_subquery(ctx, rs, env, *lateral_left, level_corr, false);
    // Without a correlation of its own, references to the items to its left are refused.
    const select_scope left_scope{rs->lateral && lateral_left ? &lateral_left->items : nullptr,
                                  rs->lateral && lateral_left ? &lateral_left->origins : nullptr, &env, env.ctes, level_corr};
    rel_ptr rel = translate_select(ctx, as<SelectStmt>(rs->subquery), (rs->lateral && lateral_left) || level_corr ? left_scope : env);
    return single_range(ctx, rel, rs->alias->aliasname, rs->alias, {});
}

// A set-returning function in FROM resolved through the catalog (user-defined ones, built-ins
// the front end does not know): its call and whether its rows are composite; nullopt when it
// is no set-returning function or its columns are not known (RETURNS SETOF record). Only an
// immutable one is maintained: its rows for a row must not change between refreshes.
std::optional<std::pair<ir::table_call, bool>> catalog_table_function(context& ctx, const function_name& f,
                                                                       std::vector<ir::expr_ptr> args, int location) {
    std::vector<sql_type> types;
    for (const auto& a : args) types.push_back(a->type);
    if (std::ranges::find(types, opaque_type()) != types.end()) return std::nullopt;
    auto res = ctx.cat.resolve_function({f.schema, f.name, types, call_kind::function, false, {}, ctx.position(location)});
    if (!res || !res->returns_set || res->set_columns.empty()) return std::nullopt;
    if (res->vol != ir::volatility::immutable)
        ctx.unsupported(std::string(res->vol == ir::volatility::stable ? "stable" : "volatile") + " function " + f.name +
                            "() in FROM",
                        location);
    for (std::size_t i = 0; i < args.size(); ++i) args[i] = coerce_unknown(args[i], res->args[i]);
    std::vector<ir::column> columns;
    for (const auto& c : res->set_columns) columns.push_back({c.name, c.type});
    return std::pair{ir::table_call{res->schema, f.name, std::move(args), std::move(columns), std::nullopt}, res->composite};
}

// A function in FROM that the front end cannot maintain: refused, with a stand-in range of
// the columns the query names so that the rest of the query still translates.
from_result refused_function(context& ctx, const RangeFunction* rf, const std::string& name) {
    std::vector<ir::column> cols;
    if (rf->alias && list_length(rf->alias->colnames) > 0) {
        for (const Node* c : nodes(rf->alias->colnames)) cols.push_back({str(c), opaque_type()});
    } else {
        cols.push_back({rf->alias ? std::string(rf->alias->aliasname) : name, opaque_type()});
    }
    if (rf->ordinality) cols.push_back({"ordinality", make_type(type_kind::int8)});
    from_result r = single_range(ctx, placeholder_rel(std::move(cols)), name, nullptr, {});
    if (rf->alias) r.items[0].refname = rf->alias->aliasname;
    return r;
}

// The range of table_function `tf` (its calls translated) over `lateral_left`, whose rows it
// extends: column names are the calls' (OUT parameters, JSON_TABLE's columns), else the alias
// (one function) or the function's name (`scalar_names`, per call), then the alias's list.
// With no table before it or on the left of a JOIN (refused), a stand-in of those columns.
// `scalar_row`: its whole-row reference is the value of its one column.
from_result function_columns(context& ctx, ir::table_function tf, const std::vector<std::string>& scalar_names,
                             const Alias* alias, const std::string& name, const from_result* lateral_left, bool direct,
                             bool scalar_row) {
    const std::string refname = alias ? std::string(alias->aliasname) : name;
    std::vector<ir::column> own;
    for (std::size_t i = 0; i < tf.calls.size(); ++i)
        for (auto c : tf.calls[i].columns) {
            if (c.name.empty()) c.name = alias && tf.calls.size() == 1 ? refname : scalar_names[i];
            own.push_back(c);
        }
    if (tf.ordinality) own.push_back({"ordinality", make_type(type_kind::int8)});
    std::vector<std::string> names;
    for (const auto& c : own) names.push_back(c.name);
    if (alias) names = apply_aliases(ctx, std::move(names), alias->colnames, "table \"" + refname + "\"", -1);
    for (std::size_t i = 0; i < own.size(); ++i) own[i].name = names[i];
    if (!lateral_left || !direct) return single_range(ctx, placeholder_rel(std::move(own)), refname, nullptr, {});
    for (std::size_t i = 0, k = 0; i < tf.calls.size(); ++i)
        for (auto& c : tf.calls[i].columns) c.name = own[k++].name;

    const rel_ptr& left = lateral_left->rel;
    const int w = static_cast<int>(left->columns.size());
    std::vector<ir::column> columns = left->columns;
    columns.insert(columns.end(), own.begin(), own.end());
    from_result r;
    r.extends_left = true;
    r.rel = ir::make_rel(std::move(tf), {left}, std::move(columns));
    r.names = std::move(names);
    for (std::size_t i = 0; i < own.size(); ++i) {
        r.values.push_back(ir::make_column(w + static_cast<int>(i), own[i].type));
        r.origins.push_back({refname, r.names[i], -1, nullptr, -1});
    }
    r.items.push_back({refname, {}, true, true, false, r.names, r.values});
    if (scalar_row) r.items.back().whole_row = 0;
    return r;
}

// Set-returning functions in FROM (implicitly LATERAL): a table_function over the items to
// their left, whose rows it extends (`extends_left`). `unnest(a, b)` is ROWS FROM (unnest(a),
// unnest(b)), as PostgreSQL rewrites it.
from_result function_range(context& ctx, const RangeFunction* rf, const select_scope& env, const from_result* lateral_left,
                           correlation* corr, bool direct) {
    // The arguments see the items to the left, else none of this level: either way a column of
    // an enclosing level is an outer reference, imported through the level's correlation.
    select_scope fn_scope = {nullptr, nullptr, &env, env.ctes, corr};
    if (lateral_left) fn_scope = {&lateral_left->items, &lateral_left->origins, &env, env.ctes, corr};
    const place_scope lateral(lateral_left && lateral_left->level_row ? corr : nullptr, correlation::place::lateral);
    std::string name = "function";
    int location = -1;
    ir::table_function tf{{}, rf->ordinality, false};
    std::vector<std::string> scalar_names; // per call: the name a scalar result takes
    std::vector<bool> composite;           // per call: its rows are of a composite type
    bool known = true;
    for (const Node* pair : nodes(rf->functions)) {
        const auto* items = reinterpret_cast<const List*>(pair);
        const Node* call = static_cast<const Node*>(linitial(items));
        if (!IsA(call, FuncCall)) {
            known = false;
            continue;
        }
        const auto* fc = as<FuncCall>(call);
        const function_name f = name_of(fc);
        const std::string& fname = f.name;
        if (location < 0) name = fname, location = fc->location;
        std::vector<expr_ptr> args;
        for (const Node* arg : nodes(fc->args)) args.push_back(translate_expr(arg, {ctx, fn_scope, clause::function_in_from}));
        if (list_length(items) > 1 && lsecond(items)) ctx.unsupported("column definition list for function " + fname + "()", fc->location);
        if (fc->agg_order || fc->agg_filter || fc->agg_star || fc->agg_distinct || fc->func_variadic || fc->over) known = false;
        std::vector<std::vector<expr_ptr>> arg_lists{args};
        if (fname == "unnest" && args.size() > 1 && !rf->is_rowsfrom) {
            arg_lists.clear();
            for (const auto& a : args) arg_lists.push_back({a});
        }
        for (auto& list : arg_lists) {
            auto sig = f.builtin_schema() ? builtin_table_function(fname, list) : std::nullopt;
            if (sig) {
                tf.calls.push_back({"pg_catalog", fname, std::move(sig->args), std::move(sig->columns), std::nullopt});
                composite.push_back(tf.calls.back().columns.size() > 1);
            } else if (auto call = catalog_table_function(ctx, f, std::move(list), fc->location)) {
                tf.calls.push_back(std::move(call->first));
                composite.push_back(call->second);
            } else {
                known = false;
                continue;
            }
            scalar_names.push_back(fname);
        }
    }
    if (rf->coldeflist) ctx.unsupported("column definition list for function " + name + "()", location);
    // With no table before it, the function is a relation of its own only in a level that reads
    // no outer row: in a correlated subquery (or one whose correlation is being discovered), or
    // with arguments reading columns (an outer row reached without a correlation), it stays
    // refused, as only a table before it (or a lifted subquery's D) brings an outer row here.
    const bool reads_outer_row = !lateral_left && (corr || std::ranges::any_of(tf.calls, [](const ir::table_call& c) {
                                     return std::ranges::any_of(c.args, [](const expr_ptr& a) { return !ir::referenced_columns(*a).empty(); });
                                 }));
    if (!known) ctx.unsupported("function " + name + "() in FROM", location);
    else if (lateral_left && !direct) ctx.unsupported("function " + name + "() on the left of a JOIN", location);
    else if (reads_outer_row)
        ctx.unsupported("function " + name + "() in FROM without a table before it, in a correlated subquery", location);
    if (!known || reads_outer_row) return refused_function(ctx, rf, name);
    // One function of a scalar result: its whole-row reference is that value (makeWholeRowVar).
    const bool scalar_row = tf.calls.size() == 1 && !composite[0] && !rf->ordinality;
    if (!lateral_left) {
        // No table before it: its rows are those of the one row without columns, a relation of
        // their own (which a JOIN may take on either side).
        from_result unit;
        unit.rel = unit_rel();
        from_result own = function_columns(ctx, std::move(tf), scalar_names, rf->alias, name, &unit, true, scalar_row);
        own.extends_left = false;
        return own;
    }
    return function_columns(ctx, std::move(tf), scalar_names, rf->alias, name, lateral_left, direct, scalar_row);
}

#if PG_VERSION_NUM >= 170000
// JSON_TABLE (implicitly LATERAL): a table_function of one call over the items to its left,
// maintained as set-returning functions are.
from_result json_table_range(context& ctx, const JsonTable* jt, const select_scope& env, const from_result* lateral_left,
                             correlation* corr, bool direct) {
    select_scope scope = env;
    if (lateral_left) scope = {&lateral_left->items, &lateral_left->origins, &env, env.ctes, corr};
    const place_scope lateral(lateral_left && lateral_left->level_row ? corr : nullptr, correlation::place::lateral);
    ir::table_function tf{{json_table_call(ctx, jt, scope)}, false, false};
    if (!lateral_left) ctx.unsupported("JSON_TABLE without a table before it", jt->location);
    else if (!direct) ctx.unsupported("JSON_TABLE on the left of a JOIN", jt->location);
    return function_columns(ctx, std::move(tf), {}, jt->alias, "json_table", lateral_left, direct, false);
}
#endif

// Two rel-visible items with one name (`FROM t, t`) are an error, except two unaliased
// tables from different schemas.
void check_name_conflicts(context& ctx, const std::vector<range_item>& a, const std::vector<range_item>& b) {
    for (const auto& x : a)
        for (const auto& y : b)
            if (x.rel_visible && y.rel_visible && !x.refname.empty() && x.refname == y.refname &&
                !(!x.schema.empty() && !y.schema.empty() && x.schema != y.schema))
                ctx.fail("42712", "table name \"" + x.refname + "\" specified more than once", -1);
}

// `r`'s expressions moved past `left_width` columns of the left input.
void shift(from_result& r, int left_width) {
    for (auto& item : r.items)
        for (auto& v : item.values) v = ir::shift_columns(v, left_width);
    for (auto& v : r.values) v = ir::shift_columns(v, left_width);
}

std::size_t unique_column(context& ctx, const from_result& side, const std::string& name, const char* which) {
    std::size_t found = side.names.size();
    for (std::size_t i = 0; i < side.names.size(); ++i) {
        if (side.names[i] != name) continue;
        if (found != side.names.size())
            ctx.fail(sqlstate::ambiguous_column,
                     "common column name \"" + name + "\" appears more than once in " + which + " table", -1);
        found = i;
    }
    if (found == side.names.size())
        ctx.fail(sqlstate::undefined_column,
                 "column \"" + name + "\" specified in USING clause does not exist in " + which + " table", -1);
    return found;
}

std::vector<std::string> using_columns(context& ctx, const JoinExpr* j, const from_result& l, const from_result& r) {
    std::vector<std::string> names;
    if (j->isNatural) {
        for (const auto& n : l.names)
            if (std::ranges::find(r.names, n) != r.names.end() && std::ranges::find(names, n) == names.end())
                names.push_back(n);
        return names;
    }
    for (const Node* n : nodes(j->usingClause)) {
        std::string name = str(n);
        if (std::ranges::find(names, name) != names.end())
            ctx.fail(sqlstate::duplicate_column, "column name \"" + name + "\" appears more than once in USING clause", -1);
        names.push_back(name);
    }
    return names;
}

// The merged value of a USING column: the preserved side's, COALESCE of both for FULL,
// converted to the common type of both sides as PostgreSQL does.
expr_ptr merged_value(context& ctx, ir::join_kind kind, const expr_ptr& lv, const expr_ptr& rv) {
    auto common = common_type(ctx, {lv->type, rv->type}, "JOIN/USING");
    if (!common) {
        ctx.unsupported("USING over columns of different types", -1);
        return placeholder(lv->type);
    }
    switch (kind) {
    case ir::join_kind::right: return coerce_to(rv, *common);
    case ir::join_kind::full:
        return ir::make_node(ir::expr_kind::coalesce, *common, {coerce_to(lv, *common), coerce_to(rv, *common)});
    default: return coerce_to(lv, *common);
    }
}

// `left JOIN LATERAL f(…) ON condition`, with `extended` the left's rows extended by the
// functions' (a table_function): an inner join filters it; a left join keeps the left rows
// without function rows when the condition is `true`.
rel_ptr function_join(context& ctx, ir::join_kind kind, const expr_ptr& condition, const rel_ptr& extended) {
    const bool always = !condition || (condition->kind == ir::expr_kind::constant && condition->literal == "true");
    if (kind == ir::join_kind::inner) return always ? extended : place_predicate(extended, condition);
    if (kind != ir::join_kind::left || !always) {
        ctx.unsupported(std::string(kind == ir::join_kind::left ? "LEFT JOIN LATERAL function with a join condition other than true"
                                                                : "RIGHT or FULL JOIN to a function"),
                        -1);
        return extended;
    }
    auto tf = std::get<ir::table_function>(extended->node);
    tf.outer = true;
    return ir::make_rel(std::move(tf), extended->inputs, extended->columns);
}

// The rows of `side` (columns [from, from + width) of `matched`'s row, `side`'s own row) that
// no row of `matched` holds, each once per copy, placed in the outer join's row `columns` with
// NULLs for the other side: side ⟕ (DISTINCT π_side(matched), true) where the marker is NULL.
rel_ptr unmatched_rows(context& ctx, const rel_ptr& side, const rel_ptr& matched, int from, const std::vector<ir::column>& columns) {
    const int width = static_cast<int>(side->columns.size());
    std::vector<expr_ptr> kept;
    std::vector<std::string> names;
    for (int i = 0; i < width; ++i) {
        kept.push_back(ir::make_column(from + i, side->columns[static_cast<std::size_t>(i)].type));
        names.push_back(side->columns[static_cast<std::size_t>(i)].name);
    }
    const sql_type boolean = make_type(type_kind::boolean);
    kept.push_back(ir::make_constant("true", boolean));
    names.push_back("__matched");
    rel_ptr held = make_project(matched, std::move(kept), names);
    held = ir::make_rel(ir::distinct{}, {held}, held->columns);
    std::vector<expr_ptr> same;
    for (int i = 0; i < width; ++i) {
        const auto& t = side->columns[static_cast<std::size_t>(i)].type;
        same.push_back(same_value(ctx, ir::make_column(i, t), ir::make_column(width + i, t), false));
    }
    rel_ptr joined = make_join(ir::join_kind::left, ir::make_and(std::move(same)), side, held);
    rel_ptr lonely = ir::make_rel(ir::filter{ir::make_node(ir::expr_kind::is_null, boolean, {ir::make_column(2 * width, boolean)})},
                                  {joined}, joined->columns);
    std::vector<expr_ptr> row;
    std::vector<std::string> row_names;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const int own = static_cast<int>(c) - from;
        row.push_back(own >= 0 && own < width ? ir::make_column(own, columns[c].type) : ir::make_constant(std::nullopt, columns[c].type));
        row_names.push_back(columns[c].name);
    }
    return make_project(lonely, std::move(row), row_names);
}

// An outer join whose ON clause has subqueries reading both sides: its pairs are the inner
// join, the subqueries evaluated on each pair, and each preserved side adds the rows no pair
// holds, padded with NULLs: A ⟕c B = (A ⋈c B) ⊎ (A ▷ π_A(A ⋈c B)) × NULL.
rel_ptr outer_join_by_pairs(context& ctx, ir::join_kind kind, const expr_ptr& condition,
                            const std::vector<pending_sublink>& subs, const rel_ptr& left, const rel_ptr& right) {
    std::vector<expr_ptr> plain, with_subqueries;
    for (auto& c : ir::conjuncts(condition)) (contains_sublink(*c, subs) ? with_subqueries : plain).push_back(c);
    auto a = attach_sublinks(join_on(ir::join_kind::inner, ir::make_and(std::move(plain)), left, right), subs);
    for (auto& c : with_subqueries) c = replace_stand_ins(c, a.values);
    const auto columns = make_join(kind, nullptr, left, right)->columns;
    std::vector<expr_ptr> pair;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        pair.push_back(ir::make_column(static_cast<int>(i), a.rel->columns[i].type));
        names.push_back(columns[i].name);
    }
    const rel_ptr matched = make_project(place_predicate(a.rel, ir::make_and(std::move(with_subqueries))), std::move(pair), names);
    std::vector<rel_ptr> parts{matched};
    if (kind == ir::join_kind::left || kind == ir::join_kind::full) parts.push_back(unmatched_rows(ctx, left, matched, 0, columns));
    if (kind == ir::join_kind::right || kind == ir::join_kind::full)
        parts.push_back(unmatched_rows(ctx, right, matched, static_cast<int>(left->columns.size()), columns));
    return ir::make_rel(ir::union_all{}, std::move(parts), columns);
}

// `left ⟗ right` on `condition` (over their joined row), whose subqueries `subs` are joined to
// the input whose columns each reads beforehand; their columns are dropped after the join.
rel_ptr outer_join_with_subqueries(context& ctx, ir::join_kind kind, const expr_ptr& condition,
                                   const std::vector<pending_sublink>& subs, const rel_ptr& left, const rel_ptr& right) {
    auto sided = attach_to_sides(subs, left, right);
    if (!sided) return outer_join_by_pairs(ctx, kind, condition, subs, left, right);
    const int lw = static_cast<int>(left->columns.size()), rw = static_cast<int>(right->columns.size());
    const int shift = sided->left_added;
    const expr_ptr moved = ir::map_columns(condition, [&](const ir::expr& c) {
        return ir::make_column(c.index < lw ? c.index : c.index + shift, c.type);
    });
    rel_ptr joined = join_on(kind, replace_stand_ins(moved, sided->values), sided->left, sided->right);
    std::vector<expr_ptr> keep;
    std::vector<std::string> names;
    for (int c = 0; c < lw + rw; ++c) {
        const int at = c < lw ? c : c + shift;
        keep.push_back(ir::make_column(at, joined->columns[static_cast<std::size_t>(at)].type));
        names.push_back(joined->columns[static_cast<std::size_t>(at)].name);
    }
    return make_project(joined, std::move(keep), names);
}

// `item` (the first input of a join on a lifted level's spine) joined to the level's row so far
// (D first), unless it holds that row already.
void join_level_row(from_result& item, const from_result& level) {
    if (item.extends_left) return;
    if (item.lateral) {
        // (A subquery lifted over the level's row: its values already follow that row's.)
        item.rel = make_join(ir::join_kind::inner, item.condition, level.rel, item.rel);
        item.condition = nullptr;
        item.lateral = false;
    } else {
        shift(item, static_cast<int>(level.rel->columns.size()));
        item.rel = make_join(ir::join_kind::inner, nullptr, level.rel, item.rel);
    }
    item.extends_left = true;
}

// `spine`: the join stands on the left spine of a correlated level's FROM item, every join
// above it inner or LEFT, or on the right input of a RIGHT join there. In a lifted level its
// leftmost input is then joined to the level's row so far (D first), so that its ON clause reads
// the level's outer values as a LATERAL item would: R × (A ⟕c B) is (R × A) ⟕c B. A RIGHT join
// preserves its right input, which takes R instead, and is made the LEFT join it is with its
// inputs swapped: R × (A ⟖c B) is (R × B) ⟕c A, its row R, B, A. A FULL join would pad R's
// columns with NULLs, so the spine stops there.
from_result join(context& ctx, const JoinExpr* j, const select_scope& env, const from_result* lateral_left,
                 correlation* corr, bool spine) {
    ir::join_kind kind = ir::join_kind::inner;
    switch (j->jointype) {
    case JOIN_INNER: break;
    case JOIN_LEFT: kind = ir::join_kind::left; break;
    case JOIN_RIGHT: kind = ir::join_kind::right; break;
    case JOIN_FULL: kind = ir::join_kind::full; break;
    default: ctx.unsupported("join type " + std::to_string(static_cast<int>(j->jointype)), -1);
    }
    const bool on_spine = spine && corr && (kind == ir::join_kind::inner || kind == ir::join_kind::left);
    const bool lifted = corr && corr->current_mode() == correlation::mode::lift && lateral_left && lateral_left->level_row;
    from_result l = translate_item(ctx, j->larg, env, lateral_left, corr, false, on_spine);
    if (on_spine && lifted) join_level_row(l, *lateral_left);
    // (Its left input must be a row of its own, which a LATERAL item or a function is not.)
    const bool right_spine = spine && corr && kind == ir::join_kind::right && !l.extends_left && !l.lateral &&
                             (IsA(j->rarg, RangeVar) || IsA(j->rarg, JoinExpr) ||
                              (IsA(j->rarg, RangeSubselect) && !as<RangeSubselect>(j->rarg)->lateral));
    from_result r = right_spine ? translate_item(ctx, j->rarg, env, lateral_left, corr, false, true)
                                : translate_item(ctx, j->rarg, env, &l, corr);
    check_name_conflicts(ctx, l.items, r.items);
    const int left_width = static_cast<int>(l.rel->columns.size());
    const bool swapped = right_spine && lifted;
    if (swapped) {
        join_level_row(r, *lateral_left);
        shift(l, static_cast<int>(r.rel->columns.size()));
    } else if (!r.lateral && !r.extends_left) {
        shift(r, left_width);
    }
    // The joined row's inputs in order, and how they join: a swapped RIGHT join is the LEFT join
    // of its right input (the level's row first) and its left one.
    const from_result& first = swapped ? r : l;
    const from_result& second = swapped ? l : r;
    const ir::join_kind joined_kind = swapped ? ir::join_kind::left : kind;

    from_result out;
    out.items = l.items;
    out.items.insert(out.items.end(), r.items.begin(), r.items.end());
    out.origins = first.origins;
    out.origins.insert(out.origins.end(), second.origins.begin(), second.origins.end());

    std::vector<expr_ptr> condition;
    std::vector<std::string> merged_names;
    std::vector<expr_ptr> merged_values;
    std::vector<bool> left_merged(l.names.size()), right_merged(r.names.size());
    for (const auto& name : using_columns(ctx, j, l, r)) {
        std::size_t li = unique_column(ctx, l, name, "left"), ri = unique_column(ctx, r, name, "right");
        left_merged[li] = right_merged[ri] = true;
        condition.push_back(make_operator(ctx, "=", l.values[li], r.values[ri], -1));
        merged_names.push_back(name);
        merged_values.push_back(merged_value(ctx, kind, l.values[li], r.values[ri]));
    }
    if (r.condition) condition.push_back(r.condition);
    // Subqueries in an inner join's ON clause are evaluated on the joined rows.
    std::vector<ir::column> joined_row = first.rel->columns;
    if (second.extends_left) joined_row.clear();
    joined_row.insert(joined_row.end(), second.rel->columns.begin(), second.rel->columns.end());
    sublink_collector on_subs{&joined_row, {}};
    // (An outer join's subqueries go to the input whose columns they read; not beside a
    // function in FROM, which extends the left row itself.)
    sublink_collector* subs = joined_kind == ir::join_kind::inner || !second.extends_left ? &on_subs : nullptr;
    if (j->quals) {
        select_scope on_scope{&out.items, &out.origins, &env, env.ctes, corr};
        const place_scope lateral(on_spine || right_spine ? corr : nullptr, correlation::place::lateral);
        condition.push_back(translate_condition(j->quals, {ctx, on_scope, clause::join_on, nullptr, subs, subs}, "JOIN/ON"));
    }
    if (joined_kind != ir::join_kind::inner && !on_subs.items.empty()) {
        out.rel = outer_join_with_subqueries(ctx, joined_kind, ir::make_and(std::move(condition)), on_subs.items, first.rel, second.rel);
        condition.clear();
    }
    std::vector<ir::expr_ptr> plain, with_subqueries;
    for (auto& c : ir::conjuncts(ir::make_and(std::move(condition))))
        (contains_sublink(*c, on_subs.items) ? with_subqueries : plain).push_back(c);
    if (!out.rel)
        out.rel = second.extends_left ? function_join(ctx, joined_kind, ir::make_and(std::move(plain)), second.rel)
                                      : join_on(joined_kind, ir::make_and(std::move(plain)), first.rel, second.rel);
    if (joined_kind == ir::join_kind::inner && !on_subs.items.empty()) {
        auto a = attach_sublinks(out.rel, on_subs.items);
        for (auto& c : with_subqueries) c = replace_stand_ins(c, a.values);
        std::vector<ir::expr_ptr> keep;
        std::vector<std::string> names;
        for (std::size_t i = 0; i < joined_row.size(); ++i) {
            keep.push_back(ir::make_column(static_cast<int>(i), joined_row[i].type));
            names.push_back(joined_row[i].name);
        }
        out.rel = make_project(place_predicate(a.rel, ir::make_and(std::move(with_subqueries))), std::move(keep), names);
    }

    out.names = merged_names;
    out.values = merged_values;
    for (std::size_t i = 0; i < l.names.size(); ++i)
        if (!left_merged[i]) out.names.push_back(l.names[i]), out.values.push_back(l.values[i]);
    for (std::size_t i = 0; i < r.names.size(); ++i)
        if (!right_merged[i]) out.names.push_back(r.names[i]), out.values.push_back(r.values[i]);

    if (j->alias) {
        const std::string alias = j->alias->aliasname;
        out.names = apply_aliases(ctx, out.names, j->alias->colnames, "table \"" + alias + "\"", -1);
        out.items = {{alias, {}, true, true, false, out.names, out.values}};
    } else {
        for (auto& item : out.items) item.cols_visible = false;
        out.items.push_back({{}, {}, false, true, false, out.names, out.values});
    }
    if (j->join_using_alias)
        out.items.push_back({j->join_using_alias->aliasname, {}, true, false, false, merged_names, merged_values});
    out.extends_left = l.extends_left || swapped;
    return out;
}

from_result translate_item(context& ctx, const Node* n, const select_scope& env, const from_result* lateral_left,
                           correlation* corr, bool direct, bool spine) {
    context::depth_guard guard(ctx, -1);
    switch (nodeTag(n)) {
    case T_RangeVar: return range_var(ctx, as<RangeVar>(n), env);
    case T_RangeSubselect: return subquery(ctx, as<RangeSubselect>(n), env, lateral_left, corr, direct, spine);
    case T_JoinExpr: return join(ctx, as<JoinExpr>(n), env, lateral_left, corr, spine);
    case T_RangeFunction: return function_range(ctx, as<RangeFunction>(n), env, lateral_left, corr, direct);
    case T_RangeTableSample: {
        const auto* ts = as<RangeTableSample>(n);
        ctx.fail(sqlstate::feature_not_supported,
                 "TABLESAMPLE at " + ctx.line_and_column(ts->location) +
                     " is not supported in defining queries. Stream tables materialize the complete "
                     "result set; use a WHERE condition with random() if sampling is needed.",
                 ts->location);
    }
    case T_RangeTableFunc:
        ctx.unsupported("XMLTABLE", as<RangeTableFunc>(n)->location);
        return single_range(ctx, placeholder_rel({}), "xmltable", nullptr, {});
#if PG_VERSION_NUM >= 170000
    case T_JsonTable: return json_table_range(ctx, as<JsonTable>(n), env, lateral_left, corr, direct);
#endif
    default:
        ctx.unsupported("FROM item of node type " + std::to_string(static_cast<int>(nodeTag(n))), -1);
        return single_range(ctx, placeholder_rel({}), "?", nullptr, {});
    }
}

} // namespace

from_result translate_from_clause(context& ctx, const List* from, const select_scope& env, correlation* corr,
                                  const ir::rel_ptr& first) {
    from_result acc;
    if (first) {
        // D of a lifted subquery: columns that only the level's outer references name.
        acc.rel = first;
        std::vector<std::string> names;
        for (std::size_t i = 0; i < first->columns.size(); ++i) {
            names.push_back(first->columns[i].name);
            acc.values.push_back(ir::make_column(static_cast<int>(i), first->columns[i].type));
            acc.origins.push_back({{}, first->columns[i].name, -1, nullptr, -1});
        }
        acc.items.push_back({{}, {}, false, false, false, names, acc.values});
        acc.level_row = true;
    }
    for (const Node* n : nodes(from)) {
        from_result item = translate_item(ctx, n, env, acc.rel ? &acc : nullptr, corr, true, true);
        if (!acc.rel) {
            acc = std::move(item);
            acc.level_row = true;
            continue;
        }
        // A comma is a cross join; WHERE conjuncts become its condition later.
        check_name_conflicts(ctx, acc.items, item.items);
        if (item.extends_left) acc.rel = item.rel;
        else {
            if (!item.lateral) shift(item, static_cast<int>(acc.rel->columns.size()));
            acc.rel = make_join(ir::join_kind::inner, item.condition, acc.rel, item.rel);
        }
        acc.items.insert(acc.items.end(), item.items.begin(), item.items.end());
        acc.origins.insert(acc.origins.end(), item.origins.begin(), item.origins.end());
        acc.names.insert(acc.names.end(), item.names.begin(), item.names.end());
        acc.values.insert(acc.values.end(), item.values.begin(), item.values.end());
    }
    return acc;
}

} // namespace pgt::frontend
