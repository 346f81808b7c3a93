#pragma once
// How far the WAL has been decoded into the change buffers, shared between the database's WAL
// decoder (a background worker that decodes continuously, scheduler/wal_decoder_worker) and
// the refreshes that need what it decoded.
//
// A refresh takes its snapshot, then needs every change committed before that snapshot in the
// buffers. It does not decode them itself (a decoding context costs its set-up and resets the
// backend's caches, so every plan after it is planned again): it asks the decoder to pass the
// WAL position read just after its snapshot and waits. The passes that got it there committed
// after the snapshot was taken, so their rows are not visible in it: the refresh adds exactly
// those transactions to its snapshot (spi::snapshot::make_visible). They wrote only change
// buffers and pg_trickle's own bookkeeping, and a buffer row counts for a refresh only when its
// source transaction is visible in the snapshot (capture.hpp's pending_rows): the sources
// read, and the changes applied, are exactly those of the original snapshot.
//
// Every transaction that decodes (the decoder's, and a refresh that decodes itself when no
// decoder answers) publishes its pass when it commits: the WAL position it decoded to and its
// transaction id, kept in a ring of the last passes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace pgt::ext::wal {

/// Reserves the shared memory (from _PG_init, when preloaded).
void install_progress();

/// The most writers in progress a pass can publish (decoded_point::writers_in_progress).
inline constexpr std::size_t most_writers_published = 32;

/// This process becomes its database's decoder; false when another one is.
bool attach_decoder();
/// The WAL position the refreshes waiting on the decoder need decoded (0: none waits).
std::uint64_t requested_position();
/// A pass of the decoder ended without reaching what was requested (it failed, or a lock it
/// does not wait for was taken): waiting refreshes stop waiting and decode themselves.
void note_failed_pass();
/// Everything committed before `position` is in the buffers (`next_xid`: the transaction id
/// next to be assigned, read after `position`; `writers`, when known: the transactions that
/// wrote before `position` and had not committed), and this transaction (which wrote the
/// rows, when `wrote`) commits them: published when it commits.
void publish_at_commit(std::uint64_t position, std::uint64_t next_xid, bool wrote,
                       const std::optional<std::vector<std::uint32_t>>& writers);

/// The decoder of database `db` (its pid), 0 when none runs.
int decoder_pid(std::uint32_t db);

/// Where the current database's decoding stood at its last pass that knew which transactions
/// were writing: everything committed before `position` is in the buffers; of the
/// transactions committing after it, only those numbered before `next_xid` (only
/// `writers_in_progress`, when known) wrote before it; `by` is the transaction that recorded
/// it (its own commit comes after). Nothing when no decoder runs.
struct decoded_point {
    std::uint64_t position = 0, next_xid = 0, by = 0;
    std::optional<std::vector<std::uint32_t>> writers_in_progress;
};
std::optional<decoded_point> decoded_now();
/// The number of passes published so far (read before a snapshot is taken).
std::uint64_t passes_published();
/// The transactions of the passes published since `since`; nothing when too many were.
std::optional<std::vector<std::uint64_t>> passes_since(std::uint64_t since);
/// Asks the decoder to decode everything committed before `position` and waits until it
/// has; false when no decoder runs or it cannot get there.
bool await_decoded(std::uint64_t position);

} // namespace pgt::ext::wal
