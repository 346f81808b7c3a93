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
/// `CREATE INDEX ON table (key, …)`: keys rendered (quoted columns or sort keys).
std::string create_index(const std::string& table, const std::vector<std::string>& keys);
/// `ALTER TABLE table OWNER TO role` (role unquoted).
std::string alter_owner(const std::string& table, const std::string& role);
/// `ANALYZE table`, `TRUNCATE table`.
std::string analyze(const std::string& table);
std::string truncate(const std::string& table);

} // namespace pgt::sql::ddl
