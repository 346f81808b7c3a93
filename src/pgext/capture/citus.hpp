#pragma once
// Capture of sources that Citus distributes (docs/SCALE_OUT.md §3). A distributed table's rows
// live in shards on the worker nodes, a reference table's on every node: their changes are
// captured there, by statement triggers on every shard placement (Citus creates them on each
// and on those a shard move or a new node makes), each writing its rows into the shard of the
// source's buffer beside it: pgtrickle_dist.changes_<source oid>, distributed like the source
// and co-located with it, so a shard and its changes live, and move, together.
//
// Buffer layout: (__pgt_batch int8, __pgt_action "char" — 'I' or 'D', __pgt_at timestamptz —
// when the row was captured, <source columns>). A row
// carries no transaction id (each node numbers its own): a refresh, on the coordinator, claims
// the unclaimed rows with the source's next batch number, and every stream table applies the
// batches after the last it applied (pgt_citus_frontiers). Claims are numbered under a lock on
// the source's catalog row, so a batch number is never seen before a smaller one.
//
// A refresh reading such sources first locks them in SHARE mode (Citus takes the lock on every
// node with its metadata): no writer commits during it, on any node, so what it claims, the
// sources it reads and its storage agree, and a transaction that wrote on several nodes is
// applied whole. TRUNCATE, which the coordinator's own trigger sees, makes every reader
// reinitialise.

#include <optional>
#include <string>
#include <vector>

#include "pgt/ir/rel.hpp"

namespace pgt::ext::citus {

/// Where Citus keeps a table's rows.
enum class placement {
    local,       ///< on this node: an ordinary table (or Citus is not installed)
    distributed, ///< hash-distributed over shards on the workers
    reference,   ///< one shard, copied to every node
    other,       ///< a Citus local table, a single-shard table: not supported as a source
};

/// Whether Citus is installed in this database.
bool installed();

/// The placement of table `relid`, and the column a distributed one is distributed by.
struct table_placement {
    placement kind = placement::local;
    std::string column;
    long long colocation = 0; ///< its co-location group: tables whose shards live together
};
table_placement placement_of(unsigned relid);
/// Whether any of `sources` is a table Citus keeps (not placement::local).
bool reads_citus_tables(const std::vector<ir::table_ptr>& sources);
/// The column `name` of `source` (a distribution column among those it reads); null when it
/// has none or `name` is empty.
const ir::column* column_named(const ir::table& source, const std::string& name);

/// When Citus is installed: the rest of the transaction reaches each node over one connection
/// (citus.multi_shard_modify_mode = sequential). Citus refuses schema changes on distributed
/// tables after a query that used several connections to a node in the same transaction, and
/// defining a stream table reads its sources before making their capture.
void one_connection_per_node();

/// Starts (or widens, after a column was added) capture of `source`, distributed or a reference
/// table as `where` says. Runs as the extension owner.
void ensure_capture(const ir::table& source, const table_placement& where);
/// Whether `relid` is captured by Citus triggers (has a pgt_citus_sources row).
bool captured(unsigned relid);
/// Whether any of `relids` is.
bool any_captured(const std::vector<unsigned>& relids);
/// Stops capturing `relid` (its triggers, functions and buffer go) when no stream table reads it.
void release_capture_if_unused(unsigned relid);

/// The buffer of a captured source, quoted and qualified.
std::string buffer_name(unsigned relid);

/// Locks `sources` in SHARE mode until the transaction ends, on the coordinator and on every
/// node with Citus metadata: writers wait for the refresh, and those in progress are waited
/// for. Gives up after `timeout_ms` (55P03), so that a refresh never deadlocks a writer.
void lock_sources(const std::vector<unsigned>& sources, int timeout_ms);

/// Change records counted, and how many of them are insertions.
struct pending_count {
    long long records = 0, inserted = 0;
};

/// A refresh's view of one Citus source: its unclaimed rows and the batches after `applied`
/// (up to `last`, the source's last) are pending for it. `pulled`: all of them are in the
/// session's copy (pull_pending), or counted with their values listed (count_co_located), and
/// `unclaimed` of them have no batch yet.
struct batches {
    long long applied = 0, last = 0;
    std::string distributed_by; ///< the source's distribution column; empty for a reference table
    bool pulled = false;
    long long unclaimed = 0;
    /// Of a distributed source: the distribution values of its pending rows, and of those
    /// unclaimed among them, as array literals (nullopt: none); set by count_co_located and
    /// pull_pending, complete where `pulled`.
    std::optional<std::string> values, unclaimed_values;
};
/// Locks `relid`'s batch numbering until the transaction ends (after lock_sources: no other
/// refresh claims meanwhile), and reads its last batch and the last stream table `pgt_id`
/// applied.
batches read_batches(unsigned relid, long long pgt_id);
/// Copies the rows pending for reader `b` of `source` (at most `limit`) into this session's
/// table pending_table(source) (emptied at commit): one statement over the shards, after which
/// a small change is read locally. Returns how many it copied, and how many are insertions;
/// sets b.pulled when they were all, b.unclaimed, and the values (batches).
pending_count pull_pending(const ir::table& source, batches& b, long long limit);
/// For co-located distributed sources (their distribution values of one type): counts the rows
/// pending for each reader b[i] and lists their distribution values, in one statement over the
/// shards (their buffers' shards live together: one task per shard group). As pull_pending
/// without the copy, for changes read in place: sets each b[i].unclaimed, and where at most
/// `most` rows are pending b[i].pulled, values and unclaimed_values (a larger change is read,
/// and claimed, on every shard); returns the counts by source.
std::vector<pending_count> count_co_located(const std::vector<const ir::table*>& sources, const std::vector<batches*>& b, long long most);
/// The session's table of pulled rows of `relid`.
std::string pending_table(unsigned relid);
/// Gives the unclaimed rows of `source` the batch after b.last: after pull_pending, only those of
/// the shards where it found some (none: nothing to do); returns the source's last batch then.
long long claim(const ir::table& source, const batches& b);
/// The change records of `relid` pending for a reader that applied up to batch `applied`
/// (unclaimed ones included), counted up to `limit`, and how many are insertions.
pending_count count_pending(unsigned relid, long long applied, long long limit);
/// Whether `relid` has unclaimed rows or rows after batch `applied`.
bool has_pending(unsigned relid, long long applied);
/// The last batch of `relid` stream table `pgt_id` applied (0: none).
long long applied_batch(long long pgt_id, unsigned relid);
/// Records that stream table `pgt_id` applied `relid`'s batches up to `batch`, and deletes the
/// buffer rows every reader has applied.
void record_applied(long long pgt_id, unsigned relid, long long batch);
/// The rows of `relid` (from the shards' statistics): AUTO's share of rows changed.
double rows_of(unsigned relid);

/// Where a small change of a distributed source is read in place: its buffer's rows whose
/// distribution value is among parameter $values_param (an array of the column's type: the
/// values count_co_located listed), from those values' shards alone.
struct shard_values {
    std::string column;
    int values_param = 0;
};
/// The change relation of source `table` for a refresh's delta, `(SELECT <columns>, __pgt_w …)`:
/// with a cap (a small change) from the rows pulled into pending_table, or from the buffer's
/// shards of the changed values when `in_place` is given; else from the buffer. Read from the
/// buffer: its rows `b.__pgt_batch IS NULL OR b.__pgt_batch > CAST($param AS int8)`.
std::string changes_relation(const ir::table& table, int param, long long cap, const std::optional<shard_values>& in_place = std::nullopt);

} // namespace pgt::ext::citus
