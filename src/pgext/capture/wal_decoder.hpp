#pragma once
// Change capture from the WAL: pg_trickle.so is also a logical decoding output plugin
// (`pg_trickle`, pg/logical_decoding). A decoding pass reads the database's slot with
// pg_logical_slot_peek_binary_changes; the plugin's callbacks, instead of writing output, keep
// the old and new rows of every change to a source in WAL mode, in the layout of its change
// buffer (stamped with the original transaction and 'I' / 'D', or a 'T' row for TRUNCATE), and
// the pass appends them to the buffers — in the caller's transaction. The caller records how
// far it decoded, in the same transaction as the rows, and the slot is confirmed only up to a
// position so recorded and flushed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/logical_decoding.hpp"

namespace pgt::ext::wal {

/// A source whose changes are read from the WAL: of the transactions that commit after `from`
/// (and before `until`, when non-zero).
struct source_window {
    unsigned relid = 0;
    std::uint64_t from = 0, until = 0;
};

/// `lsn` as PostgreSQL writes a pg_lsn (X/X).
using server::logical_decoding::lsn_text;

/// Advances `slot` to `position` (where it stands, when further already).
using server::logical_decoding::advance_slot;

/// A source's window and its change buffer, locked for appending.
struct locked_buffer {
    source_window window;
    unsigned buffer = 0;
};

/// Locks the change buffers of `sources` for appending, in their order, until the transaction
/// ends (sources without a buffer are left out). Without `wait`, nothing as soon as another
/// transaction holds a conflicting lock on one.
std::optional<std::vector<locked_buffer>> lock_buffers(const std::vector<source_window>& sources, bool wait);

/// Decodes `slot` from its confirmed position up to `upto` (the transactions that commit
/// before it) into `buffers`. Returns the number of rows written.
long long decode(const std::string& slot, std::uint64_t upto, const std::vector<locked_buffer>& buffers);

/// The same for the database's decoder, which keeps its decoding context from pass to pass
/// (acquiring the slot for each pass only: a refresh that decodes itself can use it between):
/// no context is set up and no WAL is read twice. `from` is where the buffers stand (the
/// last recorded pass); the slot is confirmed there. A context that no longer stands there (a
/// refresh decoded meanwhile) is started afresh; one that failed is dropped.
/// Also returns the transactions whose changes it holds that had not committed by `upto` (at
/// most 32 of them; nothing when more): no other transaction committing later can have written
/// anything before `upto`. `sources` are the files of the buffers' sources: what the WAL holds
/// before the first transaction writing one of them is only followed, not decoded.
using server::logical_decoding::continued_pass;
continued_pass decode_continuing(const std::string& slot, std::uint64_t from, std::uint64_t upto,
                                 const std::vector<locked_buffer>& buffers, const std::vector<server::table_file>& sources);
/// Drops the decoder's context (and releases the slot, if held).
void end_decoding_session();

} // namespace pgt::ext::wal
