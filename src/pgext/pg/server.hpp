#pragma once
// Server services the extension needs beyond SQL, as plain C++ (each call guarded).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgt::server {

using oid = std::uint32_t;

/// PostgreSQL's own grammar: the raw parse tree (List * of RawStmt) of `sql`, allocated in the
/// current memory context. Syntax errors arrive as pgt::error 42601 with a position.
const void* parse(const std::string& sql);

oid current_user();
/// current_schema(): the first schema of the search path that exists, if any.
std::optional<std::string> current_schema();
/// Whether the current user has the privileges of relation `relid`'s owner (or is superuser).
bool owns_relation(oid relid);
oid extension_owner();
/// Whether the current transaction wrote the generation expression of a generated column of
/// relation `relid` (ALTER TABLE … SET EXPRESSION, ADD COLUMN … GENERATED): the column's values
/// changed without a write that capture sees (a virtual column's are not even rewritten).
bool generation_expression_written(oid relid);
/// Locks relation `relid` in SHARE ROW EXCLUSIVE mode until the end of the transaction (as
/// CREATE TRIGGER does): waits for its writers, and its new writers wait. No privilege check.
void block_writers(oid relid);
/// The current (local) transaction's number in this backend: what is remembered under it holds
/// until the transaction ends.
unsigned transaction_number();
std::string role_name(oid role);
bool in_recovery();
/// The database this backend is connected to.
oid database_oid();
/// wal_level is logical: changes can be decoded from the WAL.
bool wal_level_logical();
/// The transaction has an xid: it has written (or locked rows).
bool transaction_has_xid();
/// Writes a running-transactions WAL record now (as the background writer does every 15 s) and
/// flushes the WAL to its end, which it returns: logical decoding reads only flushed WAL, and
/// commits made with synchronous_commit = off may not be flushed yet.
std::uint64_t log_running_transactions_and_flush();
bool read_only_transaction();

/// Runs as `role` until destroyed. `restricted` also marks a security-restricted operation, as
/// REFRESH MATERIALIZED VIEW does while running a view's query as its owner; an unrestricted
/// scope (pg_trickle's own SQL as the extension owner) pins search_path to pg_catalog, pg_temp.
/// Destroyed, it restores the user and settings it changed, on every path: an exception that a
/// caller catches and does not rethrow (after rolling back a subtransaction it started inside
/// the scope) leaves them as they were.
class role_scope {
public:
    role_scope(oid role, bool restricted);
    ~role_scope();
    role_scope(const role_scope&) = delete;
    role_scope& operator=(const role_scope&) = delete;

private:
    oid saved_user_;
    int saved_context_;
    int guc_level_ = 0; ///< unrestricted scopes pin search_path in a GUC nest level of their own
};

/// Settings changed for the scope's duration, in a GUC nest level of their own (as a
/// function's SET clause does), restored when it is destroyed, on every path.
class guc_scope {
public:
    /// `superuser`: settings only superusers may change (the caller vouches for it).
    explicit guc_scope(const std::vector<std::pair<std::string, std::string>>& settings, bool superuser);
    explicit guc_scope(const std::vector<std::pair<std::string, std::string>>& settings);
    ~guc_scope();
    guc_scope(const guc_scope&) = delete;
    guc_scope& operator=(const guc_scope&) = delete;

private:
    int level_;
};

/// For the scope's duration, search_path is pg_catalog alone: format_type then spells every type
/// outside pg_catalog schema-qualified, as the tables pg_trickle makes as the extension owner
/// (under pg_catalog and pg_temp) must name them.
class qualified_type_names_scope {
public:
    qualified_type_names_scope();

private:
    guc_scope catalog_only_;
};

/// Whether pg_trickle's own install or update script is running (CREATE / ALTER EXTENSION).
bool in_own_extension_script();

/// A setting's name and value, as SHOW prints it.
using setting = std::pair<std::string, std::string>;

/// The session's settings that decide what a query means or returns: how names resolve
/// (search_path), how literals parse, the time zone, and how dates, times, intervals, floats,
/// bytes and XML print (which the row ids of stream tables hash). A stream table
/// records them when its query is defined.
std::vector<setting> query_settings();

/// For a stream table's SQL, run with its owner's rights on a caller's behalf (a writer, a
/// refresh's caller, the scheduler): for the scope's duration, the query settings recorded with
/// it (`recorded`; the caller's own when null, as for stream tables made before they were
/// recorded), search_path with pg_catalog first and temporary objects last, so that neither the
/// caller's settings nor its own schemas change what the query means. Sets only what differs.
class query_settings_scope;

/// What a query_settings_scope decided for one stream table, and in which session state: the
/// next scope for the same recorded settings decides again only when a setting changed (this
/// runs at every IMMEDIATE maintenance). Kept by the caller while the recorded settings stay.
class settings_memo {
public:
    settings_memo();
    ~settings_memo();
    settings_memo(const settings_memo&) = delete;
    settings_memo& operator=(const settings_memo&) = delete;

private:
    friend class query_settings_scope;
    struct session_state;
    std::unique_ptr<session_state> seen_;
    std::vector<setting> differing_;
};

class query_settings_scope {
public:
    explicit query_settings_scope(const std::optional<std::vector<setting>>& recorded, settings_memo* memo = nullptr);

private:
    std::optional<guc_scope> set_;
};

/// Makes `DROP EXTENSION pg_trickle` drop the object too (a dependency of kind 'auto'):
/// `catalog` is e.g. "pg_class" or "pg_trigger".
void depend_on_extension(const std::string& catalog, oid object);

/// An object a defining query calls or reads besides its tables: a function, an operator or a
/// view (whose definition it inlines).
struct query_object {
    enum class kind { function, operator_, view };
    kind what;
    oid id;
    friend auto operator<=>(const query_object&, const query_object&) = default;
};
/// Records that the stream table stored in `relid` depends on these objects (pg_depend, kind
/// 'normal', as a view depends on what it calls): they cannot be dropped without it, and a
/// redefinition of one finds the stream tables to recompute.
void depend_on(oid relid, const std::vector<query_object>& objects);

void notice(const std::string& message);
void warning(const std::string& message, const std::string& detail = {});
/// A line in the server log only.
void log(const std::string& message);

/// Sets a flag readable by the stream-table DML guard: refreshes write, users may not.
class refresh_writes_scope {
public:
    refresh_writes_scope();
    ~refresh_writes_scope();
    refresh_writes_scope(const refresh_writes_scope&) = delete;
    refresh_writes_scope& operator=(const refresh_writes_scope&) = delete;
    static bool active();
    /// Clears this flag and the internal-DDL one (at transaction abort).
    static void reset();

private:
    bool saved_;
};

/// Marks DDL issued by pg_trickle itself, which its event triggers let through.
class internal_ddl_scope {
public:
    internal_ddl_scope();
    ~internal_ddl_scope();
    internal_ddl_scope(const internal_ddl_scope&) = delete;
    internal_ddl_scope& operator=(const internal_ddl_scope&) = delete;
    static bool active();

private:
    bool saved_;
};

} // namespace pgt::server
