#pragma once
// Which sources are captured from the WAL, and the database's logical replication slot.
//
// A source starts on triggers. When its readers allow it (cdc_mode 'auto' or 'wal', none of
// them IMMEDIATE), wal_level is logical and it is a plain table, the scheduler creates the
// database's slot (pgtrickle_<database oid>, plugin pg_trickle) and then switches the source:
// in one transaction that locks it, its capture triggers are dropped, its REPLICA IDENTITY set to
// FULL and wal_from_lsn set to the WAL insert position — every transaction committing after
// that is decoded from the WAL into its change buffer, every earlier one was captured by the
// triggers (TRIGGER → TRANSITIONING while the slot is made → WAL). Going back is the mirror
// image (triggers recreated, wal_until_lsn), at once when an IMMEDIATE reader comes; when the
// slot is lost or holds back more WAL than pg_trickle.wal_max_lag_mb, the sources go back to
// triggers and their readers recompute once.
//
// Decoding appends to the buffers and records decoded_lsn in pgtrickle.pgt_wal_capture in one
// transaction; the slot is advanced only to a decoded_lsn already committed, so a crash at any
// point loses nothing and applies nothing twice. A refresh reading a WAL-captured source locks
// the decoder, takes its snapshot, then decodes everything committed before it in its own
// transaction: the changes visible in its snapshot are then all in the buffers.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/stream_table.hpp"

namespace pgt::ext::wal {

/// The current database's slot name.
std::string slot_name();

/// cdc_mode a new or altered stream table asks for (`requested`, else pg_trickle.cdc_mode),
/// checked against its refresh mode and wal_level: 'auto', 'trigger' or 'wal'.
std::string requested_mode(const std::optional<std::string>& requested, mode refresh_mode);

/// The readers of these captured sources changed: a source an IMMEDIATE stream table now reads
/// goes back to triggers at once, and one the slot can take over is switched at once.
void settle(const std::vector<unsigned>& sources);

/// Before a refresh of a stream table reading `sources` takes its snapshot: when changes of one
/// of them come from the WAL, waits for and holds the decoder until the transaction ends, and
/// returns true; the refresh then calls catch_up() under its snapshot.
bool hold_decoder(const std::vector<unsigned>& sources);
/// Decodes, in this transaction, every change committed before now into the buffers.
void catch_up();

/// True while the database's sources use WAL capture (the scheduler stays awake for it).
bool in_use();

/// The scheduler's WAL work, each step in a transaction of its own (run by `in_transaction`):
/// the slot made or dropped, sources switched, changes decoded. Returns whether rows were
/// decoded (the scheduler then looks for refreshes to do).
bool background_step(const std::function<std::optional<std::string>(const std::function<void()>&)>& in_transaction);

/// The extension is gone: drops its slot in the current database, if any.
void drop_orphan_slot();

} // namespace pgt::ext::wal
