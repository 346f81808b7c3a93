#include "scheduler/shared.hpp"

#include "pg/postgres.hpp"
#include "pg/shared_memory.hpp"

extern "C" {
#include <pgstat.h>
#include <port/atomics.h>
#include <postmaster/bgworker.h>
#include <postmaster/interrupt.h>
#include <storage/ipc.h>
#include <storage/latch.h>
#include <storage/lwlock.h>
#include <storage/proc.h>
#include <storage/shmem.h>
#include <utils/guc.h>
#include <utils/timestamp.h>
}

#include "scheduler/internal.hpp"

namespace pgt::sched {

namespace {

bool wake_at_commit = false;
bool rescan_at_commit = false;

void request_shmem() {
    RequestAddinShmemSpace(sizeof(shared_state));
    RequestNamedLWLockTranche("pg_trickle", 1);
}

void attach_shmem() {
    bool found = false;
    shared = static_cast<shared_state*>(ShmemInitStruct("pg_trickle", sizeof(shared_state), &found));
    if (!found) {
        memset(shared, 0, sizeof(shared_state));
        shared->lock = &(GetNamedLWLockTranche("pg_trickle"))->lock;
        for (auto& s : shared->slots) pg_atomic_init_u64(&s.changes, 0);
    }
}

/// Wake-ups are sent at commit: before it, a scheduler or the launcher would not see the
/// changes (or the new extension) yet.
void at_commit(XactEvent event, void*) {
    // A prepared transaction commits later, elsewhere (COMMIT PREPARED): the scheduler finds its
    // changes at its next look, not through this backend's next commit.
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE)
        wake_at_commit = rescan_at_commit = false;
    if (event != XACT_EVENT_COMMIT || !shared) return;
    Latch* wake = nullptr;
    if (wake_at_commit) {
        // Counted under the lock: a scheduler going dormant compares the counter under it too,
        // so either it sees this commit and stays, or this sees it dormant and wakes the launcher.
        LWLockAcquire(shared->lock, LW_SHARED);
        if (db_slot* slot = find_slot(MyDatabaseId, false)) {
            pg_atomic_fetch_add_u64(&slot->changes, 1);
            // No scheduler attached (dormant, or it ended): the launcher starts one.
            wake = slot->latch ? slot->latch : shared->launcher_latch;
        }
        LWLockRelease(shared->lock);
    }
    if (rescan_at_commit) {
        // The launcher starts requested databases before probing the others. With no free slot
        // the database waits for its turn among the probes, and the launcher reports it.
        LWLockAcquire(shared->lock, LW_EXCLUSIVE);
        if (db_slot* slot = find_slot(MyDatabaseId, true))
            slot->requested = true;
        else
            shared->unserved = MyDatabaseId;
        Latch* launcher = shared->launcher_latch;
        LWLockRelease(shared->lock);
        if (launcher) SetLatch(launcher);
    }
    if (wake) SetLatch(wake);
    wake_at_commit = rescan_at_commit = false;
}

} // namespace

shared_state* shared = nullptr;

std::int64_t now_ms() { return GetCurrentTimestamp() / 1000 + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * 86400000LL; }

bool workers_held(std::uint32_t db) {
    LWLockAcquire(shared->lock, LW_SHARED);
    const db_slot* slot = find_slot(db, false);
    const bool held = slot && slot->held_until_ms > now_ms();
    LWLockRelease(shared->lock);
    return held;
}

db_slot* find_slot(std::uint32_t db, bool create) {
    for (auto& s : shared->slots)
        if (s.db == db) return &s;
    if (!create) return nullptr;
    // A free slot, else one of a database found without the extension, which the launcher would
    // free at its next scan anyway.
    db_slot* take = nullptr;
    for (auto& s : shared->slots)
        if (s.db == InvalidOid) {
            take = &s;
            break;
        } else if (!take && s.absent_since_ms != 0 && s.pid == 0 && !s.requested) {
            take = &s;
        }
    if (!take) return nullptr;
    // A reused slot keeps nothing of its previous database.
    *take = db_slot{};
    take->db = db;
    pg_atomic_init_u64(&take->changes, 0);
    return take;
}

BackgroundWorker pg_trickle_worker(const char* function, const char* type, const char* name, int restart_seconds) {
    BackgroundWorker worker{};
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = restart_seconds;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_trickle");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
    snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
    snprintf(worker.bgw_type, BGW_MAXLEN, "%s", type);
    return worker;
}

void take_worker_signals() {
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    ConfigReloadPending = true;
    BackgroundWorkerUnblockSignals();
}

void reload_configuration() {
    if (!ConfigReloadPending) return;
    ConfigReloadPending = false;
    ProcessConfigFile(PGC_SIGHUP);
}

void install_shared_state() {
    pg::add_shared_memory(request_shmem, attach_shmem);
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
