#pragma once
/// \file
/// The utility statements the extension runs on its own objects (storage, state tables,
/// buffers, triggers), spelled by the renderer. Names are given rendered (quoted, qualified).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pgt/detail/no_postgres.hpp"

namespace pgt::sql::ddl {

/// `DROP TABLE [IF EXISTS] table`.
std::string drop_table(const std::string& table, bool if_exists = false);
/// `DROP INDEX index`.
std::string drop_index(const std::string& index);
/// `DROP TRIGGER trigger ON table`.
std::string drop_trigger(const std::string& trigger, const std::string& table);
/// `CREATE TABLE table (name type, …)`: names unquoted, types spelled.
std::string create_table(const std::string& table, const std::vector<std::pair<std::string, std::string>>& columns);
struct column_definition {
    std::string name, type; ///< name unquoted, type spelled
    bool not_null = false;
    std::string collation = {}; ///< a COLLATE clause's name (quoted), where not the type's default
};
/// With a `fillfactor` (a percentage), its pages are filled that far by inserts, the rest kept
/// for updates of their rows.
std::string create_table(const std::string& table, const std::vector<column_definition>& columns, std::optional<int> fillfactor = {});
/// `CREATE TEMPORARY TABLE table (…) [ON COMMIT DELETE ROWS]`.
std::string create_temporary_table(const std::string& table, const std::vector<column_definition>& columns, bool emptied_at_commit);
/// `CREATE TEMPORARY TABLE table AS query WITH NO DATA`: the columns of `query`, which is not
/// run.
std::string create_temporary_table_like(const std::string& table, const std::string& query);
/// `ALTER TABLE table ADD COLUMN name type [NOT NULL]`.
std::string add_column(const std::string& table, const column_definition& column);
/// `ALTER TABLE table ALTER COLUMN column SET DEFAULT value` (value rendered).
std::string column_default(const std::string& table, const std::string& column, const std::string& value);
/// `CREATE [UNIQUE] INDEX ON table (key, …)`: keys rendered (quoted columns or sort keys).
std::string create_index(const std::string& table, const std::vector<std::string>& keys, bool unique = false);
/// `ALTER TABLE table REPLICA IDENTITY USING INDEX index` (index rendered), or `FULL` without one.
std::string replica_identity(const std::string& table, const std::string& index = {});
/// `ALTER TABLE table OWNER TO role` (role rendered: quoted).
std::string alter_owner(const std::string& table, const std::string& role);
/// `ALTER TABLE table DROP COLUMN column`; `… ALTER COLUMN column TYPE type USING column::type`.
std::string drop_column(const std::string& table, const std::string& column);
std::string alter_column_type(const std::string& table, const std::string& column, const std::string& type);
/// `ALTER TABLE table ALTER COLUMN column SET NOT NULL` (both rendered).
std::string set_not_null(const std::string& table, const std::string& column);
/// `CREATE OR REPLACE TRIGGER name BEFORE|AFTER events ON table FOR EACH STATEMENT EXECUTE
/// FUNCTION function()` (name and function rendered, events as `INSERT OR UPDATE …`).
std::string create_statement_trigger(const std::string& name, const std::string& timing, const std::string& events,
                                     const std::string& table, const std::string& function);
/// The transition tables a statement trigger reads, rendered; empty: not referenced.
struct transition_tables {
    std::string old_table, new_table;
};
/// The same with `REFERENCING [OLD TABLE AS old] [NEW TABLE AS new]` before FOR EACH STATEMENT,
/// and `argument` (a string literal, unquoted) passed to the function when not empty.
std::string create_statement_trigger(const std::string& name, const std::string& timing, const std::string& events,
                                     const std::string& table, const std::string& function, const transition_tables& transitions,
                                     const std::string& argument = {});
/// `ALTER TABLE table ENABLE ALWAYS TRIGGER trigger`: it fires in replica sessions too.
std::string enable_always_trigger(const std::string& table, const std::string& trigger);
/// `LOCK TABLE table IN ACCESS EXCLUSIVE MODE`.
std::string lock_exclusively(const std::string& table);
/// `LOCK TABLE t1, t2, … IN SHARE MODE`: their writers wait, readers do not.
std::string lock_shared(const std::vector<std::string>& tables);
/// `ANALYZE table`, `TRUNCATE table`.
std::string analyze(const std::string& table);
std::string truncate(const std::string& table);
/// `GRANT SELECT ON table TO role`; `REVOKE ALL ON table FROM role` (PUBLIC without one).
std::string grant_select(const std::string& table, const std::string& role);
/// `GRANT SELECT, INSERT, DELETE ON table TO role`.
std::string grant_read_write(const std::string& table, const std::string& role);
std::string revoke_all(const std::string& table, const std::optional<std::string>& role);
/// `GRANT USAGE ON SCHEMA schema TO role`; `REVOKE ALL ON SCHEMA schema FROM role` (PUBLIC
/// without one).
std::string grant_schema_usage(const std::string& schema, const std::string& role);
std::string revoke_all_on_schema(const std::string& schema, const std::optional<std::string>& role);

} // namespace pgt::sql::ddl
