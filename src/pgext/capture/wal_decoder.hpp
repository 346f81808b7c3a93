#pragma once
// Change capture from the WAL: pg_trickle.so is also a logical decoding output plugin
// (`pg_trickle`). A decoding pass reads the database's slot with
// pg_logical_slot_peek_binary_changes; the plugin's callbacks, instead of writing output, keep
// the old and new rows of every change to a source in WAL mode, in the layout of its change
// buffer (stamped with the original transaction and 'I' / 'D', or a 'T' row for TRUNCATE), and
// the pass appends them to the buffers — in the caller's transaction. The slot itself is never
// advanced here: the caller records how far it decoded, in the same transaction as the rows.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgt::ext::wal {

/// A source whose changes are read from the WAL: of the transactions that commit after `from`
/// (and before `until`, when non-zero).
struct source_window {
    unsigned relid = 0;
    std::uint64_t from = 0, until = 0;
};

/// `lsn` as PostgreSQL writes a pg_lsn (X/X).
std::string lsn_text(std::uint64_t lsn);

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

} // namespace pgt::ext::wal
