#include "scheduler/refresh_workers.hpp"

#include <cerrno>
#include <csignal>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "pg/function.hpp"
#include "pg/postgres.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "scheduler/internal.hpp"
#include "scheduler/refresh_job.hpp"
#include "scheduler/transactions.hpp"

extern "C" {
#include <miscadmin.h>
#include <pgstat.h>
#include <postmaster/bgworker.h>
#include <postmaster/interrupt.h>
#include <storage/ipc.h>
#include <storage/latch.h>
#include <storage/proc.h>
#include <utils/guc.h>
#include <utils/memutils.h>
#include <utils/wait_event.h>
}

namespace pgt::sched {

namespace {

// Kept this long after its last refresh, a worker serves stream tables due every few seconds
// without being started again each time (a start costs tens of milliseconds of CPU).
constexpr long worker_idle_exit_ms = 10000;

/// Queues a refresh and wakes the database's idle workers.
bool enqueue(db_slot* slot, long long id) {
    std::vector<Latch*> wake;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    bool queued = false;
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::free) {
            j = refresh_job{id, refresh_job::queued, 0};
            queued = true;
            break;
        }
    for (Latch* l : slot->queue.worker_latches)
        if (l) wake.push_back(l);
    LWLockRelease(shared->lock);
    for (Latch* l : wake) SetLatch(l);
    return queued;
}

/// The first queued refresh, now running for `pid` (0: the scheduler).
std::optional<long long> take(db_slot* slot, int pid) {
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    std::optional<long long> id;
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::queued) {
            j.state = refresh_job::running;
            j.worker_pid = pid;
            id = j.pgt_id;
            break;
        }
    LWLockRelease(shared->lock);
    return id;
}

void finish(db_slot* slot, long long id) {
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::running && j.pgt_id == id) {
            j.state = refresh_job::done;
            break;
        }
    Latch* scheduler = slot->latch;
    LWLockRelease(shared->lock);
    if (scheduler) SetLatch(scheduler);
}

/// Refreshes done since the last call (their entries freed), and those whose worker exited
/// without finishing them (its RUNNING history row is marked failed).
std::vector<long long> collect(db_slot* slot) {
    std::vector<long long> done, orphaned;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    for (auto& j : slot->queue.jobs) {
        if (j.state == refresh_job::done) {
            done.push_back(j.pgt_id);
            j.state = refresh_job::free;
        } else if (j.state == refresh_job::running && j.worker_pid != 0 && kill(j.worker_pid, 0) != 0 && errno == ESRCH) {
            orphaned.push_back(j.pgt_id);
            j.state = refresh_job::free;
        }
    }
    LWLockRelease(shared->lock);
    for (long long id : orphaned) {
        in_transaction([&] {
            spi::exec("UPDATE pgtrickle.pgt_refresh_history SET status = 'FAILED', end_time = now(), error_message = "
                      "'interrupted: the refresh worker exited before the refresh finished' "
                      "WHERE pgt_id = $1::int8 AND status = 'RUNNING'",
                      {std::to_string(id)});
        });
        done.push_back(id);
    }
    return done;
}

int queued_count(db_slot* slot) {
    int n = 0;
    LWLockAcquire(shared->lock, LW_SHARED);
    for (const auto& j : slot->queue.jobs) n += j.state == refresh_job::queued;
    LWLockRelease(shared->lock);
    return n;
}

/// Starts a refresh worker for `slot`, remembered in `handles`.
bool start_worker(db_slot* slot, std::vector<BackgroundWorkerHandle*>& handles) {
    const std::string name = "pg_trickle refresh worker (database " + std::to_string(slot->db) + ")";
    BackgroundWorker worker =
        pg_trickle_worker("pgt_refresh_worker_main", "pg_trickle refresh worker", name.c_str(), BGW_NEVER_RESTART);
    worker.bgw_main_arg = Int32GetDatum(static_cast<int>(slot - shared->slots));
    memcpy(worker.bgw_extra, &slot->db, sizeof(Oid));
    worker.bgw_notify_pid = 0;
    BackgroundWorkerHandle* handle = nullptr;
    MemoryContext previous = MemoryContextSwitchTo(TopMemoryContext); // kept across ticks
    const bool started = RegisterDynamicBackgroundWorker(&worker, &handle);
    MemoryContextSwitchTo(previous);
    if (!started) return false;
    handles.push_back(handle);
    return true;
}

/// This scheduler's workers still alive or starting.
int live_workers(std::vector<BackgroundWorkerHandle*>& handles) {
    std::erase_if(handles, [](BackgroundWorkerHandle* h) {
        pid_t pid = 0;
        if (GetBackgroundWorkerPid(h, &pid) != BGWH_STOPPED) return false;
        pfree(h);
        return true;
    });
    return static_cast<int>(handles.size());
}

} // namespace

void run_plan(db_slot* slot, const std::vector<long long>& plan, const std::vector<stream_table_state>& states) {
    if (guc::max_concurrent_refreshes <= 1 || plan.size() <= 1) {
        for (long long id : plan) {
            CHECK_FOR_INTERRUPTS();
            if (ShutdownRequestPending) return;
            run_scheduled_refresh(id);
        }
        return;
    }
    const std::set<long long> in_plan(plan.begin(), plan.end());
    std::map<long long, std::vector<long long>> upstream;
    for (const auto& s : states)
        if (in_plan.count(s.id))
            for (long long u : s.upstream)
                if (in_plan.count(u)) upstream[s.id].push_back(u);
    std::set<long long> done, queued;
    static std::vector<BackgroundWorkerHandle*> handles; // kept across ticks: workers idle a second
    while (done.size() < plan.size() && !ShutdownRequestPending) {
        for (long long id : plan) {
            if (queued.count(id)) continue;
            bool ready = true;
            for (long long u : upstream[id]) ready = ready && done.count(u);
            if (ready && enqueue(slot, id)) queued.insert(id);
        }
        // Workers for what waits, the scheduler being one of the max_concurrent_refreshes.
        const int waiting = queued_count(slot);
        int running = live_workers(handles);
        while (running < guc::max_concurrent_refreshes - 1 && running < waiting) {
            LWLockAcquire(shared->lock, LW_SHARED);
            const bool budget = shared->refresh_workers + (running - slot->queue.workers) < guc::max_dynamic_refresh_workers;
            LWLockRelease(shared->lock);
            if (!budget || !start_worker(slot, handles)) break;
            ++running;
        }
        if (auto id = take(slot, 0)) {
            run_scheduled_refresh(*id);
            finish(slot, *id);
        } else {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 50, PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            CHECK_FOR_INTERRUPTS();
        }
        for (long long id : collect(slot))
            if (in_plan.count(id)) done.insert(id);
    }
}

std::vector<long long> take_over_queue(db_slot* slot) {
    std::vector<long long> running;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::running && j.worker_pid != 0 && kill(j.worker_pid, 0) == 0)
            running.push_back(j.pgt_id);
        else if (j.state != refresh_job::running)
            j.state = refresh_job::free;
    LWLockRelease(shared->lock);
    return running;
}

} // namespace pgt::sched

namespace {

/// A refresh worker leaves: its database's and the cluster's counts go down.
void detach_worker(int, Datum arg) {
    using namespace pgt::sched;
    Oid db = InvalidOid;
    memcpy(&db, MyBgworkerEntry->bgw_extra, sizeof(Oid));
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    db_slot& slot = shared->slots[DatumGetInt32(arg)];
    if (slot.db == db && slot.queue.workers > 0) --slot.queue.workers; // else the slot was reset
    for (Latch*& l : slot.queue.worker_latches)
        if (l == &MyProc->procLatch) l = nullptr;
    --shared->refresh_workers;
    LWLockRelease(shared->lock);
}

} // namespace

namespace {

void refresh_worker_main(Datum arg) {
    using namespace pgt::sched;
    const int index = DatumGetInt32(arg);
    Oid db = InvalidOid;
    memcpy(&db, MyBgworkerEntry->bgw_extra, sizeof(Oid));
    take_worker_signals();
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    db_slot* slot = &shared->slots[index];
    // The slot changed hands, or the cluster's budget is spent (schedulers of other databases
    // started workers meanwhile): nothing to do.
    if (slot->db != db || shared->refresh_workers >= pgt::guc::max_dynamic_refresh_workers) {
        LWLockRelease(shared->lock);
        proc_exit(0);
    }
    ++slot->queue.workers;
    ++shared->refresh_workers;
    for (Latch*& l : slot->queue.worker_latches)
        if (!l) {
            l = &MyProc->procLatch;
            break;
        }
    LWLockRelease(shared->lock);
    before_shmem_exit(detach_worker, Int32GetDatum(index));
    BackgroundWorkerInitializeConnectionByOid(db, InvalidOid, 0);
    pgstat_report_appname("pg_trickle refresh worker");
    std::int64_t idle_since = now_ms();
    while (!ShutdownRequestPending) {
        reload_configuration();
        if (auto id = take(slot, MyProcPid)) {
            run_scheduled_refresh(*id);
            finish(slot, *id);
            idle_since = now_ms();
            continue;
        }
        const long idle_left = worker_idle_exit_ms - (now_ms() - idle_since);
        if (idle_left <= 0) break;
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, idle_left, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
    proc_exit(0);
}

} // namespace

extern "C" PGDLLEXPORT void pgt_refresh_worker_main(Datum arg);

void pgt_refresh_worker_main(Datum arg) { pgt::pg::invoke_worker(refresh_worker_main, arg, "pg_trickle refresh worker"); }
