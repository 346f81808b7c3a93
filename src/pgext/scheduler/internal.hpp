#pragma once
// The shared-memory layout behind scheduler/shared.hpp (scheduler files only).

#include <cstdint>
#include <vector>

#include "pg/latch.hpp"
#include "pg/lwlock.hpp"
#include "pg/oid.hpp"
#include "pg/shared_counter.hpp"

namespace pgt::sched {

inline constexpr int max_databases = 64;
/// Refreshes a scheduler can have queued or running in refresh workers at once.
inline constexpr int max_queued_refreshes = 128;
/// Commits of captured changes whose sources a scheduler can still tell apart between two ticks
/// (db_slot::changed_sources); past them it takes every source as changed.
inline constexpr int changed_sources_kept = 64;

/// A refresh the scheduler hands to refresh workers (pg_trickle.max_concurrent_refreshes).
struct refresh_job {
    enum : int { free, queued, running, done };
    std::int64_t pgt_id;
    int state;
    bool group;     ///< the atomic group of pgt_id (run_group_refresh), not pgt_id alone
    int worker_pid; ///< who runs it (0: queued, or run by the scheduler itself)
};

/// A scheduler's queue: it queues the refreshes whose upstream ones are done; its refresh
/// workers (and the scheduler itself) take them in order.
struct refresh_queue {
    refresh_job jobs[max_queued_refreshes];
    int workers;                          ///< refresh workers attached to this database
    Latch* worker_latches[max_queued_refreshes]; ///< theirs, set when a refresh is queued
};

/// A database the launcher tracks: one with a scheduler (running or dormant), or being probed.
/// The launcher frees the slots of dropped databases and of those without the extension.
struct db_slot {
    server::oid db;             ///< 0: a free slot
    int pid;                    ///< the scheduler's pid, 0 when none runs
    Latch* latch;               ///< the scheduler's latch
    server::shared_counter changes; ///< commits that captured changes
    /// The sources those commits changed, as a ring: entry n (of `changed_sources_seq`) is at
    /// n % changed_sources_kept, holding n's low 32 bits over the source's relid (0: any source,
    /// for a commit that changed something else a scheduler reads: the catalog, WAL buffers).
    server::shared_counter changed_sources_seq;
    server::shared_counter changed_sources[changed_sources_kept];
    /// Commits of refreshes that left applied buffers for the scheduler to empty
    /// (refresh/buffer_emptying.hpp).
    server::shared_counter buffers_left;
    std::int64_t last_tick_ms;  ///< unix ms of the scheduler's last tick
    std::int64_t absent_since_ms; ///< the extension was not installed, as of this time (0: unknown)
    bool serving;               ///< the scheduler found the extension and serves the database
    bool dormant;               ///< it exited after idling; the launcher restarts it (below)
    std::uint64_t dormant_changes; ///< `changes` when it went dormant: a commit since restarts it
    std::int64_t wake_at_ms;    ///< dormant: unix ms when a stream table is next due (0: none)
    bool requested;             ///< CREATE EXTENSION committed here: start a scheduler first thing
    std::int64_t held_until_ms; ///< DROP DATABASE stopped its workers: none is started before (unix ms)
    std::int64_t next_work_ms;  ///< unix ms of the scheduler's next refresh, as of its last tick (0: none pending)
    std::int64_t workers_wanted_ms; ///< unix ms when its scheduler last found the cluster's workers all taken
    refresh_queue queue;        ///< the scheduler's refreshes for its refresh workers
};

struct shared_state {
    LWLock* lock;
    Latch* launcher_latch;
    int launcher_pid;
    server::oid unserved;       ///< CREATE EXTENSION committed here and found no slot: report it
    int refresh_workers;        ///< running in the cluster (pg_trickle.max_dynamic_refresh_workers)
    db_slot slots[max_databases];
};

extern shared_state* shared;

/// Current time in unix milliseconds.
std::int64_t now_ms();

/// The slot of database `db`; when `create`, a free one (or one of a database without the
/// extension) is cleared and taken, nullptr if there is none. Callers hold shared->lock, except a scheduler reading its own slot's counter.
db_slot* find_slot(std::uint32_t db, bool create);
/// The sources whose captured changes committed since entry `seen` of slot.changed_sources
/// (moved to the last one): `any` when the slot cannot tell which (another change, or too many).
/// A commit publishes after its changes are visible: what is not listed here yet is seen by a
/// snapshot taken after this call, or listed by the next one.
struct changed_sources {
    bool any = false;
    std::vector<unsigned> relids;
};
changed_sources take_changed_sources(db_slot& slot, std::uint64_t& seen);
/// Clears a slot's counters (plain memory until then).
void init_counters(db_slot& slot);
/// Whether DROP DATABASE holds database `db`'s workers off (db_slot::held_until_ms): a worker
/// that starts then leaves at once.
bool workers_held(std::uint32_t db);

} // namespace pgt::sched
