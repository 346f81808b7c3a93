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

enum class pseudo_type { none, any_value, of_family };

pseudo_type polymorphic(const sql_type& t) {
    if (t.kind != type_kind::other) return pseudo_type::none;
    std::string_view name = t.name;
    if (name.starts_with("pg_catalog.")) name.remove_prefix(11);
    for (const char* any : {"any", "anyelement", "anynonarray", "anycompatible", "anycompatiblenonarray"})
        if (name == any) return pseudo_type::any_value;
    for (const char* family : {"anyarray", "anyenum", "anyrange", "anymultirange", "anycompatiblearray", "anycompatiblerange",
                               "anycompatiblemultirange"})
        if (name == family) return pseudo_type::of_family;
    return pseudo_type::none;
}

// ARRAY[…] of type `array`: each element cast to `element` (a nested ARRAY[…] is of `array`
// too), as PostgreSQL types an array constructor under a cast.
expr_ptr array_of(const A_ArrayExpr* a, const sql_type& array, const sql_type& element, const expr_env& env) {
    std::vector<expr_ptr> elements;
    for (const Node* n : nodes(a->elements)) {
        if (nodeTag(n) == T_A_ArrayExpr) {
            elements.push_back(array_of(as<A_ArrayExpr>(n), array, element, env));
            continue;
        }
        expr_ptr e = translate_expr(n, env);
        if (is_stand_in(e)) return placeholder(opaque_type());
        if (e->type.kind == type_kind::unknown) {
            elements.push_back(coerce_unknown(e, element));
            continue;
        }
        if (typing::same_type(e->type, element) && e->type.name == element.name) {
            elements.push_back(e);
            continue;
        }
        const auto vol = env.ctx.cat.cast(e->type, element);
        if (!vol)
            env.ctx.fail("42846", "cannot cast type " + typing::display_name(e->type) + " to " + typing::display_name(element), expr_location(n));
        elements.push_back(make_cast(e, element, *vol));
    }
    return ir::make_node(expr_kind::array, array, std::move(elements));
}

expr_ptr translate_cast(const TypeCast* tc, const expr_env& env) {
    type_name_result target = type_from_name(env.ctx, tc->typeName);
    if (!target.problem.empty()) {
        env.ctx.unsupported("cast to a type with " + target.problem, tc->location);
        translate_expr(tc->arg, env);
        return placeholder(opaque_type());
    }
    // ARRAY[…] cast to an array type has its elements cast to the element type (as
    // transformArrayExpr does with the cast's type), ARRAY[] included.
    if (nodeTag(tc->arg) == T_A_ArrayExpr)
        if (const auto element = env.ctx.cat.element_type(target.type))
            return array_of(as<A_ArrayExpr>(tc->arg), target.type, *element, env);
    expr_ptr arg = translate_expr(tc->arg, env);
    // A cast to a polymorphic pseudo-type leaves its argument as it is (coerce_type: the
    // argument's own type is what a polymorphic call sees): any value, an unknown literal
    // unknown, for the first kind; for the second only a value of its family (an array, an
    // enum, a range, a multirange), which the cast check below tells.
    const pseudo_type pseudo = polymorphic(target.type);
    if (pseudo == pseudo_type::any_value) return arg;
    // A literal is read as the target type directly: `date '2024-01-01'`, `'5'::int`.
    if (arg->kind == expr_kind::constant && arg->type.kind == type_kind::unknown) return coerce_unknown(arg, target.type);
    if (is_stand_in(arg)) return placeholder(target.type);
    const auto vol = env.ctx.cat.cast(arg->type, target.type);
    if (!vol)
        env.ctx.fail("42846",
                     "cannot cast type " + typing::display_name(arg->type) + " to " + typing::display_name(target.type),
                     tc->location);
    if (pseudo == pseudo_type::of_family) {
        // Not a domain over the family's type, which a polymorphic call would not take as one
        // (coerce_type relabels it to its base type).
        const sql_type base = env.ctx.cat.base_type(arg->type);
        return base == arg->type ? arg : make_cast(arg, base, ir::volatility::immutable);
    }
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

expr_ptr translate_unsupported(const Node* n, const expr_env& env);

// `(l1, l2, …) op (r1, r2, …)`, as PostgreSQL's make_row_comparison_op reads it: = is every
// pair equal, <> some pair unequal. (< <= > >= compare pairs with the equality of the first
// operator's btree family, which a lookup by name could not promise: not maintained.)
expr_ptr row_comparison(const RowExpr* l, const RowExpr* r, const std::string& schema, const std::string& op, int location,
                        const expr_env& env) {
    context& ctx = env.ctx;
    std::vector<expr_ptr> ls, rs;
    for (const Node* n : nodes(l->args)) ls.push_back(translate_expr(n, env));
    for (const Node* n : nodes(r->args)) rs.push_back(translate_expr(n, env));
    if (ls.size() != rs.size()) ctx.fail("42601", "unequal number of entries in row expressions", location);
    if (ls.empty()) ctx.fail("0A000", "cannot compare rows of zero length", location);
    auto pair = [&](std::size_t i, const std::string& o) { return make_operator(ctx, schema, o, ls[i], rs[i], location); };
    if (op == "=" || op == "<>") {
        std::vector<expr_ptr> pairs;
        for (std::size_t i = 0; i < ls.size(); ++i) pairs.push_back(pair(i, op));
        return pairs.size() == 1 ? pairs[0] : ir::make_node(op == "=" ? expr_kind::and_ : expr_kind::or_, bool_type, std::move(pairs));
    }
    ctx.unsupported("row comparison with operator " + op, location);
    return placeholder(bool_type);
}

// `x op ANY (array)` / `x op ALL (array)` (make_scalar_array_op): `op` resolved against the
// array's element type (an unknown literal on the right stays unknown and becomes an array of
// the operator's right operand type), yielding boolean; the array cast to the operator's.
expr_ptr translate_array_op(const A_Expr* a, const expr_env& env) {
    context& ctx = env.ctx;
    const auto [schema, op] = operator_name(a->name);
    expr_ptr l = translate_expr(a->lexpr, env), r = translate_expr(a->rexpr, env);
    if (is_stand_in(l) || is_stand_in(r)) return placeholder(bool_type);
    sql_type element = r->type;
    if (r->type.kind != type_kind::unknown) {
        const auto e = ctx.cat.element_type(r->type);
        if (!e) ctx.fail("42809", "op ANY/ALL (array) requires array on right side", a->location);
        element = *e;
    }
    auto res = resolve_operator(ctx, schema, op, l, placeholder(element), a->location);
    if (!res) return placeholder(bool_type);
    if (res->result.kind != type_kind::boolean) ctx.fail("42809", "op ANY/ALL (array) requires operator to yield boolean", a->location);
    const auto array = ctx.cat.array_type(res->args[1]);
    if (!array) {
        ctx.unsupported("operator " + op + " ANY/ALL over an array of " + typing::display_name(res->args[1]), a->location);
        return placeholder(bool_type);
    }
    if (r->type.kind == type_kind::unknown) r = coerce_unknown(r, *array);
    else if (!typing::same_type(element, res->args[1]) && polymorphic(res->args[1]) == pseudo_type::none) r = coerce_to(r, *array);
    auto e = std::make_shared<ir::expr>(*ir::make_call(a->kind == AEXPR_OP_ANY ? expr_kind::op_any : expr_kind::op_all, res->schema, op,
                                                       bool_type, {coerce_unknown(l, res->args[0]), r}, res->vol));
    return e;
}

expr_ptr translate_in_list(const A_Expr* a, const expr_env& env) {
    const bool negated = str(static_cast<const Node*>(llast(a->name))) == "<>";
    if (nodeTag(a->lexpr) == T_RowExpr) {
        // (a, b) IN ((1, 2), …): each row compared, as PostgreSQL expands it.
        std::vector<expr_ptr> each;
        for (const Node* item : nodes(reinterpret_cast<const List*>(a->rexpr))) {
            if (nodeTag(item) != T_RowExpr) return translate_unsupported(item, env);
            each.push_back(row_comparison(as<RowExpr>(a->lexpr), as<RowExpr>(item), "", negated ? "<>" : "=", a->location, env));
        }
        return each.size() == 1 ? each[0] : ir::make_node(negated ? expr_kind::and_ : expr_kind::or_, bool_type, std::move(each));
    }
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
    } catch (const error& e) {
        if (interruption(e)) throw;
        // No common type: each comparison is resolved alone below.
    }
    for (std::size_t i = 1; i < args.size(); ++i)
        if (!resolve_binary(env.ctx, "=", x, common ? coerce_unknown(args[i], *common) : args[i], a->location))
            return placeholder(bool_type);
    if (common)
        for (auto& arg : args) arg = coerce_unknown(arg, *common);
    auto e = std::make_shared<ir::expr>(*ir::make_node(expr_kind::in_list, bool_type, std::move(args)));
    e->negated = negated;
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
    case AEXPR_ILIKE:
    case AEXPR_SIMILAR: { // (the grammar makes SIMILAR TO `~` over similar_to_escape(pattern))
        const auto [schema, op] = operator_name(a->name);
        if (a->lexpr && nodeTag(a->lexpr) == T_RowExpr && nodeTag(a->rexpr) == T_RowExpr)
            return row_comparison(as<RowExpr>(a->lexpr), as<RowExpr>(a->rexpr), schema, op, a->location, env);
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
    case AEXPR_OP_ALL: return translate_array_op(a, env);
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

// ARRAY[a, b, …]: the elements unified to their common type (an array of arrays is
// multidimensional). Under a cast to an array type, array_of types it instead.
expr_ptr translate_array(const A_ArrayExpr* a, const expr_env& env) {
    std::vector<expr_ptr> elements;
    std::vector<int> locations;
    for (const Node* e : nodes(a->elements)) {
        elements.push_back(translate_expr(e, env));
        locations.push_back(expr_location(e));
    }
    if (elements.empty())
        env.ctx.fail("42P18", "cannot determine type of empty array", a->location,
                     "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
    if (std::ranges::any_of(elements, is_stand_in)) return placeholder(opaque_type());
    auto element = unify(env.ctx, elements, locations, "ARRAY", a->location);
    if (!element) return placeholder(opaque_type());
    if (element->kind == type_kind::unknown) {
        // (ARRAY['a', 'b'] is text[], as PostgreSQL resolves unknown elements.)
        element = make_type(type_kind::text);
        for (auto& e : elements) e = coerce_unknown(e, *element);
    }
    const auto array = env.ctx.cat.array_type(*element);
    if (!array) env.ctx.fail("42704", "could not find array type for data type " + typing::display_name(*element), a->location);
    return ir::make_node(expr_kind::array, *array, std::move(elements));
}

// `(x).name`, of type `type`.
expr_ptr field_of(const expr_ptr& x, const std::string& name, const sql_type& type) {
    auto e = std::make_shared<ir::expr>(*ir::make_node(expr_kind::field, type, {x}));
    e->name = name;
    return e;
}

// A subscript of an array (int4, as an assignment cast makes it) or of a jsonb (text or int4).
expr_ptr subscript_index(context& ctx, expr_ptr i, bool jsonb, int location) {
    if (is_stand_in(i)) return i;
    const sql_type int4 = make_type(type_kind::int4), text = make_type(type_kind::text);
    if (i->type.kind == type_kind::unknown) return coerce_unknown(i, jsonb ? text : int4);
    if (i->type.kind == type_kind::int2 || i->type.kind == type_kind::int4) return coerce_to(i, int4);
    if (jsonb && is_string(i->type.kind)) return coerce_to(i, text);
    if (!jsonb && (is_numeric_family(i->type.kind))) return coerce_to(i, int4);
    ctx.unsupported("a subscript of type " + typing::display_name(i->type), location);
    return placeholder(opaque_type());
}

// `x[i]`, `x[i:j]`, `(x).field`, in the order written: an array's elements and slices (both
// bounds given), a jsonb's members, a composite's fields.
expr_ptr translate_indirection(const A_Indirection* ind, const expr_env& env, int count) {
    context& ctx = env.ctx;
    expr_ptr x = translate_expr(ind->arg, env);
    const List* steps = ind->indirection;
    for (int k = 0; k < count;) {
        if (is_stand_in(x)) return x;
        const Node* step = static_cast<const Node*>(list_nth(steps, k));
        const int location = expr_location(ind->arg);
        if (nodeTag(step) == T_String) {
            const auto type = ctx.cat.field_type(x->type, strVal(step), ctx.position(location));
            if (!type) {
                ctx.unsupported("field selection from type " + typing::display_name(x->type), location);
                return placeholder(opaque_type());
            }
            x = field_of(x, strVal(step), *type);
            ++k;
            continue;
        }
        if (nodeTag(step) != T_A_Indices) {
            ctx.unsupported("selection of all fields (.*)", location);
            return placeholder(opaque_type());
        }
        // Consecutive subscripts apply together: a[1][2] is one element of a two-dimensional array.
        const bool jsonb = x->type.kind == type_kind::other && (x->type.name == "pg_catalog.jsonb" || x->type.name == "jsonb");
        const auto element = jsonb ? std::optional<sql_type>(x->type) : ctx.cat.element_type(x->type);
        if (!element) {
            ctx.unsupported("subscripts of type " + typing::display_name(x->type), location);
            return placeholder(opaque_type());
        }
        std::vector<expr_ptr> args{x};
        bool slice = false;
        const int first = k;
        for (; k < count && nodeTag(static_cast<const Node*>(list_nth(steps, k))) == T_A_Indices; ++k)
            slice |= as<A_Indices>(static_cast<const Node*>(list_nth(steps, k)))->is_slice;
        if (slice && jsonb) ctx.fail("0A000", "jsonb subscript does not support slices", location);
        for (int j = first; j < k; ++j) {
            const auto* idx = as<A_Indices>(static_cast<const Node*>(list_nth(steps, j)));
            // In a slice a plain subscript i is 1:i.
            const Node* lower = idx->is_slice ? idx->lidx : nullptr;
            if (slice && (!idx->uidx || (idx->is_slice && !idx->lidx))) {
                ctx.unsupported("an array slice with a bound left out", location);
                return placeholder(opaque_type());
            }
            if (slice) args.push_back(lower ? subscript_index(ctx, translate_expr(lower, env), jsonb, location)
                                            : ir::make_constant("1", make_type(type_kind::int4)));
            args.push_back(subscript_index(ctx, translate_expr(idx->uidx, env), jsonb, location));
        }
        if (std::ranges::any_of(args, is_stand_in)) return placeholder(opaque_type());
        x = ir::make_node(slice ? expr_kind::slice : expr_kind::subscript, slice ? x->type : *element, std::move(args));
    }
    return x;
}

// `x COLLATE name`: the collation found as the parser finds it, spelled schema-qualified.
expr_ptr translate_collate(const CollateClause* c, const expr_env& env) {
    expr_ptr x = coerce_unknown(translate_expr(c->arg, env), make_type(type_kind::text));
    if (is_stand_in(x)) return x;
    std::vector<std::string> names;
    for (const Node* n : nodes(c->collname)) names.push_back(strVal(n));
    const auto found = env.ctx.cat.find_collation(names, env.ctx.position(c->location));
    if (!found) {
        env.ctx.unsupported("COLLATE", c->location);
        return placeholder(opaque_type());
    }
    auto e = std::make_shared<ir::expr>(*ir::make_node(expr_kind::collate, x->type, {x}));
    e->schema = found->first;
    e->name = found->second;
    return e;
}

// Nodes outside the subset: their operands are still translated for name checking.
expr_ptr translate_unsupported(const Node* n, const expr_env& env) {
    switch (nodeTag(n)) {
    case T_RowExpr:
        for (const Node* e : nodes(as<RowExpr>(n)->args)) translate_expr(e, env);
        break;
    default: break;
    }
    env.ctx.unsupported(expression_kind(n), expr_location(n));
    return placeholder(opaque_type());
}

} // namespace

std::vector<std::pair<std::string, expr_ptr>> translate_all_fields(const A_Indirection* ind, const expr_env& env) {
    const expr_ptr x = translate_indirection(ind, env, list_length(ind->indirection) - 1);
    const int location = expr_location(ind->arg);
    std::vector<std::pair<std::string, expr_ptr>> fields;
    const auto known = is_stand_in(x) ? std::nullopt : env.ctx.cat.fields_of(x->type);
    if (!known) {
        if (!is_stand_in(x)) env.ctx.unsupported("selection of all fields (.*) from type " + typing::display_name(x->type), location);
        fields.emplace_back("?column?", placeholder(opaque_type()));
        return fields;
    }
    for (const auto& f : *known) fields.emplace_back(f.name, field_of(x, f.name, f.type));
    return fields;
}

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
    case T_A_ArrayExpr: return translate_array(as<A_ArrayExpr>(n), env);
    case T_A_Indirection: return translate_indirection(as<A_Indirection>(n), env, list_length(as<A_Indirection>(n)->indirection));
    case T_CollateClause: return translate_collate(as<CollateClause>(n), env);
    case T_A_Expr: return translate_a_expr(as<A_Expr>(n), env);
    case T_BoolExpr: return translate_bool_expr(as<BoolExpr>(n), env);
    case T_NullTest: {
        const auto* t = as<NullTest>(n);
        if (nodeTag(reinterpret_cast<const Node*>(t->arg)) == T_RowExpr) {
            // ROW(a, b) IS NULL: every field a NULL value; IS NOT NULL: none (each field tested
            // as one value, as ExecEvalRowNull does, even a composite one: num_nonnulls / num_nulls).
            std::vector<expr_ptr> fields;
            for (const Node* f : nodes(reinterpret_cast<const RowExpr*>(t->arg)->args))
                fields.push_back(coerce_unknown(translate_expr(f, env), make_type(type_kind::text)));
            if (fields.empty()) return ir::make_constant("true", bool_type);
            if (std::ranges::any_of(fields, is_stand_in)) return placeholder(bool_type);
            const sql_type int4 = make_type(type_kind::int4);
            expr_ptr counted = ir::make_call(expr_kind::func, "pg_catalog", t->nulltesttype == IS_NULL ? "num_nonnulls" : "num_nulls", int4,
                                             std::move(fields));
            return ir::make_call(expr_kind::op, "pg_catalog", "=", bool_type, {counted, ir::make_constant("0", int4)});
        }
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
