#pragma once
// Change capture: one buffer table per captured source in schema pgtrickle_changes, filled by
// statement-level AFTER triggers (transition tables, copied by capture/buffer_writer) in the
// user's own transaction. Every row carries the inserting transaction (xid8) and a
// statement number, which is what refresh frontiers compare against.
//
// Buffer layout: pgtrickle_changes.changes_<source oid>
//   (__pgt_xid xid8, __pgt_stmt int8, __pgt_action "char" — 'I', 'D', or 'T' for TRUNCATE,
//    <source columns>)
// An UPDATE is captured as its old rows ('D') and its new rows ('I'). A partitioned source's
// partitions write to its buffer as well (sync_partition_capture).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pgt/ir/rel.hpp"
#include "pgt/sql/ddl.hpp"
#include "pgt/sql/tree.hpp"

#include "pg/pending_scan.hpp"

namespace pgt::ext {

/// How the names of the capture triggers start.
inline constexpr const char* capture_trigger_prefix = "pg_trickle_cdc_";

/// The next statement number of this backend (`__pgt_stmt`, a frontier's statement). Numbers
/// are compared only within one transaction, which runs in one backend, so a counter per
/// backend keeps them in statement order (and, unlike a sequence, leaves lastval() alone).
long long next_statement_number();

/// Starts (or widens) capture of `source`. Runs as the extension owner.
void ensure_capture(const ir::table& source);

/// Holds, to the end of the transaction, the lock that serialises starting and stopping the
/// capture of `source_relid` (ensure_capture, release_capture_if_unused take it first): a
/// release then sees every reader registered by a transaction that took it before, and a
/// reader registered after a release finds the capture gone and starts it again. Callers
/// registering several sources take them in the order of their oids.
void lock_capture_of(unsigned source_relid);

/// SQL condition: role `role` may read every row of table `table` (both SQL expressions of
/// type oid): it has SELECT, and no row-level security applies to it. A change buffer holds
/// every changed row, so only such a role may own a stream table reading the table.
sql::tree::expr reads_all_rows(const sql::tree::expr& role, const sql::tree::expr& table);

/// Makes buffer read access follow the catalog: each buffer is readable exactly by the owners
/// of the stream tables reading its source who may still read all of it (reads_all_rows), and the buffer
/// schema is usable exactly by them. Called after anything that can change that set: creating
/// or dropping a stream table, GRANT and REVOKE, a change of owner. With `sources`, only
/// their buffers' grants (and the schema's, when one of those changed): a new stream table
/// changes no other buffer's readers, and looking at all of them made creating the n-th
/// stream table cost O(n).
void sync_buffer_grants(const std::vector<unsigned>& sources = {});

/// A statement fires only the triggers of the table it names, so a captured partitioned table
/// has capture triggers on every partition too, all writing to its buffer. Puts them on the
/// partitions that lack them and takes them off tables no longer in a captured partition tree
/// (detached, or their source released); true when it did either.
bool sync_partition_capture();

/// Partitions came or went (ATTACH, DETACH, DROP): rows appeared or vanished without a captured
/// statement. Records a TRUNCATE marker for every captured partitioned table, so each reader's
/// next refresh recomputes it.
void recompute_partitioned_sources();

/// Stops capturing `source_relid` when no stream table reads it any more.
void release_capture_if_unused(unsigned source_relid);

/// The buffer table of a captured source, quoted and qualified.
std::string buffer_name(unsigned source_relid);
/// The definition of the column of a buffer (or a copy of one) holding `source`'s column `c`,
/// with the source column's collation: a refresh compares buffered values as the query does.
sql::ddl::column_definition buffer_column(const ir::table& source, const ir::column& c);

/// The size of `source_relid`'s buffer file in bytes (0 without a buffer).
long long buffer_bytes(unsigned source_relid);
/// Whether `source_relid`'s buffer file is large enough (1 MB) for truncate_applied_buffer to
/// be worth its check.
bool buffer_is_large(unsigned source_relid);
/// Empties `source_relid`'s buffer as TRUNCATE does (a new, empty file) when every row version
/// stored in it (committed, dead or aborted alike) was written by a transaction before
/// `horizon` (a transaction id as text: below it, every reader has applied the rows), and
/// `pays` says so of what it stores: only when no other transaction has the buffer open (then
/// none is writing to it; readers wait for this transaction). Returns whether it did.
bool truncate_applied_buffer(unsigned source_relid, const std::string& horizon, const std::function<bool(const pg::buffer_contents&)>& pays);

/// What empty_applied_buffer did.
enum class emptying {
    done,
    busy, ///< another transaction had the buffer open
    kept, ///< a row is not below the horizon (or there is none)
};
/// Empties `source_relid`'s buffer in place (server::empty_in_place: its plans stay valid) when
/// every row version stored in it was written by a transaction before the horizon `horizon`
/// reads once the buffer is locked (as truncate_applied_buffer: only when no other transaction
/// has it open). For rows every reader's committed frontier has passed: the emptying is not
/// undone if the transaction aborts.
emptying empty_applied_buffer(unsigned source_relid, const std::function<std::optional<std::string>()>& horizon);

/// The rows of `source_relid`'s buffer, as alias `b`, not yet applied to a stream table whose
/// frontier is ($1 snapshot, $2 xid, $3 statement number — text parameters) and visible now:
/// a SELECT without items, its FROM and WHERE set (the caller adds items and conditions). (The
/// snapshots are read once, in a one-row subquery: a cast or pg_current_snapshot() in the
/// condition itself would be evaluated for every row.)
sql::tree::select pending_rows(unsigned source_relid, const std::string& b);
/// `pending_rows` restricted further by `condition`.
sql::tree::select pending_rows(unsigned source_relid, const std::string& b, sql::tree::expr condition);

/// Creates (or replaces) or drops the capture triggers of captured table `source_relid` (not its
/// partitions): a source moving between trigger and WAL capture.
void set_capture_triggers(unsigned source_relid, bool present);

/// Reinstalls missing capture triggers of `source_relid` (none for a source captured from the
/// WAL); returns what was repaired.
std::vector<std::string> repair_capture(unsigned source_relid);

} // namespace pgt::ext
