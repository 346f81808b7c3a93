#include "scheduler/drop_database.hpp"

#include "pg/postgres.hpp"

extern "C" {
#include <catalog/pg_database.h>
#include <commands/dbcommands.h>
#include <signal.h>
#include <storage/procarray.h>
#include <tcop/utility.h>
#include <utils/acl.h>
}

#include "capture/wal_progress.hpp"
#include "scheduler/internal.hpp"

namespace pgt::sched {

namespace {

ProcessUtility_hook_type previous_utility = nullptr;

/// How long the launcher leaves a database being dropped without workers (a DROP DATABASE that
/// fails gets them back after it).
constexpr std::int64_t hold_ms = 10000;
/// How long a DROP DATABASE waits for them to end.
constexpr int wait_ms = 5000;

/// The pids of a database's scheduler, refresh workers and WAL decoder (plain data: the wait
/// below may leave by longjmp, on a cancel).
struct worker_pids {
    int pid[2 + max_queued_refreshes];
    int count;
};

/// `db`'s workers, after holding its slot; none when the database has no slot.
worker_pids hold_workers(Oid db) {
    worker_pids w{{}, 0};
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    if (db_slot* slot = find_slot(db, false)) {
        slot->held_until_ms = now_ms() + hold_ms;
        if (slot->pid != 0) w.pid[w.count++] = slot->pid;
        for (Latch* l : slot->queue.worker_latches)
            if (l && l->owner_pid != 0) w.pid[w.count++] = l->owner_pid;
    }
    LWLockRelease(shared->lock);
    if (const int decoder = ext::wal::decoder_pid(db)) w.pid[w.count++] = decoder;
    return w;
}

/// Ends `db`'s workers (as pg_terminate_backend does) and waits until they are gone. They are
/// looked for again each time: one that showed itself meanwhile (a WAL decoder its scheduler
/// asked for just before it ended) is ended too.
void end_workers(Oid db) {
    for (int waited = 0; waited < wait_ms; waited += 10) {
        const worker_pids w = hold_workers(db);
        bool alive = false;
        for (int i = 0; i < w.count; ++i) {
            if (BackendPidGetProc(w.pid[i]) == nullptr) continue;
            alive = true;
            kill(w.pid[i], SIGTERM);
        }
        if (!alive) return;
        CHECK_FOR_INTERRUPTS();
        pg_usleep(10000);
    }
}

void on_utility(PlannedStmt* pstmt, const char* query, bool read_only_tree, ProcessUtilityContext context,
                ParamListInfo params, QueryEnvironment* env, DestReceiver* dest, QueryCompletion* qc) {
    if (IsA(pstmt->utilityStmt, DropdbStmt)) {
        const Oid db = get_database_oid(castNode(DropdbStmt, pstmt->utilityStmt)->dbname, true);
        // Only for whoever may drop it: DROP DATABASE checks ownership itself, later.
#if PG_VERSION_NUM >= 160000
        const bool owner = OidIsValid(db) && object_ownercheck(DatabaseRelationId, db, GetUserId());
#else
        const bool owner = OidIsValid(db) && pg_database_ownercheck(db, GetUserId());
#endif
        if (owner && db != MyDatabaseId) end_workers(db);
    }
    if (previous_utility)
        previous_utility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query, read_only_tree, context, params, env, dest, qc);
}

} // namespace

void install_drop_database_hook() {
    previous_utility = ProcessUtility_hook;
    ProcessUtility_hook = on_utility;
}

} // namespace pgt::sched
