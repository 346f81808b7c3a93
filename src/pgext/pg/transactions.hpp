#pragma once
// The current transaction and backend, and flags that last for a scope within them.

#include <cstdint>

#include "pg/oid.hpp"

namespace pgt::server {

/// The current (local) transaction's number in this backend: what is remembered under it holds
/// until the transaction ends.
unsigned transaction_number();
bool in_recovery();
/// The database this backend is connected to.
oid database_oid();
/// The top transaction's full id (epoch and xid), 0 when it has none (has not written).
std::uint64_t top_full_xid();
/// The transaction has an xid: it has written (or locked rows).
bool transaction_has_xid();
bool read_only_transaction();
/// Makes what this transaction wrote so far, the running statement's writes included, visible
/// to snapshots taken from here on (CommandCounterIncrement): a snapshot taken in an AFTER
/// trigger otherwise sees the triggering statement's table as it was before the statement.
void see_own_writes();
/// The transaction keeps one snapshot throughout (REPEATABLE READ or SERIALIZABLE).
bool snapshot_per_transaction();
/// When the current transaction is one statement's (not in a transaction block) and has written
/// nothing yet, its commit stops waiting for the WAL to reach the disk (synchronous_commit =
/// off for the rest of it): for work whose loss in a crash leaves its earlier, consistent
/// state. Returns whether it did.
bool commit_without_flush_if_alone();
/// SET LOCAL `name` = `value` (a setting any user may change), without a statement to parse.
void set_local(const char* name, const char* value);

/// Whether pg_trickle is installed in this database (as the current transaction sees it).
bool pg_trickle_installed();
/// Calls `committed()` when a transaction of this backend commits, `abandoned()` when one
/// aborts or is prepared (a prepared transaction commits later, elsewhere) — `prepared()`
/// instead, for a prepared one, when given; from _PG_init. (Each set is a transaction callback
/// of its own, called in the server's order: the last registered first.)
void on_transaction_end(void (*committed)(), void (*abandoned)(), void (*prepared)() = nullptr);
/// Calls `before_commit()` as a transaction is about to commit or be prepared (it may still
/// write), `ended()` once it committed, aborted or was prepared (parallel workers' too);
/// from _PG_init.
void on_transaction_events(void (*before_commit)(), void (*ended)());
/// Calls `started()` when a subtransaction starts, `aborted(sub)` when subtransaction `sub`
/// rolls back, `committed(sub, parent)` when it is released into `parent`; from _PG_init.
void on_subtransaction_events(void (*started)(), void (*aborted)(std::uint32_t sub),
                              void (*committed)(std::uint32_t sub, std::uint32_t parent));
/// The current subtransaction's id (1: the top transaction).
std::uint32_t current_subtransaction();
/// Whether pg_trickle's own install or update script is running (CREATE / ALTER EXTENSION).
bool in_own_extension_script();

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
    /// Registers the transaction callback that calls reset() when a transaction aborts (a
    /// refresh interrupted by an error must not leave stream tables writable); from _PG_init.
    static void reset_at_abort();

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
