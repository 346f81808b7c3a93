#pragma once
// The WAL decoder of one database: a background worker that decodes the changes of sources
// captured from the WAL into their buffers as they commit, and whenever a refresh asks for
// them (capture/wal_progress.hpp). Its scheduler starts it while WAL capture is in use; it
// leaves when capture stops or the extension is dropped.

namespace pgt::sched {

struct db_slot;

/// Starts the decoder of `slot`'s database unless one runs or is starting.
void ensure_wal_decoder(db_slot* slot);

} // namespace pgt::sched
