#include "pgt/sql/ddl.hpp"

#include "pgt/sql/builder.hpp"

namespace pgt::sql::ddl {

std::string drop_table(const std::string& table, bool if_exists) { return (if_exists ? "DROP TABLE IF EXISTS " : "DROP TABLE ") + table; }

std::string drop_index(const std::string& index) { return "DROP INDEX " + index; }

std::string drop_trigger(const std::string& trigger, const std::string& table) { return "DROP TRIGGER " + trigger + " ON " + table; }

std::string create_table(const std::string& table, const std::vector<std::pair<std::string, std::string>>& columns) {
    std::vector<std::string> defs;
    for (const auto& [name, type] : columns) defs.push_back(ident(name) + " " + type);
    return "CREATE TABLE " + table + " (" + join(defs) + ")";
}

namespace {
std::string definition(const column_definition& c) {
    return ident(c.name) + " " + c.type + (c.collation.empty() ? "" : " COLLATE " + c.collation) + (c.not_null ? " NOT NULL" : "");
}

/// `role`, or PUBLIC without one.
std::string grantee(const std::optional<std::string>& role) { return role ? *role : "PUBLIC"; }
} // namespace

std::string create_table(const std::string& table, const std::vector<column_definition>& columns, std::optional<int> fillfactor) {
    std::vector<std::string> defs;
    for (const auto& c : columns) defs.push_back(definition(c));
    return "CREATE TABLE " + table + " (" + join(defs) + ")" + (fillfactor ? " WITH (fillfactor = " + std::to_string(*fillfactor) + ")" : "");
}

std::string create_temporary_table(const std::string& table, const std::vector<column_definition>& columns, bool emptied_at_commit) {
    std::vector<std::string> defs;
    for (const auto& c : columns) defs.push_back(definition(c));
    return "CREATE TEMPORARY TABLE " + table + " (" + join(defs) + ")" + (emptied_at_commit ? " ON COMMIT DELETE ROWS" : "");
}

std::string create_temporary_table_like(const std::string& table, const std::string& query) {
    return "CREATE TEMPORARY TABLE " + table + " AS " + query + " WITH NO DATA";
}

std::string add_column(const std::string& table, const column_definition& column) {
    return "ALTER TABLE " + table + " ADD COLUMN " + definition(column);
}

std::string create_index(const std::string& table, const std::vector<std::string>& keys, bool unique) {
    return std::string(unique ? "CREATE UNIQUE INDEX ON " : "CREATE INDEX ON ") + table + " (" + join(keys) + ")";
}

std::string replica_identity(const std::string& table, const std::string& index) {
    return "ALTER TABLE " + table + " REPLICA IDENTITY " + (index.empty() ? "FULL" : "USING INDEX " + index);
}

std::string alter_owner(const std::string& table, const std::string& role) { return "ALTER TABLE " + table + " OWNER TO " + role; }

std::string drop_column(const std::string& table, const std::string& column) { return "ALTER TABLE " + table + " DROP COLUMN " + column; }

std::string set_not_null(const std::string& table, const std::string& column) {
    return "ALTER TABLE " + table + " ALTER COLUMN " + column + " SET NOT NULL";
}

std::string alter_column_type(const std::string& table, const std::string& column, const std::string& type) {
    return "ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + type + " USING " + column + "::" + type;
}

std::string create_statement_trigger(const std::string& name, const std::string& timing, const std::string& events,
                                     const std::string& table, const std::string& function) {
    return create_statement_trigger(name, timing, events, table, function, transition_tables{"", ""});
}

std::string create_statement_trigger(const std::string& name, const std::string& timing, const std::string& events,
                                     const std::string& table, const std::string& function, const transition_tables& transitions,
                                     const std::string& argument) {
    std::string referencing;
    if (!transitions.old_table.empty()) referencing += " OLD TABLE AS " + transitions.old_table;
    if (!transitions.new_table.empty()) referencing += " NEW TABLE AS " + transitions.new_table;
    return "CREATE OR REPLACE TRIGGER " + name + " " + timing + " " + events + " ON " + table +
           (referencing.empty() ? "" : " REFERENCING" + referencing) + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "(" +
           (argument.empty() ? "" : literal(argument)) + ")";
}

std::string enable_always_trigger(const std::string& table, const std::string& trigger) {
    return "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + trigger;
}

std::string lock_exclusively(const std::string& table) { return "LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE"; }

std::string column_default(const std::string& table, const std::string& column, const std::string& value) {
    return "ALTER TABLE " + table + " ALTER COLUMN " + ident(column) + " SET DEFAULT " + value;
}

std::string lock_shared(const std::vector<std::string>& tables) {
    std::string list;
    for (const auto& t : tables) list += (list.empty() ? "" : ", ") + t;
    return "LOCK TABLE " + list + " IN SHARE MODE";
}

std::string analyze(const std::string& table) { return "ANALYZE " + table; }

std::string truncate(const std::string& table) { return "TRUNCATE " + table; }

std::string grant_select(const std::string& table, const std::string& role) { return "GRANT SELECT ON " + table + " TO " + role; }

std::string grant_read_write(const std::string& table, const std::string& role) {
    return "GRANT SELECT, INSERT, DELETE ON " + table + " TO " + role;
}

std::string revoke_all(const std::string& table, const std::optional<std::string>& role) {
    return "REVOKE ALL ON " + table + " FROM " + grantee(role);
}

std::string grant_schema_usage(const std::string& schema, const std::string& role) {
    return "GRANT USAGE ON SCHEMA " + schema + " TO " + role;
}

std::string revoke_all_on_schema(const std::string& schema, const std::optional<std::string>& role) {
    return "REVOKE ALL ON SCHEMA " + schema + " FROM " + grantee(role);
}

} // namespace pgt::sql::ddl
