#include "pgt/sql/ddl.hpp"

#include "pgt/sql/builder.hpp"

namespace pgt::sql::ddl {

std::string drop_table(const std::string& table, bool if_exists) { return (if_exists ? "DROP TABLE IF EXISTS " : "DROP TABLE ") + table; }

std::string drop_trigger(const std::string& trigger, const std::string& table) { return "DROP TRIGGER " + trigger + " ON " + table; }

std::string create_table(const std::string& table, const std::vector<std::pair<std::string, std::string>>& columns) {
    std::vector<std::string> defs;
    for (const auto& [name, type] : columns) defs.push_back(ident(name) + " " + type);
    return "CREATE TABLE " + table + " (" + join(defs) + ")";
}

std::string create_table(const std::string& table, const std::vector<column_definition>& columns) {
    std::vector<std::string> defs;
    for (const auto& c : columns) defs.push_back(ident(c.name) + " " + c.type + (c.not_null ? " NOT NULL" : ""));
    return "CREATE TABLE " + table + " (" + join(defs) + ")";
}

std::string create_index(const std::string& table, const std::vector<std::string>& keys, bool unique) {
    return std::string(unique ? "CREATE UNIQUE INDEX ON " : "CREATE INDEX ON ") + table + " (" + join(keys) + ")";
}

std::string replica_identity(const std::string& table, const std::string& index) {
    return "ALTER TABLE " + table + " REPLICA IDENTITY " + (index.empty() ? "FULL" : "USING INDEX " + index);
}

std::string alter_owner(const std::string& table, const std::string& role) { return "ALTER TABLE " + table + " OWNER TO " + role; }

std::string drop_column(const std::string& table, const std::string& column) { return "ALTER TABLE " + table + " DROP COLUMN " + column; }

std::string alter_column_type(const std::string& table, const std::string& column, const std::string& type) {
    return "ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + type + " USING " + column + "::" + type;
}

std::string create_statement_trigger(const std::string& name, const std::string& timing, const std::string& events,
                                     const std::string& table, const std::string& function) {
    return "CREATE OR REPLACE TRIGGER " + name + " " + timing + " " + events + " ON " + table + " FOR EACH STATEMENT EXECUTE FUNCTION " +
           function + "()";
}

std::string lock_exclusively(const std::string& table) { return "LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE"; }

std::string analyze(const std::string& table) { return "ANALYZE " + table; }

std::string truncate(const std::string& table) { return "TRUNCATE " + table; }

} // namespace pgt::sql::ddl
