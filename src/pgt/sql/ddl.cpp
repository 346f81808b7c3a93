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

std::string create_index(const std::string& table, const std::vector<std::string>& keys) {
    return "CREATE INDEX ON " + table + " (" + join(keys) + ")";
}

std::string alter_owner(const std::string& table, const std::string& role) { return "ALTER TABLE " + table + " OWNER TO " + ident(role); }

std::string analyze(const std::string& table) { return "ANALYZE " + table; }

std::string truncate(const std::string& table) { return "TRUNCATE " + table; }

} // namespace pgt::sql::ddl
