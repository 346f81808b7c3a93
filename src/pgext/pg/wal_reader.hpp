#pragma once
// Reading this server's WAL records directly (no logical decoding, no catalog access): whether
// a stretch of WAL holds a commit that logical decoding would have to deliver for some tables.
// Logical decoding resets the backend's caches (and with them every cached plan); this tells a
// caller when a decoding pass would find nothing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace pgt::server {

/// Flushes all WAL inserted so far and returns its end (where the next record goes).
std::uint64_t flush_inserted_wal();
/// Flushes the WAL up to `position` (a position it was inserted to), which it returns.
std::uint64_t flush_wal_to(std::uint64_t position);

/// The next transaction id to be assigned (a full id).
std::uint64_t next_full_xid();

/// A table and the file its rows are in now (found under ACCESS SHARE, held until the
/// transaction ends: its file cannot change before then); file 0 for a dropped table. Without
/// `wait`, nothing when another transaction holds a conflicting lock.
struct table_file {
    std::uint32_t relid = 0, tablespace = 0, database = 0, file = 0;
    /// Its TOAST table's (0: none): a row's TOASTed values are written there just before it.
    std::uint32_t toast_tablespace = 0, toast_file = 0;
};
std::optional<table_file> lock_and_locate(std::uint32_t relid, bool wait);

/// PostgreSQL's LOCKMODEs that callers outside the server layer name (checked against its
/// headers in wal_reader.cpp).
namespace relation_lock {
constexpr int row_exclusive = 3;       ///< an INSERT's
constexpr int share_row_exclusive = 6; ///< CREATE TRIGGER's
constexpr int access_exclusive = 8;    ///< LOCK TABLE's, and DROP TRIGGER's
} // namespace relation_lock

/// Locks `relid` in `mode` (a LOCKMODE) until the transaction ends. Without `wait`, false when
/// another transaction holds a conflicting lock.
bool lock_relation(std::uint32_t relid, int mode, bool wait);

/// Locks `relid` and every table that inherits from it (its partitions), as LOCK TABLE does, in
/// `mode`, without waiting: false when another transaction holds a conflicting lock on one of
/// them (those taken are kept until the transaction ends).
bool try_lock_relation_tree(std::uint32_t relid, int mode);

/// What commits_from looks for.
struct commit_search {
    std::uint64_t from = 0, to = 0;  ///< the WAL read: from a record's end to a flushed end
    std::uint64_t ignore = 0;        ///< a full transaction id whose commit does not count (0: none)
    std::uint64_t assigned_from = ~std::uint64_t{0}; ///< transactions numbered from here wrote nothing before `from`
    /// When known: the only transactions (and subtransactions) that may have written before
    /// `from` and committed after it (assigned_from is then not needed).
    std::optional<std::vector<std::uint32_t>> writers_before;
    std::vector<table_file> tables;
};

/// Whether a transaction committing between `from` and `to` may have changed one of `tables`:
/// one that wrote them there (or truncated them), may have moved one to another file (its
/// invalidation messages name one of them), was prepared, or may
/// have written before `from` (one of writers_before, or numbered before `assigned_from`).
/// Conservative: true when unsure.
bool commits_changing(const commit_search& search);

/// Where no transaction committing between `from` and `to` may have changed the tables
/// (commits_changing) and writers_before is known: the transactions that may have written them
/// before `to` and had not ended there (writers_before and those that wrote them in between,
/// less the ones that aborted or, by a running-transactions record, were found ended). Nothing
/// where one may have changed them.
std::optional<std::vector<std::uint32_t>> writers_at_end_when_unchanged(const commit_search& search);

/// The transactions a decoder's context holds in progress when it plans on: read before the
/// plan's start, still to end.
struct held_transactions {
    /// Each transaction and subtransaction, with its top-level transaction.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> members;
    std::vector<std::uint32_t> writers;       ///< the top-level ones holding changes
    std::vector<std::uint32_t> decoded_whole; ///< the top-level ones whose every record was decoded
};

/// What a decoder reading from `from` up to `to` must decode: the stretches between two points
/// where no transaction was in progress that hold a commit of one that wrote (or truncated) one
/// of `tables`, and the stretch still in progress at `to` (see `stop`). The rest it only follows
/// (fast-forward: no change queued, every commit skipped).
/// Within the stretches it follows the transactions that neither wrote the tables nor changed
/// the catalogs (or that ended without writing them, or aborted): a bulk write to another
/// table that overlaps a source's commit is not queued. A transaction that changed the catalogs
/// and has not ended is decoded whole, and so on until it ends: its later writes to the tables
/// are decoded with the catalogs as it changed them. Everything from `from` when one of the
/// tables may have moved to another file (then writes to its old file are not recognised) or a
/// transaction was prepared.
struct decoding_plan {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> decode; ///< [start, end) of each stretch
    /// The transactions (and subtransactions) followed within the stretches, sorted.
    std::vector<std::uint32_t> followed;
    /// Where the reader may jump: after the record that ends at `after`, to the record that
    /// starts at `resume`, over records it would only follow (neither transaction ends, nor
    /// snapshots, nor checkpoints: row changes, index and vacuum records) of transactions that
    /// ended before `to`. Increasing, all before `stop`.
    struct jump {
        std::uint64_t after = 0, resume = 0;
        /// The transactions of the records jumped over: the reader still makes them known to
        /// logical decoding as following their records would (logical_decoding.cpp's jump_over).
        struct transaction {
            std::uint32_t xid = 0, top = 0; ///< top: 0 unless a record jumped over names it
            std::uint64_t first = 0;        ///< its first record jumped over
        };
        std::vector<transaction> transactions;
    };
    std::vector<jump> jumps;
    /// Where reading stops: `to`, or, when a transaction in progress in the last stretch changed
    /// the catalogs, none wrote one of the tables and no commit there concerns them, the last
    /// point where no transaction was, if it is at most `most_read_again` before `to`: the
    /// next pass reads it again, and follows it whole if it ends without writing the tables
    /// (decoded as it goes, the rows it writes would be queued).
    std::uint64_t stop = 0;
    /// The top-level transactions in progress at `stop` decoded whole (held_transactions::
    /// decoded_whole of the next plan); nothing when every one is.
    std::optional<std::vector<std::uint32_t>> decoded_whole;
    /// The transactions (and subtransactions) that wrote one of the tables and were still in
    /// progress at `to`; nothing when there were more than asked for (or when everything is
    /// decoded).
    std::optional<std::vector<std::uint32_t>> writers_in_progress;
    /// Whether a record read changes the catalogs: a commit or a record with invalidation
    /// messages, a catalog row written under a command id (true when the plan is unsure).
    /// Without one, the catalogs decoding reads as they were are the catalogs as they are.
    bool catalogs_change = true;
};
decoding_plan plan_decoding(std::uint64_t from, std::uint64_t to, const std::vector<table_file>& tables,
                            const held_transactions& held, std::size_t most_in_progress, std::uint64_t most_read_again);
} // namespace pgt::server
