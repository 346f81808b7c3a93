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
// point loses nothing and applies nothing twice. The database's decoder (a background worker,
// scheduler/wal_decoder_worker) decodes continuously; a refresh reading a WAL-captured source
// waits for it to pass its snapshot (wal_progress.hpp), or decodes itself when none answers.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/stream_table.hpp"
#include "pg/spi.hpp"

namespace pgt::ext::wal {

/// The current database's slot name.
std::string slot_name();

/// Whether this server lets logical decoding load pg_trickle as an output plugin: minors since
/// 15.19 load only the libraries output_plugin_libraries names (a list split as the server
/// splits it: a quoted name may hold a comma), older ones have no such setting and load any.
/// Also pgtrickle._wal_plugin_allowed(). (Read in C: a refresh that decodes asks each time.)
bool plugin_allowed();

/// cdc_mode a new or altered stream table asks for (`requested`, else pg_trickle.cdc_mode),
/// checked against its refresh mode and wal_level: 'auto', 'trigger' or 'wal'.
std::string requested_mode(const std::optional<std::string>& requested, mode refresh_mode);

/// The readers of these captured sources changed: a source an IMMEDIATE stream table now reads
/// goes back to triggers at once, and one the slot can take over is switched at once. Without
/// `wait` (the scheduler), nothing is done while a decoding pass runs, and a source another
/// transaction holds is left as it is.
void settle(const std::vector<unsigned>& sources, bool wait);

/// Those of `sources` whose changes (some of them) are decoded from the WAL, as `snap` (when
/// given) sees the catalog: a decoding pass that committed after it, closing a source's window,
/// wrote rows it does not see.
std::vector<unsigned> wal_sources(const std::vector<unsigned>& sources, const spi::snapshot* snap = nullptr);
/// Takes a refresh's snapshot (into `snap`) and gets every change of `sources` (wal_sources)
/// committed before it into the buffers, visible in it: decoded by the database's decoder
/// (wal_progress.hpp), or, when none answers, in this transaction.
void take_decoded_snapshot(std::optional<spi::snapshot>& snap, const std::vector<unsigned>& sources);

/// True while the database's sources use WAL capture (the scheduler stays awake for it).
bool in_use();

/// The scheduler's WAL work, each step in a transaction of its own (run by `in_transaction`):
/// the slot made or dropped, sources switched, changes decoded. Returns whether rows were
/// decoded (the scheduler then looks for refreshes to do).
bool background_step(const std::function<std::optional<std::string>(const std::function<void()>&)>& in_transaction);

/// One pass of the database's decoder, in the caller's transaction: decodes what committed
/// since the last pass. The rows decoded; nothing when it could not (another pass holds the
/// decoder, or a lock it does not wait for was taken).
std::optional<long long> decoder_pass();

/// The extension is gone: drops its slot in the current database, if any.
void drop_orphan_slot();

} // namespace pgt::ext::wal
