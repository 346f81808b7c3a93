#include "scheduler/shared.hpp"

#include "pg/postgres.hpp"

extern "C" {
#include <pgstat.h>
#include <port/atomics.h>
#include <postmaster/bgworker.h>
#include <storage/ipc.h>
#include <storage/latch.h>
#include <storage/lwlock.h>
#include <storage/proc.h>
#include <storage/shmem.h>
#include <utils/timestamp.h>
}

#include "scheduler/internal.hpp"

namespace pgt::sched {

namespace {

shmem_request_hook_type previous_request = nullptr;
shmem_startup_hook_type previous_startup = nullptr;
bool wake_at_commit = false;
bool rescan_at_commit = false;

void request_shmem() {
    if (previous_request) previous_request();
    RequestAddinShmemSpace(sizeof(shared_state));
    RequestNamedLWLockTranche("pg_trickle", 1);
}

void startup_shmem() {
    if (previous_startup) previous_startup();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    shared = static_cast<shared_state*>(ShmemInitStruct("pg_trickle", sizeof(shared_state), &found));
    if (!found) {
        memset(shared, 0, sizeof(shared_state));
        shared->lock = &(GetNamedLWLockTranche("pg_trickle"))->lock;
        for (auto& s : shared->slots) pg_atomic_init_u64(&s.changes, 0);
    }
    LWLockRelease(AddinShmemInitLock);
}

/// Wake-ups are sent at commit: before it, a scheduler or the launcher would not see the
/// changes (or the new extension) yet.
void at_commit(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) wake_at_commit = rescan_at_commit = false;
    if (event != XACT_EVENT_COMMIT || !shared) return;
    if (wake_at_commit)
        if (db_slot* slot = find_slot(MyDatabaseId, false)) {
            pg_atomic_fetch_add_u64(&slot->changes, 1);
            if (slot->latch) {
                SetLatch(slot->latch);
            } else if (slot->dormant) {
                slot->dormant = false; // the launcher's next scan, which this wakes, restarts it
                if (Latch* launcher = shared->launcher_latch) SetLatch(launcher);
            }
        }
    if (rescan_at_commit) {
        LWLockAcquire(shared->lock, LW_EXCLUSIVE);
        shared->rescan = true;
        Latch* latch = shared->launcher_latch;
        LWLockRelease(shared->lock);
        if (latch) SetLatch(latch);
    }
    wake_at_commit = rescan_at_commit = false;
}

} // namespace

shared_state* shared = nullptr;

std::int64_t now_ms() { return GetCurrentTimestamp() / 1000 + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * 86400000LL; }

db_slot* find_slot(std::uint32_t db, bool create) {
    for (auto& s : shared->slots)
        if (s.db == db) return &s;
    if (!create) return nullptr;
    for (auto& s : shared->slots)
        if (s.db == InvalidOid) {
            s.db = db;
            return &s;
        }
    return nullptr;
}

void install_shared_state() {
    previous_request = shmem_request_hook;
    shmem_request_hook = request_shmem;
    previous_startup = shmem_startup_hook;
    shmem_startup_hook = startup_shmem;
    RegisterXactCallback(at_commit, nullptr);
}

bool shared_state_available() { return shared != nullptr; }

void wake_scheduler_at_commit() { wake_at_commit = true; }

void request_rescan() { rescan_at_commit = true; }

scheduler_state scheduler_of(std::uint32_t db) {
    scheduler_state st;
    if (!shared) return st;
    LWLockAcquire(shared->lock, LW_SHARED);
    if (db_slot* s = find_slot(db, false)) {
        st.running = s->pid != 0;
        st.dormant = s->dormant;
        st.pid = s->pid;
        st.last_tick_ms = s->last_tick_ms;
    }
    LWLockRelease(shared->lock);
    return st;
}

} // namespace pgt::sched
