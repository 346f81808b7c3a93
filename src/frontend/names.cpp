#include "frontend/names.hpp"

namespace pgt::frontend {

namespace {

// FigureColnameInternal (parse_target.c): strength 2 for a real name, 1 for a fallback (a
// cast's type, `case`) that an inner name may still beat. The depth cap is only a backstop:
// translation has already bounded the nesting of every tree that gets named.
int figure(const Node* n, std::string& name, int depth);

const char* sql_value_function_name(SQLValueFunctionOp op) {
    switch (op) {
    case SVFOP_CURRENT_DATE: return "current_date";
    case SVFOP_CURRENT_TIME:
    case SVFOP_CURRENT_TIME_N: return "current_time";
    case SVFOP_CURRENT_TIMESTAMP:
    case SVFOP_CURRENT_TIMESTAMP_N: return "current_timestamp";
    case SVFOP_LOCALTIME:
    case SVFOP_LOCALTIME_N: return "localtime";
    case SVFOP_LOCALTIMESTAMP:
    case SVFOP_LOCALTIMESTAMP_N: return "localtimestamp";
    case SVFOP_CURRENT_ROLE: return "current_role";
    case SVFOP_CURRENT_USER: return "current_user";
    case SVFOP_USER: return "user";
    case SVFOP_SESSION_USER: return "session_user";
    case SVFOP_CURRENT_CATALOG: return "current_catalog";
    case SVFOP_CURRENT_SCHEMA: return "current_schema";
    }
    return nullptr;
}

int figure_sublink(const SubLink* s, std::string& name, int depth) {
    switch (s->subLinkType) {
    case EXISTS_SUBLINK: name = "exists"; return 2;
    case ARRAY_SUBLINK: name = "array"; return 2;
    case EXPR_SUBLINK: {
        // The subquery's single output column, when it names one itself.
        const Node* sub = s->subselect;
        if (!IsA(sub, SelectStmt)) return 0;
        const List* targets = as<SelectStmt>(sub)->targetList;
        if (list_length(targets) != 1) return 0;
        const auto* rt = static_cast<const ResTarget*>(linitial(targets));
        name = rt->name ? std::string(rt->name) : std::string("?column?");
        if (!rt->name && figure(rt->val, name, depth + 1) == 0) name = "?column?";
        return 2;
    }
    default: return 0;
    }
}

int figure(const Node* n, std::string& name, int depth) {
    if (!n || depth > 1000) return 0;
    switch (nodeTag(n)) {
    case T_ColumnRef: {
        const char* last = nullptr;
        for (const Node* f : nodes(as<ColumnRef>(n)->fields))
            if (IsA(f, String)) last = strVal(f);
        if (!last) return 0;
        name = last;
        return 2;
    }
    case T_A_Indirection: {
        const auto* ind = as<A_Indirection>(n);
        const char* last = nullptr;
        for (const Node* f : nodes(ind->indirection))
            if (IsA(f, String)) last = strVal(f);
        if (last) {
            name = last;
            return 2;
        }
        return figure(ind->arg, name, depth + 1);
    }
    case T_FuncCall: name = str(static_cast<const Node*>(llast(as<FuncCall>(n)->funcname))); return 2;
    case T_A_Expr:
        if (as<A_Expr>(n)->kind != AEXPR_NULLIF) return 0;
        name = "nullif";
        return 2;
    case T_TypeCast: {
        const auto* tc = as<TypeCast>(n);
        int strength = figure(tc->arg, name, depth + 1);
        if (strength > 1 || !tc->typeName) return strength;
        name = str(static_cast<const Node*>(llast(tc->typeName->names)));
        return 1;
    }
    case T_CollateClause: return figure(as<CollateClause>(n)->arg, name, depth + 1);
    case T_GroupingFunc: name = "grouping"; return 2;
    case T_SubLink: return figure_sublink(as<SubLink>(n), name, depth);
    case T_CaseExpr: {
        int strength = figure(reinterpret_cast<const Node*>(as<CaseExpr>(n)->defresult), name, depth + 1);
        if (strength > 1) return strength;
        name = "case";
        return 1;
    }
    case T_A_ArrayExpr: name = "array"; return 2;
    case T_RowExpr: name = "row"; return 2;
    case T_CoalesceExpr: name = "coalesce"; return 2;
    case T_MinMaxExpr: name = as<MinMaxExpr>(n)->op == IS_GREATEST ? "greatest" : "least"; return 2;
    case T_SQLValueFunction:
        if (const char* f = sql_value_function_name(as<SQLValueFunction>(n)->op)) {
            name = f;
            return 2;
        }
        return 0;
    case T_XmlExpr: name = "xml"; return 2;
    case T_XmlSerialize: name = "xmlserialize"; return 2;
    default: return 0;
    }
}

} // namespace

std::string figure_column_name(const Node* expr) {
    std::string name;
    return figure(expr, name, 0) > 0 ? name : "?column?";
}

std::string statement_kind(const Node* stmt) {
    switch (nodeTag(stmt)) {
    case T_InsertStmt: return "INSERT";
    case T_UpdateStmt: return "UPDATE";
    case T_DeleteStmt: return "DELETE";
    case T_MergeStmt: return "MERGE";
    case T_CreateStmt: return "CREATE TABLE";
    case T_CreateTableAsStmt: return "CREATE TABLE AS";
    case T_ViewStmt: return "CREATE VIEW";
    case T_IndexStmt: return "CREATE INDEX";
    case T_CreateSchemaStmt: return "CREATE SCHEMA";
    case T_CreateFunctionStmt: return "CREATE FUNCTION";
    case T_AlterTableStmt: return "ALTER TABLE";
    case T_DropStmt: return "DROP";
    case T_TruncateStmt: return "TRUNCATE";
    case T_CopyStmt: return "COPY";
    case T_ExplainStmt: return "EXPLAIN";
    case T_TransactionStmt: return "transaction control";
    case T_VariableSetStmt: return "SET";
    case T_VariableShowStmt: return "SHOW";
    case T_DoStmt: return "DO";
    case T_CallStmt: return "CALL";
    case T_GrantStmt: return "GRANT";
    case T_LockStmt: return "LOCK";
    case T_DeclareCursorStmt: return "DECLARE CURSOR";
    case T_PrepareStmt: return "PREPARE";
    case T_ExecuteStmt: return "EXECUTE";
    case T_VacuumStmt: return "VACUUM";
    case T_CommentStmt: return "COMMENT";
    default: return "utility statement";
    }
}

std::string expression_kind(const Node* n) {
    switch (nodeTag(n)) {
    case T_A_ArrayExpr: return "ARRAY constructor";
    case T_RowExpr: return "ROW constructor";
    case T_A_Indirection: return "subscript or field selection";
    case T_CollateClause: return "COLLATE";
    case T_GroupingFunc: return "GROUPING()";
    case T_XmlExpr: return "XML expression";
    case T_XmlSerialize: return "XMLSERIALIZE";
    case T_SetToDefault: return "DEFAULT";
    case T_MultiAssignRef: return "multiple-column assignment";
    case T_CurrentOfExpr: return "CURRENT OF";
    case T_NamedArgExpr: return "named argument";
#if PG_VERSION_NUM >= 160000
    case T_JsonObjectConstructor: return "JSON_OBJECT";
    case T_JsonArrayConstructor:
    case T_JsonArrayQueryConstructor: return "JSON_ARRAY";
    case T_JsonObjectAgg: return "JSON_OBJECTAGG";
    case T_JsonArrayAgg: return "JSON_ARRAYAGG";
    case T_JsonIsPredicate: return "IS JSON";
#endif
#if PG_VERSION_NUM >= 170000
    case T_JsonParseExpr: return "JSON()";
    case T_JsonScalarExpr: return "JSON_SCALAR";
    case T_JsonSerializeExpr: return "JSON_SERIALIZE";
    case T_JsonFuncExpr:
        switch (as<JsonFuncExpr>(n)->op) {
        case JSON_EXISTS_OP: return "JSON_EXISTS";
        case JSON_QUERY_OP: return "JSON_QUERY";
        case JSON_VALUE_OP: return "JSON_VALUE";
        case JSON_TABLE_OP: return "JSON_TABLE";
        }
        return "JSON function";
#endif
    default: return "expression node " + std::to_string(static_cast<int>(nodeTag(n)));
    }
}

} // namespace pgt::frontend
