// Operators, literals, casts and the conditional forms (CASE, COALESCE, …), typed by
// PostgreSQL's rules (pgt/typing.hpp). Nodes outside the translated subset are translated
// for their names (so unknown columns are still errors), recorded as unsupported and
// replaced by a placeholder.
#include "frontend/translate_expr.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "frontend/coerce.hpp"
#include "frontend/names.hpp"
#include "frontend/type_names.hpp"

namespace pgt::frontend {

namespace {

using ir::expr_kind;
using ir::expr_ptr;

const sql_type bool_type = make_type(type_kind::boolean);

// Integer literals the lexer could not fit in int4 arrive as Float strings; negated, the
// smallest int4 is one of them (make_const's rule).
sql_type numeric_literal_type(std::string_view text) {
    std::string_view body = text.starts_with('-') ? text.substr(1) : text;
    bool integral = !body.empty() && std::ranges::all_of(body, [](char c) { return c >= '0' && c <= '9'; });
    if (!integral) return make_type(type_kind::numeric);
    for (auto k : {type_kind::int4, type_kind::int8})
        if (integer_literal_fits(text, k)) return make_type(k);
    return make_type(type_kind::numeric);
}

// Whether `e` stands in for a construct the compiler could not translate (already recorded
// as unsupported): its type is not the real one, so nothing can be resolved against it.
bool is_stand_in(const expr_ptr& e) { return e->type == opaque_type(); }

// Resolves `l op r` (`l` null: prefix `op r`) as the catalog does; nullopt (recorded as
// unsupported) when an operand stands in for an untranslated construct, or the operator
// returns a set.
std::optional<typing::resolved_call> resolve_operator(context& ctx, const std::string& schema, const std::string& op,
                                                      const expr_ptr& l, const expr_ptr& r, int location) {
    if ((l && is_stand_in(l)) || is_stand_in(r)) return std::nullopt;
    auto res = ctx.cat.resolve_operator(schema, op, l ? &l->type : nullptr, r->type, ctx.position(location));
    if (!res)
        ctx.unsupported("operator " + op + (l ? " on types " + typing::display_name(l->type) + " and " : " on type ") +
                            typing::display_name(r->type),
                        location);
    else if (res->returns_set) {
        ctx.unsupported("set-returning operator " + op, location);
        return std::nullopt;
    }
    return res;
}

std::optional<typing::resolved_call> resolve_binary(context& ctx, const std::string& op, const expr_ptr& l,
                                                   const expr_ptr& r, int location) {
    return resolve_operator(ctx, {}, op, l, r, location);
}

// The operands of an `=` comparison with unknown literals typed (IS DISTINCT FROM, NULLIF).
std::optional<std::vector<expr_ptr>> comparable_operands(context& ctx, const expr_ptr& l, const expr_ptr& r,
                                                          int location) {
    auto res = resolve_binary(ctx, "=", l, r, location);
    if (!res) return std::nullopt;
    return std::vector<expr_ptr>{coerce_unknown(l, res->args[0]), coerce_unknown(r, res->args[1])};
}

expr_ptr translate_const(const A_Const* c, context& ctx) {
    if (c->isnull) return ir::make_constant(std::nullopt, {});
    const Node* v = reinterpret_cast<const Node*>(&c->val);
    switch (nodeTag(v)) {
    case T_Integer: return ir::make_constant(std::to_string(intVal(v)), make_type(type_kind::int4));
    case T_Float: {
        std::string text = decimal_literal(as<Float>(v)->fval);
        return ir::make_constant(text, numeric_literal_type(text));
    }
    case T_Boolean: return ir::make_constant(boolVal(v) ? "true" : "false", bool_type);
    case T_String: return ir::make_constant(std::string(strVal(v)), {});
    default:
        ctx.unsupported("bit-string literal", c->location);
        return placeholder({type_kind::other, "pg_catalog.bit"});
    }
}

expr_ptr translate_cast(const TypeCast* tc, const expr_env& env) {
    expr_ptr arg = translate_expr(tc->arg, env);
    type_name_result target = type_from_name(env.ctx, tc->typeName);
    if (!target.problem.empty()) {
        env.ctx.unsupported("cast to a type with " + target.problem, tc->location);
        return placeholder(opaque_type());
    }
    // A cast to these pseudo-types leaves its argument as it is, an unknown literal unknown
    // (coerce_type: the argument's own type is what a polymorphic call sees).
    if (target.type.kind == type_kind::other) {
        std::string_view name = target.type.name;
        if (name.starts_with("pg_catalog.")) name.remove_prefix(11);
        for (const char* pass : {"any", "anyelement", "anynonarray", "anycompatible", "anycompatiblenonarray"})
            if (name == pass) return arg;
    }
    // A literal is read as the target type directly: `date '2024-01-01'`, `'5'::int`.
    if (arg->kind == expr_kind::constant && arg->type.kind == type_kind::unknown) return coerce_unknown(arg, target.type);
    if (is_stand_in(arg)) return placeholder(target.type);
    const auto vol = env.ctx.cat.cast(arg->type, target.type);
    if (!vol)
        env.ctx.fail("42846",
                     "cannot cast type " + typing::display_name(arg->type) + " to " + typing::display_name(target.type),
                     tc->location);
    return make_cast(arg, target.type, *vol);
}

// An operator's name and, for OPERATOR(schema.op), its schema (empty otherwise).
std::pair<std::string, std::string> operator_name(const List* name) {
    std::string op = str(static_cast<const Node*>(llast(name)));
    std::string schema = list_length(name) > 1 ? str(static_cast<const Node*>(list_nth(name, list_length(name) - 2))) : "";
    return {schema, op};
}

expr_ptr make_prefix(context& ctx, const std::string& schema, const std::string& op, expr_ptr arg, int location) {
    auto res = resolve_operator(ctx, schema, op, nullptr, arg, location);
    if (!res) return placeholder(opaque_type());
    return ir::make_call(expr_kind::op, res->schema, op, res->result, {coerce_unknown(arg, res->args[0])}, res->vol);
}

expr_ptr translate_between(const A_Expr* a, const expr_env& env) {
    context& ctx = env.ctx;
    expr_ptr x = translate_expr(a->lexpr, env);
    const List* bounds = reinterpret_cast<const List*>(a->rexpr);
    expr_ptr lo = translate_expr(static_cast<const Node*>(linitial(bounds)), env);
    expr_ptr hi = translate_expr(static_cast<const Node*>(lsecond(bounds)), env);
    int loc = a->location;
    // As PostgreSQL rewrites them: x >= lo AND x <= hi; NOT: x < lo OR x > hi; SYMMETRIC
    // tries both orders of the bounds.
    auto inside = [&](const expr_ptr& from, const expr_ptr& to) {
        return ir::make_node(expr_kind::and_, bool_type,
                             {make_operator(ctx, ">=", x, from, loc), make_operator(ctx, "<=", x, to, loc)});
    };
    auto outside = [&](const expr_ptr& from, const expr_ptr& to) {
        return ir::make_node(expr_kind::or_, bool_type,
                             {make_operator(ctx, "<", x, from, loc), make_operator(ctx, ">", x, to, loc)});
    };
    switch (a->kind) {
    case AEXPR_BETWEEN: return inside(lo, hi);
    case AEXPR_NOT_BETWEEN: return outside(lo, hi);
    case AEXPR_BETWEEN_SYM: return ir::make_node(expr_kind::or_, bool_type, {inside(lo, hi), inside(hi, lo)});
    default: return ir::make_node(expr_kind::and_, bool_type, {outside(lo, hi), outside(hi, lo)});
    }
}

expr_ptr translate_in_list(const A_Expr* a, const expr_env& env) {
    expr_ptr x = translate_expr(a->lexpr, env);
    std::vector<expr_ptr> args{x};
    std::vector<sql_type> types{x->type};
    std::vector<int> positions{env.ctx.position(expr_location(a->lexpr))};
    for (const Node* item : nodes(reinterpret_cast<const List*>(a->rexpr))) {
        args.push_back(translate_expr(item, env));
        types.push_back(args.back()->type);
        positions.push_back(env.ctx.position(expr_location(item)));
    }
    // PostgreSQL compares x with the elements' common type when there is one, else each
    // element with x on its own (its fallback reports the operator).
    if (std::ranges::any_of(args, is_stand_in)) return placeholder(bool_type);
    std::optional<sql_type> common;
    try {
        common = common_type(env.ctx, types, "IN", positions);
    } catch (const error&) {
        // No common type: each comparison is resolved alone below.
    }
    for (std::size_t i = 1; i < args.size(); ++i)
        if (!resolve_binary(env.ctx, "=", x, common ? coerce_unknown(args[i], *common) : args[i], a->location))
            return placeholder(bool_type);
    if (common)
        for (auto& arg : args) arg = coerce_unknown(arg, *common);
    auto e = std::make_shared<ir::expr>(*ir::make_node(expr_kind::in_list, bool_type, std::move(args)));
    e->negated = str(static_cast<const Node*>(llast(a->name))) == "<>";
    return e;
}

expr_ptr with_negated(expr_ptr e, bool negated) {
    auto copy = std::make_shared<ir::expr>(*e);
    copy->negated = negated;
    return copy;
}

expr_ptr translate_a_expr(const A_Expr* a, const expr_env& env) {
    context& ctx = env.ctx;
    switch (a->kind) {
    case AEXPR_OP:
    case AEXPR_LIKE:
    case AEXPR_ILIKE: {
        const auto [schema, op] = operator_name(a->name);
        expr_ptr l = a->lexpr ? translate_expr(a->lexpr, env) : nullptr;
        expr_ptr r = translate_expr(a->rexpr, env);
        if (!l) return make_prefix(ctx, schema, op, r, a->location);
        return make_operator(ctx, schema, op, l, r, a->location);
    }
    case AEXPR_DISTINCT:
    case AEXPR_NOT_DISTINCT:
    case AEXPR_NULLIF: {
        expr_ptr l = translate_expr(a->lexpr, env), r = translate_expr(a->rexpr, env);
        auto operands = comparable_operands(ctx, l, r, a->location);
        if (a->kind == AEXPR_NULLIF) {
            if (!operands) return placeholder(l->type);
            sql_type type = (*operands)[0]->type;
            return ir::make_node(expr_kind::nullif, std::move(type), std::move(*operands));
        }
        if (!operands) return placeholder(bool_type);
        return with_negated(ir::make_node(expr_kind::is_distinct_from, bool_type, std::move(*operands)),
                            a->kind == AEXPR_NOT_DISTINCT);
    }
    case AEXPR_IN: return translate_in_list(a, env);
    case AEXPR_BETWEEN:
    case AEXPR_NOT_BETWEEN:
    case AEXPR_BETWEEN_SYM:
    case AEXPR_NOT_BETWEEN_SYM: return translate_between(a, env);
    case AEXPR_OP_ANY:
    case AEXPR_OP_ALL:
    case AEXPR_SIMILAR: {
        const char* what = a->kind == AEXPR_SIMILAR ? "SIMILAR TO" : a->kind == AEXPR_OP_ANY ? "ANY (array)" : "ALL (array)";
        ctx.unsupported(what, a->location);
        translate_expr(a->lexpr, env);
        translate_expr(a->rexpr, env);
        return placeholder(bool_type);
    }
    }
    ctx.unsupported("operator expression", a->location);
    return placeholder(opaque_type());
}

expr_ptr translate_bool_expr(const BoolExpr* b, const expr_env& env) {
    const char* name = b->boolop == AND_EXPR ? "AND" : b->boolop == OR_EXPR ? "OR" : "NOT";
    std::vector<expr_ptr> args;
    for (const Node* n : nodes(b->args)) args.push_back(translate_condition(n, env, name));
    expr_kind k = b->boolop == AND_EXPR ? expr_kind::and_ : b->boolop == OR_EXPR ? expr_kind::or_ : expr_kind::not_;
    return ir::make_node(k, bool_type, std::move(args));
}

expr_ptr translate_boolean_test(const BooleanTest* t, const expr_env& env) {
    static const char* const names[] = {"IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE", "IS UNKNOWN", "IS NOT UNKNOWN"};
    expr_ptr arg = translate_condition(reinterpret_cast<const Node*>(t->arg), env, names[t->booltesttype]);
    if (t->booltesttype == IS_UNKNOWN || t->booltesttype == IS_NOT_UNKNOWN)
        return with_negated(ir::make_node(expr_kind::is_null, bool_type, {arg}), t->booltesttype == IS_NOT_UNKNOWN);
    // x IS [NOT] TRUE/FALSE ≡ x IS [NOT] DISTINCT FROM true/false, as PostgreSQL evaluates it.
    bool want_true = t->booltesttype == IS_TRUE || t->booltesttype == IS_NOT_TRUE;
    bool negated_test = t->booltesttype == IS_NOT_TRUE || t->booltesttype == IS_NOT_FALSE;
    expr_ptr value = ir::make_constant(want_true ? "true" : "false", bool_type);
    return with_negated(ir::make_node(expr_kind::is_distinct_from, bool_type, {arg, value}), !negated_test);
}

// Retypes unknown literals among `exprs` to their common type; nullopt when the types
// cannot be unified by the compiler (recorded as unsupported).
std::optional<sql_type> unify(context& ctx, std::vector<expr_ptr>& exprs, const std::vector<int>& locations,
                              const char* construct, int location) {
    std::vector<sql_type> types;
    std::vector<int> positions;
    for (std::size_t i = 0; i < exprs.size(); ++i) {
        types.push_back(exprs[i]->type);
        positions.push_back(ctx.position(locations[i]));
    }
    auto common = common_type(ctx, types, construct, positions);
    if (!common) {
        ctx.unsupported(std::string(construct) + " over values of different types", location);
        return std::nullopt;
    }
    for (auto& e : exprs) e = coerce_unknown(e, *common);
    return common;
}

expr_ptr translate_case(const CaseExpr* c, const expr_env& env) {
    context& ctx = env.ctx;
    expr_ptr subject = c->arg ? translate_expr(reinterpret_cast<const Node*>(c->arg), env) : nullptr;
    std::vector<expr_ptr> conditions, results;
    std::vector<int> result_locations;
    for (const Node* n : nodes(c->args)) {
        const auto* w = as<CaseWhen>(n);
        const Node* when = reinterpret_cast<const Node*>(w->expr);
        // Simple CASE x WHEN v compares x = v.
        conditions.push_back(subject ? make_operator(ctx, "=", subject, translate_expr(when, env), w->location)
                                     : translate_condition(when, env, "CASE/WHEN"));
        results.push_back(translate_expr(reinterpret_cast<const Node*>(w->result), env));
        result_locations.push_back(expr_location(reinterpret_cast<const Node*>(w->result)));
    }
    // PostgreSQL unifies the ELSE branch first, then the THEN branches in order.
    const Node* default_node = reinterpret_cast<const Node*>(c->defresult);
    std::vector<expr_ptr> branches;
    std::vector<int> locations;
    if (default_node) {
        branches.push_back(translate_expr(default_node, env));
        locations.push_back(expr_location(default_node));
    }
    branches.insert(branches.end(), results.begin(), results.end());
    locations.insert(locations.end(), result_locations.begin(), result_locations.end());
    auto type = unify(ctx, branches, locations, "CASE", c->location);
    if (!type) return placeholder(opaque_type());

    std::vector<expr_ptr> args;
    std::size_t first_result = default_node ? 1 : 0;
    for (std::size_t i = 0; i < conditions.size(); ++i) {
        args.push_back(conditions[i]);
        args.push_back(branches[first_result + i]);
    }
    if (default_node) args.push_back(branches[0]);
    auto e = std::make_shared<ir::expr>(*ir::make_node(expr_kind::case_, *type, std::move(args)));
    e->has_else = default_node != nullptr;
    return e;
}

expr_ptr translate_variadic(expr_kind kind, const char* construct, const List* list, int location,
                            const expr_env& env) {
    std::vector<expr_ptr> args;
    std::vector<int> locations;
    for (const Node* n : nodes(list)) {
        args.push_back(translate_expr(n, env));
        locations.push_back(expr_location(n));
    }
    auto type = unify(env.ctx, args, locations, construct, location);
    if (!type) return placeholder(opaque_type());
    return ir::make_node(kind, *type, std::move(args));
}

// Nodes outside the subset: their operands are still translated for name checking.
expr_ptr translate_unsupported(const Node* n, const expr_env& env) {
    switch (nodeTag(n)) {
    case T_CollateClause: translate_expr(as<CollateClause>(n)->arg, env); break;
    case T_A_Indirection: translate_expr(as<A_Indirection>(n)->arg, env); break;
    case T_A_ArrayExpr:
        for (const Node* e : nodes(as<A_ArrayExpr>(n)->elements)) translate_expr(e, env);
        break;
    case T_RowExpr:
        for (const Node* e : nodes(as<RowExpr>(n)->args)) translate_expr(e, env);
        break;
    default: break;
    }
    env.ctx.unsupported(expression_kind(n), expr_location(n));
    return placeholder(opaque_type());
}

} // namespace

expr_ptr make_operator(context& ctx, const std::string& schema, const std::string& op, expr_ptr l, expr_ptr r,
                       int location) {
    auto res = resolve_operator(ctx, schema, op, l, r, location);
    if (!res) return placeholder(opaque_type());
    return ir::make_call(expr_kind::op, res->schema, op, res->result,
                         {coerce_unknown(l, res->args[0]), coerce_unknown(r, res->args[1])}, res->vol);
}

expr_ptr make_operator(context& ctx, const std::string& op, expr_ptr l, expr_ptr r, int location) {
    return make_operator(ctx, {}, op, std::move(l), std::move(r), location);
}

int expr_location(const Node* n) {
    if (!n) return -1;
    switch (nodeTag(n)) {
    case T_ColumnRef: return as<ColumnRef>(n)->location;
    case T_A_Const: return as<A_Const>(n)->location;
    case T_TypeCast: return as<TypeCast>(n)->location;
    case T_A_Expr: return as<A_Expr>(n)->location;
    case T_BoolExpr: return as<BoolExpr>(n)->location;
    case T_NullTest: return as<NullTest>(n)->location;
    case T_BooleanTest: return as<BooleanTest>(n)->location;
    case T_CaseExpr: return as<CaseExpr>(n)->location;
    case T_CoalesceExpr: return as<CoalesceExpr>(n)->location;
    case T_MinMaxExpr: return as<MinMaxExpr>(n)->location;
    case T_FuncCall: return as<FuncCall>(n)->location;
    case T_SQLValueFunction: return as<SQLValueFunction>(n)->location;
    case T_SubLink: return as<SubLink>(n)->location;
    case T_ParamRef: return as<ParamRef>(n)->location;
    case T_CollateClause: return as<CollateClause>(n)->location;
    case T_A_ArrayExpr: return as<A_ArrayExpr>(n)->location;
    case T_RowExpr: return as<RowExpr>(n)->location;
    case T_GroupingFunc: return as<GroupingFunc>(n)->location;
    default: return -1;
    }
}

expr_ptr translate_expr(const Node* n, const expr_env& env) {
    context& ctx = env.ctx;
    context::depth_guard guard(ctx, expr_location(n));
    switch (nodeTag(n)) {
    case T_ColumnRef: return resolve_column(ctx, env.scope, as<ColumnRef>(n));
    case T_A_Const: return translate_const(as<A_Const>(n), ctx);
    case T_TypeCast: return translate_cast(as<TypeCast>(n), env);
    case T_A_Expr: return translate_a_expr(as<A_Expr>(n), env);
    case T_BoolExpr: return translate_bool_expr(as<BoolExpr>(n), env);
    case T_NullTest: {
        const auto* t = as<NullTest>(n);
        expr_ptr arg = translate_expr(reinterpret_cast<const Node*>(t->arg), env);
        arg = coerce_unknown(arg, make_type(type_kind::text));
        return with_negated(ir::make_node(expr_kind::is_null, bool_type, {arg}), t->nulltesttype == IS_NOT_NULL);
    }
    case T_BooleanTest: return translate_boolean_test(as<BooleanTest>(n), env);
    case T_CaseExpr: return translate_case(as<CaseExpr>(n), env);
    case T_CoalesceExpr:
        return translate_variadic(expr_kind::coalesce, "COALESCE", as<CoalesceExpr>(n)->args,
                                  as<CoalesceExpr>(n)->location, env);
    case T_MinMaxExpr: {
        const auto* m = as<MinMaxExpr>(n);
        bool greatest = m->op == IS_GREATEST;
        return translate_variadic(greatest ? expr_kind::greatest : expr_kind::least,
                                  greatest ? "GREATEST" : "LEAST", m->args, m->location, env);
    }
    case T_FuncCall: return translate_func_call(as<FuncCall>(n), env);
    case T_SQLValueFunction: return translate_sql_value_function(as<SQLValueFunction>(n), env);
    case T_SubLink: return translate_sublink(as<SubLink>(n), env);
    case T_GroupingFunc: return translate_grouping_func(as<GroupingFunc>(n), env);
    case T_ParamRef: {
        const auto* p = as<ParamRef>(n);
        ctx.fail("42P02", "there is no parameter $" + std::to_string(p->number), p->location,
                 "Defining queries cannot take parameters.");
    }
    default: return translate_unsupported(n, env);
    }
}

expr_ptr translate_condition(const Node* n, const expr_env& env, const char* construct) {
    return to_boolean(env.ctx, translate_expr(n, env), construct, expr_location(n));
}

bool contains_aggregate(const ir::expr& e, const agg_collector& aggs) {
    if (std::ranges::any_of(aggs.results, [&](const expr_ptr& p) { return p.get() == &e; })) return true;
    return std::ranges::any_of(e.args, [&](const expr_ptr& a) { return contains_aggregate(*a, aggs); });
}

} // namespace pgt::frontend
