// The offline catalog: a schema file of CREATE statements, parsed with libpg_query. Views
// (and materialized views) are checked when defined, by compiling their SELECT against the
// relations defined before them, as PostgreSQL would.
// pgt headers first: they refuse to be included after postgres.h.
#include "pgt/offline.hpp"

#include "frontend/names.hpp"
#include "frontend/offline/view_text.hpp"
#include "frontend/pg.hpp"
#include "frontend/type_names.hpp"

#include <algorithm>
#include <map>

extern "C" {
#include <catalog/pg_class.h>
}

namespace pgt::offline {

namespace {

using frontend::as;
using frontend::nodes;
using frontend::str;

class schema_catalog : public catalog {
public:
    std::optional<relation_info> find_relation(const std::string& schema, const std::string& name) const override {
        // Unqualified names search the temporary schema first, then public.
        for (const std::string& s : schema.empty() ? std::vector<std::string>{"pg_temp", "public"} : std::vector{schema})
            if (auto it = relations_.find({s, name}); it != relations_.end()) return it->second;
        return std::nullopt;
    }

    std::optional<function_info> find_function(const std::string&, const std::string&,
                                                const std::vector<sql_type>&) const override {
        return std::nullopt;
    }

    void add(relation_info info, bool replace) {
        const auto& t = *info.table;
        auto key = std::make_pair(t.schema, t.name);
        if (auto it = relations_.find(key); it != relations_.end()) {
            if (!replace || it->second.kind != relation_kind::view)
                throw error(sqlstate::duplicate_table, "relation \"" + t.name + "\" already exists");
            relations_.erase(it);
        }
        relations_.emplace(key, std::move(info));
    }

    std::uint32_t next_oid() { return oid_++; }

private:
    std::map<std::pair<std::string, std::string>, relation_info> relations_;
    std::uint32_t oid_ = 16384; // PostgreSQL's first user oid
};

std::string relation_schema(const RangeVar* rv) {
    if (rv->schemaname) return rv->schemaname;
    return rv->relpersistence == RELPERSISTENCE_TEMP ? "pg_temp" : "public";
}

sql_type column_type(const ColumnDef* def, bool& serial) {
    // serial types are integers with a sequence default: NOT NULL, and the integer type.
    static const std::map<std::string, type_kind> serials = {
        {"serial", type_kind::int4}, {"serial4", type_kind::int4}, {"bigserial", type_kind::int8},
        {"serial8", type_kind::int8}, {"smallserial", type_kind::int2}, {"serial2", type_kind::int2}};
    const TypeName* tn = def->typeName;
    if (list_length(tn->names) == 1) {
        if (auto it = serials.find(str(static_cast<const Node*>(linitial(tn->names)))); it != serials.end()) {
            serial = true;
            return make_type(it->second);
        }
    }
    auto t = frontend::type_from_name(tn);
    if (!t.problem.empty())
        throw error(sqlstate::feature_not_supported,
                    "column \"" + std::string(def->colname) + "\": " + t.problem + " is not supported in schema files");
    return t.type;
}

int column_index(const ir::table& t, const std::string& name) {
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i].name == name) return static_cast<int>(i);
    throw error(sqlstate::undefined_column, "column \"" + name + "\" named in key does not exist");
}

void set_primary_key(ir::table& t, std::vector<int> key) {
    if (!t.primary_key.empty())
        throw error("42P16", "multiple primary keys for table \"" + t.name + "\" are not allowed");
    for (int c : key) t.columns[static_cast<std::size_t>(c)].not_null = true;
    t.primary_key = std::move(key);
}

relation_info table_from(const CreateStmt* cs, schema_catalog& cat, relation_kind kind) {
    if (list_length(cs->inhRelations) > 0 || cs->partbound || cs->ofTypename)
        throw error(sqlstate::feature_not_supported,
                    "schema files support plain CREATE TABLE only (no INHERITS, PARTITION OF or OF type)");
    auto t = std::make_shared<ir::table>();
    t->schema = relation_schema(cs->relation);
    t->name = cs->relation->relname;
    t->oid = cat.next_oid();
    std::vector<const Constraint*> table_constraints;
    for (const Node* elt : nodes(cs->tableElts)) {
        if (IsA(elt, Constraint)) {
            table_constraints.push_back(as<Constraint>(elt));
            continue;
        }
        if (!IsA(elt, ColumnDef)) throw error(sqlstate::feature_not_supported, "CREATE TABLE … (LIKE …) is not supported in schema files");
        const auto* def = as<ColumnDef>(elt);
        if (std::ranges::any_of(t->columns, [&](const ir::column& c) { return c.name == def->colname; }))
            throw error(sqlstate::duplicate_column, "column \"" + std::string(def->colname) + "\" specified more than once");
        bool serial = false;
        ir::column col{def->colname, column_type(def, serial), def->is_not_null || serial};
        bool key = false;
        for (const Node* c : nodes(def->constraints)) {
            ConstrType type = as<Constraint>(c)->contype;
            col.not_null |= type == CONSTR_NOTNULL;
            key |= type == CONSTR_PRIMARY;
        }
        t->columns.push_back(std::move(col));
        if (key) set_primary_key(*t, {static_cast<int>(t->columns.size()) - 1});
    }
    for (const Constraint* c : table_constraints) {
        if (c->contype != CONSTR_PRIMARY) continue;
        std::vector<int> key;
        for (const Node* k : nodes(c->keys)) key.push_back(column_index(*t, str(k)));
        set_primary_key(*t, std::move(key));
    }
    relation_info info{kind, t, {}, cs->relation->relpersistence == RELPERSISTENCE_TEMP};
    info.partitioned = info.has_children = cs->partspec != nullptr;
    return info;
}

// Compiles a view's SELECT as a subquery (its LIMIT or ORDER BY are fine there), so that a
// view reading unknown names fails at its definition. Error positions point into the DDL.
relation_info view_from(const RangeVar* rv, const List* aliases, std::string_view query, std::size_t query_offset,
                        relation_kind kind, schema_catalog& cat) {
    const std::string prefix = "SELECT * FROM (";
    frontend::compile_result compiled;
    try {
        compiled = offline::compile(prefix + std::string(query) + ") AS v", cat);
    } catch (const error& e) {
        int position = e.position() < 0 ? -1
                                         : std::max(0, e.position() - static_cast<int>(prefix.size())) +
                                               static_cast<int>(query_offset);
        throw error(e.code(), e.what(), e.detail(), e.hint(), position);
    }
    auto t = std::make_shared<ir::table>();
    t->schema = relation_schema(rv);
    t->name = rv->relname;
    t->oid = cat.next_oid();
    if (compiled.query) {
        t->columns = compiled.query->root->columns;
    }
    // The view's own names (CREATE VIEW v (a, b)) win over the SELECT's.
    std::size_t i = 0;
    for (const Node* a : nodes(aliases)) {
        if (i == t->columns.size()) t->columns.push_back({});
        t->columns[i++].name = str(a);
    }
    return {kind, t, std::string(query), rv->relpersistence == RELPERSISTENCE_TEMP};
}

void load_statement(const RawStmt* raw, std::string_view ddl, schema_catalog& cat) {
    const Node* stmt = raw->stmt;
    const auto begin = static_cast<std::size_t>(std::max(raw->stmt_location, 0));
    std::string_view text = ddl.substr(begin, raw->stmt_len > 0 ? static_cast<std::size_t>(raw->stmt_len) : std::string_view::npos);
    auto query_of = [&](std::string_view& q) {
        q = view_query(text);
        return begin + static_cast<std::size_t>(q.data() - text.data());
    };
    switch (nodeTag(stmt)) {
    case T_CreateStmt: cat.add(table_from(as<CreateStmt>(stmt), cat, relation_kind::table), false); return;
    case T_CreateForeignTableStmt:
        cat.add(table_from(&as<CreateForeignTableStmt>(stmt)->base, cat, relation_kind::foreign_table), false);
        return;
    case T_ViewStmt: {
        const auto* v = as<ViewStmt>(stmt);
        std::string_view q;
        std::size_t offset = query_of(q);
        cat.add(view_from(v->view, v->aliases, q, offset, relation_kind::view, cat), v->replace);
        return;
    }
    case T_CreateTableAsStmt: {
        const auto* ctas = as<CreateTableAsStmt>(stmt);
        if (ctas->objtype != OBJECT_MATVIEW) break;
        std::string_view q;
        std::size_t offset = query_of(q);
        cat.add(view_from(ctas->into->rel, ctas->into->colNames, q, offset, relation_kind::materialized_view, cat), false);
        return;
    }
    case T_CreateSchemaStmt:
        if (list_length(as<CreateSchemaStmt>(stmt)->schemaElts) == 0) return;
        throw error(sqlstate::feature_not_supported, "CREATE SCHEMA with elements is not supported in schema files");
    default: break;
    }
    throw error(sqlstate::feature_not_supported,
                "schema files may contain CREATE TABLE, CREATE VIEW, CREATE MATERIALIZED VIEW, CREATE FOREIGN "
                "TABLE and CREATE SCHEMA only, not " + frontend::statement_kind(stmt),
                {}, {}, raw->stmt_location);
}

} // namespace

std::unique_ptr<catalog> load_schema(const std::string& ddl) {
    auto cat = std::make_unique<schema_catalog>();
    parser p;
    const List* stmts = static_cast<const List*>(p.parse(ddl));
    for (const Node* n : nodes(stmts)) load_statement(as<RawStmt>(n), ddl, *cat);
    return cat;
}

frontend::compile_result compile(const std::string& sql, const catalog& cat) {
    parser p;
    return frontend::compile(sql, cat, p.as_parse_fn());
}

} // namespace pgt::offline
