#pragma once
// The shared-memory layout behind scheduler/shared.hpp (PostgreSQL types; scheduler files only).

#include <cstdint>

#include "pg/postgres.hpp"

extern "C" {
#include <port/atomics.h>
#include <storage/latch.h>
#include <storage/lwlock.h>
}

namespace pgt::sched {

inline constexpr int max_databases = 64;

struct db_slot {
    Oid db;
    int pid;                    ///< the scheduler's pid, 0 when none runs
    Latch* latch;               ///< the scheduler's latch
    pg_atomic_uint64 changes;   ///< commits that captured changes
    std::int64_t last_tick_ms;  ///< unix ms of the scheduler's last tick
    std::int64_t absent_since_ms; ///< the extension was not installed, as of this time (0: unknown)
    bool serving;               ///< the scheduler found the extension and serves the database
    bool dormant;               ///< it exited after idling; a commit with changes restarts it
};

struct shared_state {
    LWLock* lock;
    Latch* launcher_latch;
    int launcher_pid;
    bool rescan;
    db_slot slots[max_databases];
};

extern shared_state* shared;

/// Current time in unix milliseconds.
std::int64_t now_ms();

/// The slot of database `db` (created when `create`); callers hold shared->lock, except for
/// the lock-free reads of a slot's latch and counter.
db_slot* find_slot(std::uint32_t db, bool create);

} // namespace pgt::sched
