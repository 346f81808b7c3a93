// The launcher: one background worker per cluster that starts a scheduler for every database
// with pg_trickle installed. It lists databases itself (pg_database is a shared catalog), so
// new databases and CREATE EXTENSION are picked up without a restart: every 10 s, or at once
// when CREATE EXTENSION asks for a rescan. A database without the extension is probed again
// after 30 s. A scheduler that went dormant (idle) is restarted when its database commits
// captured changes.
#include "scheduler/internal.hpp"
#include "scheduler/workers.hpp"

extern "C" {
#include <access/heapam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <access/xact.h>
#include <catalog/pg_database.h>
#include <miscadmin.h>
#include <pgstat.h>
#include <postmaster/bgworker.h>
#include <postmaster/interrupt.h>
#include <storage/ipc.h>
#include <storage/proc.h>
#include <tcop/tcopprot.h>
#include <utils/snapmgr.h>
#include <utils/timestamp.h>
}

#include <map>
#include <vector>

namespace pgt::sched {

namespace {

/// Databases that accept connections, read from the shared catalog.
std::vector<Oid> connectable_databases() {
    std::vector<Oid> dbs;
    StartTransactionCommand();
    (void)GetTransactionSnapshot();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    while (HeapTuple tuple = heap_getnext(scan, ForwardScanDirection)) {
        auto* db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
        if (db->datallowconn && !db->datistemplate) dbs.push_back(db->oid);
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();
    return dbs;
}

/// The schedulers this launcher started (a handle tells whether one still runs).
std::map<Oid, BackgroundWorkerHandle*> started;

bool running(Oid db) {
    auto it = started.find(db);
    if (it == started.end()) return false;
    pid_t pid;
    return GetBackgroundWorkerPid(it->second, &pid) != BGWH_STOPPED;
}

void start_scheduler(Oid db) {
    BackgroundWorker worker{};
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_trickle");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "pgt_scheduler_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "pg_trickle scheduler (database %u)", db);
    snprintf(worker.bgw_type, BGW_MAXLEN, "pg_trickle scheduler");
    worker.bgw_main_arg = ObjectIdGetDatum(db);
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle* handle = nullptr;
    if (!RegisterDynamicBackgroundWorker(&worker, &handle))
        ereport(LOG, (errmsg("pg_trickle: could not start a scheduler for database %u: no background worker slot "
                             "(raise max_worker_processes)", db)));
    else
        started[db] = handle;
}

/// Starts the missing schedulers. Returns true when a forced scan met a scheduler still running:
/// it may be a probe that looked before the CREATE EXTENSION that asked for the scan committed,
/// so the scan is repeated shortly.
bool scan(bool forced) {
    const auto dbs = connectable_databases();
    const std::int64_t now = now_ms();
    bool met_running = false;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    std::vector<Oid> to_start;
    for (Oid db : dbs) {
        if (running(db)) {
            db_slot* slot = find_slot(db, false);
            met_running |= !slot || !slot->serving;
            continue;
        }
        db_slot* slot = find_slot(db, true);
        if (!slot) continue;
        if (!forced && ((slot->absent_since_ms != 0 && now - slot->absent_since_ms < 30000) || slot->dormant)) continue;
        slot->dormant = false;
        to_start.push_back(db);
    }
    LWLockRelease(shared->lock);
    for (Oid db : to_start) start_scheduler(db);
    return forced && met_running;
}

} // namespace

void register_launcher() {
    BackgroundWorker worker{};
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 5;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_trickle");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "pgt_launcher_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "pg_trickle launcher");
    snprintf(worker.bgw_type, BGW_MAXLEN, "pg_trickle launcher");
    RegisterBackgroundWorker(&worker);
}

} // namespace pgt::sched

extern "C" PGDLLEXPORT void pgt_launcher_main(Datum);

void pgt_launcher_main(Datum) {
    using namespace pgt::sched;
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    shared->launcher_pid = MyProcPid;
    shared->launcher_latch = &MyProc->procLatch;
    LWLockRelease(shared->lock);

    bool forced = true;
    while (!ShutdownRequestPending) {
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        const bool again = scan(forced);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, again ? 200L : 10000L, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        LWLockAcquire(shared->lock, LW_EXCLUSIVE);
        forced = shared->rescan || again;
        shared->rescan = false;
        LWLockRelease(shared->lock);
    }
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    shared->launcher_pid = 0;
    shared->launcher_latch = nullptr;
    LWLockRelease(shared->lock);
    proc_exit(0);
}
