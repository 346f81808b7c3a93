// The launcher: one background worker per cluster that starts a scheduler for every database
// with pg_trickle installed. It lists databases itself (pg_database is a shared catalog), so
// new databases and CREATE EXTENSION are picked up without a restart: every 10 s, or at once
// when CREATE EXTENSION asks for a scheduler. A database without the extension is probed again
// after 30 s. A scheduler that went dormant (idle) is restarted when its database commits
// captured changes or when its next work is due (the time it left in its slot).
#include "pg/function.hpp"
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

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pgt::sched {

namespace {

struct database {
    Oid oid;
    std::string name;
};

/// Databases that accept connections, read from the shared catalog.
std::vector<database> connectable_databases() {
    std::vector<database> dbs;
    StartTransactionCommand();
    (void)GetTransactionSnapshot();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    while (HeapTuple tuple = heap_getnext(scan, ForwardScanDirection)) {
        auto* db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
        if (db->datallowconn && !db->datistemplate) dbs.push_back({db->oid, NameStr(db->datname)});
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();
    return dbs;
}

/// The schedulers this launcher started (a handle tells whether one still runs).
std::map<Oid, BackgroundWorkerHandle*> started;

/// Databases found without the extension, and since when (unix ms): probed again after 30 s.
/// Kept here rather than in shared memory, whose slots are for databases with schedulers.
std::map<Oid, std::int64_t> absent_since;

/// Databases already reported as getting no slot (the warning is given once).
std::set<Oid> reported_full;

/// When starting a worker last failed (no background worker slot), unix ms: the launcher
/// retries after 10 s, not at every commit that asks for a scheduler.
std::int64_t start_failed_at = 0;
constexpr std::int64_t start_retry_ms = 10000;

bool running(Oid db) {
    auto it = started.find(db);
    if (it == started.end()) return false;
    pid_t pid;
    if (GetBackgroundWorkerPid(it->second, &pid) != BGWH_STOPPED) return true;
    pfree(it->second);
    started.erase(it);
    return false;
}

bool start_scheduler(Oid db) {
    const std::string name = "pg_trickle scheduler (database " + std::to_string(db) + ")";
    BackgroundWorker worker = pg_trickle_worker("pgt_scheduler_main", "pg_trickle scheduler", name.c_str(), BGW_NEVER_RESTART);
    worker.bgw_main_arg = ObjectIdGetDatum(db);
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle* handle = nullptr;
    if (now_ms() - start_failed_at < start_retry_ms) return false;
    if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
        start_failed_at = now_ms();
        ereport(LOG, (errmsg("pg_trickle: could not start a scheduler for database %u: no background worker slot "
                             "(raise max_worker_processes); retrying in 10 s", db)));
        return false;
    }
    started[db] = handle;
    return true;
}

/// Slots that hold a scheduler for good (serving or dormant), as opposed to a passing probe.
bool full_of_schedulers() {
    for (const auto& s : shared->slots)
        if (!s.serving && !s.dormant) return false;
    return true;
}

struct scan_result {
    bool again = false;       ///< look again shortly: a requested database is not served yet
    std::int64_t wake_at = 0; ///< earliest time a dormant scheduler is due (unix ms; 0: none)
};

/// Frees the slots (without a scheduler) of databases dropped or no longer accepting
/// connections, and of databases found without the extension. The caller holds shared->lock.
void free_departed_slots(const std::set<Oid>& present) {
    for (auto& s : shared->slots) {
        if (s.db == InvalidOid || s.pid != 0 || running(s.db)) continue;
        if (!present.contains(s.db)) {
            s.db = InvalidOid;
        } else if (s.absent_since_ms != 0 && !s.requested) {
            absent_since[s.db] = s.absent_since_ms;
            s.db = InvalidOid;
        }
    }
}

/// Frees the slots of dropped databases and of databases found without the extension, then
/// starts the missing schedulers: requested databases first (CREATE EXTENSION committed there),
/// then dormant ones that are due or had a commit, then probes of databases not known to lack
/// the extension (or found without it more than 30 s ago).
scan_result scan() {
    const auto dbs = connectable_databases();
    const std::int64_t now = now_ms();
    std::set<Oid> present;
    for (const auto& d : dbs) present.insert(d.oid);
    std::erase_if(absent_since, [&](const auto& a) { return !present.contains(a.first); });
    std::erase_if(reported_full, [&](Oid db) { return !present.contains(db); });

    scan_result r;
    std::vector<Oid> requested, woken, probes;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    // It has the extension now: no longer one that is quietly left without a slot (below).
    absent_since.erase(shared->unserved);
    shared->unserved = InvalidOid;
    free_departed_slots(present);
    for (const auto& d : dbs) {
        db_slot* slot = find_slot(d.oid, false);
        // A slot (requested, serving, dormant, or left by a scheduler that ended) means the
        // extension is there, whatever an earlier probe found.
        if (slot) absent_since.erase(d.oid);
        if (slot && slot->held_until_ms > now) continue; // being dropped (drop_database.cpp)
        if (running(d.oid) || (slot && slot->pid != 0)) {
            // A scheduler that attached before the request may have looked before the commit:
            // once it ends, another is started. One that serves needs nothing more.
            if (slot && slot->requested) {
                if (slot->serving)
                    slot->requested = false;
                else
                    r.again |= running(d.oid);
            }
        } else if (slot && slot->requested) {
            requested.push_back(d.oid);
        } else if (slot && slot->dormant) {
            if ((slot->wake_at_ms != 0 && slot->wake_at_ms <= now) ||
                pg_atomic_read_u64(&slot->changes) != slot->dormant_changes)
                woken.push_back(d.oid);
            else if (slot->wake_at_ms != 0)
                r.wake_at = r.wake_at == 0 ? slot->wake_at_ms : std::min(r.wake_at, slot->wake_at_ms);
        } else if (auto a = absent_since.find(d.oid); a != absent_since.end() && now - a->second < 30000) {
            // probed recently
        } else if (slot || find_slot(d.oid, true)) {
            reported_full.erase(d.oid);
            probes.push_back(d.oid);
        } else if (a != absent_since.end()) {
            // Without the extension when last probed: it waits for a slot without a warning.
        } else if (full_of_schedulers() && reported_full.insert(d.oid).second) {
            ereport(WARNING, (errmsg("pg_trickle: database \"%s\" gets no scheduler: shared memory tracks at most %d "
                                     "databases with a scheduler", d.name.c_str(), max_databases)));
        }
    }
    LWLockRelease(shared->lock);

    // After the first failure the others would fail as well; they are tried at the next scan.
    bool failed = false;
    for (Oid db : requested) {
        failed = failed || !start_scheduler(db);
        r.again |= failed;
    }
    for (Oid db : woken) failed = failed || !start_scheduler(db);
    std::vector<Oid> not_started;
    for (Oid db : probes) {
        failed = failed || !start_scheduler(db);
        if (failed) not_started.push_back(db);
    }
    if (!not_started.empty()) {
        // A probe that did not start gives its slot back.
        LWLockAcquire(shared->lock, LW_EXCLUSIVE);
        for (Oid db : not_started)
            if (db_slot* slot = find_slot(db, false); slot && slot->pid == 0 && !slot->requested) slot->db = InvalidOid;
        LWLockRelease(shared->lock);
    }
    return r;
}

} // namespace

void register_launcher() {
    BackgroundWorker worker = pg_trickle_worker("pgt_launcher_main", "pg_trickle launcher", "pg_trickle launcher", 5);
    RegisterBackgroundWorker(&worker);
}

} // namespace pgt::sched

namespace {

void launcher_main(Datum) {
    using namespace pgt::sched;
    take_worker_signals();
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    shared->launcher_pid = MyProcPid;
    shared->launcher_latch = &MyProc->procLatch;
    LWLockRelease(shared->lock);

    while (!ShutdownRequestPending) {
        reload_configuration();
        const scan_result r = scan();
        // Every 10 s, sooner when a dormant scheduler is due; a set latch (a commit for a dormant
        // scheduler, CREATE EXTENSION) cuts the wait short.
        long timeout = 10000;
        if (r.again) timeout = 200;
        if (r.wake_at != 0) timeout = std::clamp<long>(static_cast<long>(r.wake_at - now_ms()), 1, timeout);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    shared->launcher_pid = 0;
    shared->launcher_latch = nullptr;
    LWLockRelease(shared->lock);
    proc_exit(0);
}

} // namespace

extern "C" PGDLLEXPORT void pgt_launcher_main(Datum arg);

void pgt_launcher_main(Datum arg) { pgt::pg::invoke_worker(launcher_main, arg, "pg_trickle launcher"); }
