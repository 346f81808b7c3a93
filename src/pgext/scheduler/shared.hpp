#pragma once
// State shared between the launcher, the schedulers and the backends (shared memory): one slot
// per database with a scheduler, a counter of committed captured changes per database (a
// backend that committed captured changes bumps it and wakes the scheduler), and the
// launcher's rescan request (CREATE EXTENSION asks for one).

#include <cstdint>

namespace pgt::sched {

/// Registers the shared-memory request and the commit callback; from _PG_init when preloaded.
void install_shared_state();

/// True when pg_trickle is loaded through shared_preload_libraries (shared state exists).
bool shared_state_available();

/// The current backend captured changes or changed stream tables: wake its database's
/// scheduler when it commits.
void wake_scheduler_at_commit();
/// The current backend captured changes of table `relid` into its buffer: at commit, wake its
/// database's scheduler and tell it which source changed (take_changed_sources).
void source_changed_at_commit(unsigned relid);

/// The current transaction leaves change buffers whose rows every reader will have applied
/// for the scheduler to empty: at commit, wake the database's scheduler (when one runs) to
/// empty them.
void buffers_left_at_commit();

/// Asks the launcher to look for databases with the extension when this transaction commits.
void request_rescan();

/// The scheduler of database `db`: running, and the time of its last tick (unix ms).
struct scheduler_state {
    bool running = false; ///< a scheduler process serves the database
    bool dormant = false; ///< it left while idle and comes back with the next change
    std::int64_t last_tick_ms = 0;
    int pid = 0;
};
scheduler_state scheduler_of(std::uint32_t db);

} // namespace pgt::sched
