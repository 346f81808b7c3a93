#pragma once
/// \file
/// The utility statements the extension runs on its own objects (storage, state tables,
/// buffers, triggers), spelled by the renderer. Names are given rendered (quoted, qualified).

#include <string>
#include <utility>
#include <vector>

#include "pgt/detail/no_postgres.hpp"

namespace pgt::sql::ddl {

/// `DROP TABLE [IF EXISTS] table`.
std::string drop_table(const std::string& table, bool if_exists = false);
/// `DROP TRIGGER trigger ON table`.
std::string drop_trigger(const std::string& trigger, const std::string& table);
/// `CREATE TABLE table (name type, …)`: names unquoted, types spelled.
std::string create_table(const std::string& table, const std::vector<std::pair<std::string, std::string>>& columns);
struct column_definition {
    std::string name, type; ///< name unquoted, type spelled
    bool not_null = false;
};
std::string create_table(const std::string& table, const std::vector<column_definition>& columns);
/// `CREATE [UNIQUE] INDEX ON table (key, …)`: keys rendered (quoted columns or sort keys).
std::string create_index(const std::string& table, const std::vector<std::string>& keys, bool unique = false);
/// `ALTER TABLE table REPLICA IDENTITY USING INDEX index` (index rendered), or `FULL` without one.
std::string replica_identity(const std::string& table, const std::string& index = {});
/// `ALTER TABLE table OWNER TO role` (role rendered: quoted).
std::string alter_owner(const std::string& table, const std::string& role);
/// `ALTER TABLE table DROP COLUMN column`; `… ALTER COLUMN column TYPE type USING column::type`.
std::string drop_column(const std::string& table, const std::string& column);
std::string alter_column_type(const std::string& table, const std::string& column, const std::string& type);
/// `CREATE OR REPLACE TRIGGER name BEFORE|AFTER events ON table FOR EACH STATEMENT EXECUTE
/// FUNCTION function()` (name and function rendered, events as `INSERT OR UPDATE …`).
std::string create_statement_trigger(const std::string& name, const std::string& timing, const std::string& events,
                                     const std::string& table, const std::string& function);
/// `LOCK TABLE table IN ACCESS EXCLUSIVE MODE`.
std::string lock_exclusively(const std::string& table);
/// `ANALYZE table`, `TRUNCATE table`.
std::string analyze(const std::string& table);
std::string truncate(const std::string& table);

} // namespace pgt::sql::ddl
