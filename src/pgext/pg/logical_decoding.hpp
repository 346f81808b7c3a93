#pragma once
// Logical decoding into change buffers: pg_trickle.so is also a logical decoding output plugin
// (`pg_trickle`) whose callbacks, instead of writing output, keep the old and new rows of
// every change to a kept relation in the layout of its target (a change buffer: stamped with
// the original transaction (xid8), a statement number of 0 and 'I' / 'D', or one 'T' row for
// TRUNCATE, then the relation's columns by name), appended to the targets when the pass ends,
// in the caller's transaction. Capture decides what is kept (capture/wal_decoder).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pg/oid.hpp"
#include "pg/wal_reader.hpp"

namespace pgt::server::logical_decoding {

/// A relation whose changes are kept: those of the transactions that commit after `from` (and
/// before `until`, when non-zero), into relation `target` (opened by the pass; left out when it
/// is gone).
struct kept_relation {
    oid relid = 0;
    std::uint64_t from = 0, until = 0;
    oid target = 0;
};

/// `lsn` as PostgreSQL writes a pg_lsn (X/X).
std::string lsn_text(std::uint64_t lsn);

/// Advances `slot` to `position` (where it stands, when further already).
void advance_slot(const std::string& slot, std::uint64_t position);

/// Runs `decoding` (which decodes through this library's plugin, e.g. with
/// pg_logical_slot_peek_binary_changes) while the plugin keeps the changes of `relations`, then
/// appends them to their targets. Returns the number of rows written.
long long collect(const std::vector<kept_relation>& relations, const std::function<void()>& decoding);

/// What a continued pass (decode_continuing) did.
struct continued_pass {
    long long rows = 0;
    /// The transactions whose changes the context holds that had not committed by `upto`;
    /// nothing when there were more than asked for.
    std::optional<std::vector<std::uint32_t>> writers_in_progress;
};

/// Decodes `slot` up to `upto` into the targets of `relations` through a decoding context
/// kept from pass to pass (acquiring the slot for each pass only: another process can use it
/// between): no context is set up and no WAL is read twice. `from` is where the targets stand;
/// the slot is confirmed there. A context that no longer stands there is started afresh; one
/// that failed is dropped. At most `most_writers` writers in progress are listed.
/// `watched` are the files of the relations' tables: the transactions before the last point
/// where none was in progress, ahead of the first commit that wrote one of them
/// (wal_reader's last_quiet_point), are only followed, not decoded — logical decoding would
/// otherwise queue, spill and replay every row written in the database, e.g. a materialized
/// view's whole new contents.
continued_pass decode_continuing(const std::string& slot, std::uint64_t from, std::uint64_t upto,
                                 const std::vector<kept_relation>& relations, const std::vector<table_file>& watched,
                                 std::size_t most_writers);

/// Drops the kept context (and releases the slot, if held).
void end_session();

} // namespace pgt::server::logical_decoding
