#include "pg/analyzer.hpp"

#include <algorithm>
#include <cstring>

#include "pgt/error.hpp"

#include "pg/guard.hpp"
#include "pg/gucs.hpp"


extern "C" {
#include <catalog/namespace.h>
#include <catalog/pg_class.h>
#include <catalog/pg_collation.h>
#include <nodes/makefuncs.h>
#include <nodes/nodeFuncs.h>
#include <optimizer/optimizer.h>
#include <parser/parse_coerce.h>
#include <parser/parse_func.h>
#include <parser/parse_node.h>
#include <parser/parse_oper.h>
#include <parser/parse_type.h>
#include <catalog/pg_operator.h>
#include <funcapi.h>
#include <tcop/tcopprot.h>
#include <utils/snapmgr.h>
#include <utils/lsyscache.h>
#include <utils/syscache.h>
#include <utils/plancache.h>
#include <utils/typcache.h>
}

namespace pgt::server::analyzer {

namespace {

/// A throwaway parse state for one resolution, in a target-list context (where aggregates and
/// window functions may stand). Errors report the locations given to the analyzer as byte
/// offsets of the defining query: its source text is a stand-in of ASCII characters reaching
/// past the furthest one, so that parser_errposition counts characters as bytes.
ParseState* new_parse_state(int furthest_location) {
    ParseState* ps = make_parsestate(nullptr);
    ps->p_expr_kind = EXPR_KIND_SELECT_TARGET;
    if (furthest_location >= 0) {
        char* text = static_cast<char*>(palloc(static_cast<std::size_t>(furthest_location) + 2));
        memset(text, ' ', static_cast<std::size_t>(furthest_location) + 1);
        text[furthest_location + 1] = '\0';
        ps->p_sourcetext = text;
    }
    return ps;
}

/// An expression of type `t` standing at `location` to resolve against: a parameter, or for
/// the unknown type a NULL literal (which, unlike a parameter, coerces to any type).
Node* stand_in(type_ref t, int number, int location) {
    if (t.type == UNKNOWNOID) {
        Const* c = makeConst(UNKNOWNOID, -1, InvalidOid, -2, Datum(0), true, false);
        c->location = location;
        return reinterpret_cast<Node*>(c);
    }
    // (ParseFuncOrColumn drops a function's arguments that are Params of type void.)
    if (t.type == VOIDOID) {
        Const* c = makeNullConst(VOIDOID, -1, InvalidOid);
        c->location = location;
        return reinterpret_cast<Node*>(c);
    }
    Param* p = makeNode(Param);
    p->paramkind = PARAM_EXTERN;
    p->paramid = number;
    p->paramtype = t.type;
    p->paramtypmod = t.typmod;
    p->paramcollid = get_typcollation(t.type);
    p->location = location;
    return reinterpret_cast<Node*>(p);
}

List* stand_ins(const std::vector<type_ref>& types, int first, int location) {
    List* list = NIL;
    for (std::size_t i = 0; i < types.size(); ++i)
        list = lappend(list, stand_in(types[i], first + static_cast<int>(i), location));
    return list;
}

List* qualified_name(const std::string& schema, const std::string& name) {
    if (schema.empty()) return list_make1(makeString(pstrdup(name.c_str())));
    return list_make2(makeString(pstrdup(schema.c_str())), makeString(pstrdup(name.c_str())));
}

type_ref type_of(Node* e) { return {exprType(e), exprTypmod(e)}; }

char volatility_of(Node* e) {
    if (contain_volatile_functions(e)) return 'v';
    return contain_mutable_functions(e) ? 's' : 'i';
}

/// A resolved call as PostgreSQL values, filled inside pg::call (no C++ object may live there)
/// and read into a `call` after it.
struct raw_call {
    Oid routine = InvalidOid;     ///< pg_proc oid (an operator's function); InvalidOid for a cast
    Oid operator_id = InvalidOid; ///< pg_operator oid of an operator
    const char* schema = nullptr;
    const char* name = nullptr;
    type_ref* args = nullptr; ///< one per argument written
    int nargs = 0;
    type_ref result;
    char volatility = 'i';
    bool returns_set = false;
    bool is_cast = false;
    int ncolumns = 0; ///< a set-returning function's known result columns
    const char** column_names = nullptr;
    type_ref* column_types = nullptr;
    bool composite = false;
};

/// The columns FROM reads from set-returning call `e` (funcapi's reading of its result type).
void read_set_columns(raw_call& r, Node* e, Oid routine) {
    Oid result = InvalidOid;
    TupleDesc desc = nullptr;
    const TypeFuncClass c = get_expr_result_type(e, &result, &desc);
    if (c == TYPEFUNC_SCALAR) {
        r.ncolumns = 1;
        r.column_names = static_cast<const char**>(palloc0(sizeof(char*)));
        r.column_types = static_cast<type_ref*>(palloc0(sizeof(type_ref)));
        r.column_names[0] = get_func_result_name(routine);
        r.column_types[0] = type_of(e);
        return;
    }
    if ((c != TYPEFUNC_COMPOSITE && c != TYPEFUNC_COMPOSITE_DOMAIN) || !desc) return;
    for (int i = 0; i < desc->natts; ++i)
        if (TupleDescAttr(desc, i)->attisdropped) return; // positions would not line up
    r.composite = true;
    r.ncolumns = desc->natts;
    r.column_names = static_cast<const char**>(palloc0(sizeof(char*) * static_cast<std::size_t>(desc->natts)));
    r.column_types = static_cast<type_ref*>(palloc0(sizeof(type_ref) * static_cast<std::size_t>(desc->natts)));
    for (int i = 0; i < desc->natts; ++i) {
        const Form_pg_attribute a = TupleDescAttr(desc, i);
        r.column_names[i] = pstrdup(NameStr(a->attname));
        r.column_types[i] = {a->atttypid, a->atttypmod};
    }
}

/// The types of a call's arguments, one per argument written (`written` of them): variadic
/// arguments that the analyzer packed into an array come out of it again.
void read_arg_types(raw_call& r, List* args, int written) {
    r.args = static_cast<type_ref*>(palloc0(sizeof(type_ref) * static_cast<std::size_t>(written + 1)));
    ListCell* lc;
    foreach (lc, args) {
        Node* a = static_cast<Node*>(lfirst(lc));
        if (IsA(a, TargetEntry)) a = reinterpret_cast<Node*>(reinterpret_cast<TargetEntry*>(a)->expr);
        const bool packed = IsA(a, ArrayExpr) && foreach_current_index(lc) == list_length(args) - 1 &&
                            list_length(args) != written;
        if (!packed) {
            if (r.nargs < written) r.args[r.nargs] = type_of(a);
            ++r.nargs;
            continue;
        }
        ListCell* e;
        foreach (e, reinterpret_cast<ArrayExpr*>(a)->elements) {
            if (r.nargs < written) r.args[r.nargs] = type_of(static_cast<Node*>(lfirst(e)));
            ++r.nargs;
        }
    }
}

call to_call(const raw_call& r, const std::string& what, std::size_t written) {
    if (!r.is_cast && static_cast<std::size_t>(r.nargs) != written)
        throw error(sqlstate::internal_error, "resolution of " + what + " returned " + std::to_string(r.nargs) +
                                                  " arguments for " + std::to_string(written));
    call c;
    if (r.schema) c.schema = r.schema;
    if (r.name) c.name = r.name;
    c.args.assign(r.args, r.args + (r.is_cast ? 0 : r.nargs));
    c.result = r.result;
    c.volatility = r.volatility;
    c.returns_set = r.returns_set;
    c.is_cast = r.is_cast;
    c.routine = r.routine;
    for (int i = 0; i < r.ncolumns; ++i)
        c.set_columns.push_back({r.column_names[i] ? r.column_names[i] : "", r.column_types[i]});
    c.composite = r.composite;
    c.operator_id = r.operator_id;
    return c;
}

void name_routine(raw_call& r, Oid routine) {
    r.routine = routine;
    r.name = get_func_name(routine);
    r.schema = get_namespace_name(get_func_namespace(routine));
}

} // namespace

type_ref unknown_type() { return {UNKNOWNOID, -1}; }

type_ref parse_type(const std::string& spelling) {
    type_ref t;
    pg::call([&] {
        Oid type = InvalidOid;
        int32 typmod = -1;
#if PG_VERSION_NUM >= 160000
        (void)parseTypeString(spelling.c_str(), &type, &typmod, nullptr);
#else
        parseTypeString(spelling.c_str(), &type, &typmod, false);
#endif
        t = {type, typmod};
    });
    return t;
}

std::string spell_type(type_ref t) {
    const qualified_type_names_scope qualified;
    return pg::call([&] { return static_cast<const char*>(format_type_with_typemod(t.type, t.typmod)); });
}

call resolve_operator(const std::string& schema, const std::string& op, const type_ref* left, type_ref right,
                      int location) {
    raw_call r;
    pg::call([&] {
        ParseState* ps = new_parse_state(location);
        Node* l = left ? stand_in(*left, 1, location) : nullptr;
        Expr* e = make_op(ps, qualified_name(schema, op), l, stand_in(right, 2, location), nullptr, location);
        const auto* opexpr = reinterpret_cast<OpExpr*>(e);
        r.name = get_opname(opexpr->opno);
        r.operator_id = opexpr->opno;
        r.routine = get_opcode(opexpr->opno);
        HeapTuple tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(opexpr->opno));
        if (HeapTupleIsValid(tuple)) {
            r.schema = get_namespace_name(reinterpret_cast<Form_pg_operator>(GETSTRUCT(tuple))->oprnamespace);
            ReleaseSysCache(tuple);
        }
        read_arg_types(r, opexpr->args, left ? 2 : 1);
        r.result = type_of(reinterpret_cast<Node*>(e));
        r.returns_set = opexpr->opretset;
        r.volatility = volatility_of(reinterpret_cast<Node*>(e));
    });
    return to_call(r, "operator " + op, left ? 2 : 1);
}

call resolve_function(const std::string& schema, const std::string& name, const std::vector<type_ref>& args,
                      call_kind kind, bool star, const std::vector<type_ref>& ordered, int location) {
    raw_call r;
    const int written = static_cast<int>(args.size());
    pg::call([&] {
        ParseState* ps = new_parse_state(location);
        List* funcname = qualified_name(schema, name);
        List* fargs = stand_ins(args, 1, location);
        FuncCall* fn = makeFuncCall(funcname, NIL, COERCE_EXPLICIT_CALL, location);
        fn->agg_star = star;
        if (kind == call_kind::window) fn->over = makeNode(WindowDef);
        if (!ordered.empty()) {
            // WITHIN GROUP: the sort keys follow the direct arguments, as transformFuncCall
            // passes them.
            fn->agg_within_group = true;
            List* keys = stand_ins(ordered, written + 1, location);
            ListCell* lc;
            foreach (lc, keys) {
                SortBy* sb = makeNode(SortBy);
                sb->node = static_cast<Node*>(lfirst(lc));
                sb->sortby_dir = SORTBY_DEFAULT;
                sb->sortby_nulls = SORTBY_NULLS_DEFAULT;
                sb->location = -1;
                fn->agg_order = lappend(fn->agg_order, sb);
                fargs = lappend(fargs, lfirst(lc));
            }
        }
        Node* e = ParseFuncOrColumn(ps, funcname, fargs, nullptr, fn, false, location);
        r.result = type_of(e);
        r.volatility = volatility_of(e);
        if (IsA(e, FuncExpr)) {
            const auto* f = reinterpret_cast<FuncExpr*>(e);
            name_routine(r, f->funcid);
            r.returns_set = f->funcretset;
            read_arg_types(r, f->args, written);
            if (f->funcretset) read_set_columns(r, e, f->funcid);
        } else if (IsA(e, Aggref)) {
            const auto* a = reinterpret_cast<Aggref*>(e);
            name_routine(r, a->aggfnoid);
            read_arg_types(r, ordered.empty() ? a->args : a->aggdirectargs, written);
        } else if (IsA(e, WindowFunc)) {
            const auto* w = reinterpret_cast<WindowFunc*>(e);
            name_routine(r, w->winfnoid);
            read_arg_types(r, w->args, written);
        } else {
            r.is_cast = true; // a function-style cast (text(x)): a coercion node, no function
        }
    });
    call c = to_call(r, name + "()", args.size());
    if (c.is_cast) c.args = args;
    return c;
}

type_ref common_type(const std::vector<type_ref>& types, const std::string& context, const std::vector<int>& locations) {
    type_ref common;
    const int furthest = locations.empty() ? -1 : *std::max_element(locations.begin(), locations.end());
    pg::call([&] {
        ParseState* ps = new_parse_state(furthest);
        List* exprs = NIL;
        for (std::size_t i = 0; i < types.size(); ++i)
            exprs = lappend(exprs, stand_in(types[i], static_cast<int>(i) + 1, i < locations.size() ? locations[i] : -1));
        const Oid type = select_common_type(ps, exprs, context.c_str(), nullptr);
        ListCell* lc;
        foreach (lc, exprs) {
            Node* e = static_cast<Node*>(lfirst(lc));
            const Oid from = exprType(e);
            if (!can_coerce_type(1, &from, &type, COERCION_IMPLICIT))
                ereport(ERROR, (errcode(ERRCODE_CANNOT_COERCE),
                                errmsg("%s could not convert type %s to %s", context.c_str(), format_type_be(from),
                                       format_type_be(type)),
                                parser_errposition(ps, exprLocation(e))));
        }
        common = {type, select_common_typmod(ps, exprs, type)};
    });
    return common;
}

std::optional<char> cast_volatility(type_ref from, type_ref to) {
    char vol = 0;
    pg::call([&] {
        ParseState* ps = new_parse_state(-1);
        Node* e = coerce_to_target_type(ps, stand_in(from, 1, -1), from.type, to.type, to.typmod, COERCION_EXPLICIT,
                                        COERCE_EXPLICIT_CAST, -1);
        if (e) vol = volatility_of(e);
    });
    if (vol == 0) return std::nullopt;
    return vol;
}

std::optional<type_ref> array_type(type_ref element) {
    const Oid a = pg::call([&] { return OidIsValid(get_element_type(element.type)) ? element.type : get_array_type(element.type); });
    if (!OidIsValid(a)) return std::nullopt;
    return type_ref{a, element.typmod};
}

type_ref base_type(type_ref t) {
    const Oid base = pg::call([&] { return getBaseType(t.type); });
    return base == t.type ? t : type_ref{base, -1};
}

std::optional<type_ref> element_type(type_ref t) {
    const Oid e = pg::call([&] { return get_base_element_type(t.type); });
    if (!OidIsValid(e)) return std::nullopt;
    return type_ref{e, t.typmod};
}

std::optional<std::pair<std::string, std::string>> find_collation(const std::vector<std::string>& names, int position) {
    std::pair<std::string, std::string> found;
    bool deterministic = true;
    pg::call([&] {
        List* qualified = NIL;
        for (const auto& n : names) qualified = lappend(qualified, makeString(pstrdup(n.c_str())));
        const Oid collation = LookupCollation(new_parse_state(position), qualified, position);
        HeapTuple tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collation));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for collation %u", collation);
        const auto* form = reinterpret_cast<Form_pg_collation>(GETSTRUCT(tuple));
        found = {get_namespace_name(form->collnamespace), NameStr(form->collname)};
        deterministic = form->collisdeterministic;
        ReleaseSysCache(tuple);
    });
    if (!deterministic) return std::nullopt;
    return found;
}

std::optional<std::vector<std::pair<std::string, type_ref>>> fields_of(type_ref t) {
    std::vector<std::pair<std::string, type_ref>> fields;
    const bool composite = pg::call([&] {
        const Oid base = getBaseType(t.type);
        if (!OidIsValid(typeOrDomainTypeRelid(t.type))) return false;
        TupleDesc desc = lookup_rowtype_tupdesc(base, -1);
        for (int i = 0; i < desc->natts; ++i) {
            const Form_pg_attribute a = TupleDescAttr(desc, i);
            if (a->attisdropped) continue;
            fields.emplace_back(NameStr(a->attname), type_ref{a->atttypid, a->atttypmod});
        }
        ReleaseTupleDesc(desc);
        return true;
    });
    if (!composite) return std::nullopt;
    return fields;
}

std::optional<type_ref> field_type(type_ref t, const std::string& name, int position) {
    type_ref field;
    const bool composite = pg::call([&] {
        const Oid relid = typeOrDomainTypeRelid(t.type);
        if (!OidIsValid(relid)) return false;
        // (A row type's fields are its table's columns, not its system columns.)
        const AttrNumber att = get_attnum(relid, name.c_str());
        if (att <= 0)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                            errmsg("column \"%s\" not found in data type %s", name.c_str(), format_type_be(t.type)),
                            parser_errposition(new_parse_state(position), position)));
        Oid collation;
        get_atttypetypmodcoll(relid, att, &field.type, &field.typmod, &collation);
        return true;
    });
    if (!composite) return std::nullopt;
    return field;
}

bool is_boolean(type_ref t) {
    return pg::call([&] { return getBaseType(t.type) == BOOLOID; });
}

std::vector<std::optional<column_origin>> output_origins(const std::string& sql) {
    struct raw_origin {
        Oid table;
        const char* column;
    };
    raw_origin* origins = nullptr;
    int n = 0;
    pg::call([&] {
        SPIPlanPtr plan = SPI_prepare(sql.c_str(), 0, nullptr);
        if (!plan) elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        const auto* source = static_cast<CachedPlanSource*>(linitial(SPI_plan_get_plan_sources(plan)));
        const auto* query = linitial_node(Query, source->query_list);
        origins = static_cast<raw_origin*>(palloc0(sizeof(raw_origin) * static_cast<std::size_t>(list_length(query->targetList) + 1)));
        ListCell* lc;
        foreach (lc, query->targetList) {
            const auto* tle = lfirst_node(TargetEntry, lc);
            if (tle->resjunk) continue;
            raw_origin& o = origins[n++];
            // (resorigcol 0: a whole-row reference, which has no column of origin.)
            if (tle->resorigtbl == InvalidOid || tle->resorigcol <= 0 || get_rel_relkind(tle->resorigtbl) != RELKIND_RELATION) continue;
            o.table = tle->resorigtbl;
            o.column = get_attname(tle->resorigtbl, tle->resorigcol, false);
        }
        SPI_freeplan(plan);
    });
    std::vector<std::optional<column_origin>> out;
    for (int i = 0; i < n; ++i)
        out.push_back(origins[i].column ? std::optional<column_origin>(column_origin{origins[i].table, origins[i].column})
                                        : std::nullopt);
    return out;
}

double planned_cost(const std::string& sql) {
    double cost = 0;
    pg::call([&] {
        // (The planner may evaluate stable functions on constants: it needs a snapshot.)
        const bool push = !ActiveSnapshotSet();
        if (push) PushActiveSnapshot(GetTransactionSnapshot());
        ListCell* raw;
        foreach (raw, pg_parse_query(sql.c_str())) {
            ListCell* q;
            foreach (q, pg_analyze_and_rewrite_fixedparams(lfirst_node(RawStmt, raw), sql.c_str(), nullptr, 0, nullptr))
                cost += pg_plan_query(lfirst_node(Query, q), sql.c_str(), CURSOR_OPT_PARALLEL_OK, nullptr)->planTree->total_cost;
        }
        if (push) PopActiveSnapshot();
    });
    return cost;
}

namespace {

bool not_leakproof(Oid function, void*) { return !get_func_leakproof(function); }

/// Whether `op` is a comparison of an ordering index operator family (=, <>, <, …).
bool orders_values(Oid op) {
#if PG_VERSION_NUM >= 180000
    return get_op_index_interpretation(op) != NIL;
#else
    return get_op_btree_interpretation(op) != NIL;
#endif
}

bool raises_on_data(Node* node, void* context);

#if PG_VERSION_NUM >= 160000
#define PGT_WALKER(w) (w)
#else
#define PGT_WALKER(w) reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(w)) // (through void(*)(): no -Wcast-function-type)
#endif

bool raises_on_data(Node* node, void* context) {
    if (!node) return false;
    if (IsA(node, Query))
        return query_tree_walker(reinterpret_cast<Query*>(node), PGT_WALKER(raises_on_data), context, 0);
    switch (nodeTag(node)) {
    case T_CoerceToDomain:
    case T_XmlExpr:
#if PG_VERSION_NUM >= 160000
    case T_JsonConstructorExpr:
#endif
#if PG_VERSION_NUM >= 170000
    case T_JsonExpr:
#endif
        return true;
    case T_Aggref:
    case T_WindowFunc:
        break; // (their arguments are walked below)
    case T_OpExpr:
    case T_DistinctExpr:
    case T_NullIfExpr:
    case T_ScalarArrayOpExpr: {
        // A B-tree comparison (numeric's are not marked leakproof) orders any two values.
        const Oid op = IsA(node, ScalarArrayOpExpr) ? castNode(ScalarArrayOpExpr, node)->opno : reinterpret_cast<OpExpr*>(node)->opno;
        if (!orders_values(op) && check_functions_in_node(node, not_leakproof, nullptr)) return true;
        break;
    }
    default:
        if (check_functions_in_node(node, not_leakproof, nullptr)) return true;
    }
    return expression_tree_walker(node, PGT_WALKER(raises_on_data), context);
}

#undef PGT_WALKER

} // namespace

bool may_raise_on_data(const std::string& sql) {
    return pg::call([&] {
        SPIPlanPtr plan = SPI_prepare(sql.c_str(), 0, nullptr);
        if (!plan) elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        bool raises = false;
        ListCell* lc;
        foreach (lc, SPI_plan_get_plan_sources(plan)) {
            const auto* source = static_cast<CachedPlanSource*>(lfirst(lc));
            ListCell* q;
            foreach (q, source->query_list) raises = raises || raises_on_data(static_cast<Node*>(lfirst(q)), nullptr);
        }
        SPI_freeplan(plan);
        return raises;
    });
}

bool has_equality(oid t) {
    return pg::call([&] { return lookup_type_cache(t, TYPECACHE_EQ_OPR)->eq_opr != InvalidOid; });
}

} // namespace pgt::server::analyzer
