#include "scheduler/refresh_workers.hpp"

#include <cerrno>
#include <csignal>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "pg/background_worker.hpp"
#include "pg/latch.hpp"
#include "pg/lwlock.hpp"
#include "pg/process.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "refresh/refresh.hpp"
#include "scheduler/internal.hpp"
#include "scheduler/quiet_tables.hpp"
#include "scheduler/refresh_job.hpp"
#include "scheduler/transactions.hpp"

namespace pgt::sched {

namespace {

// Kept this long after its last refresh, a worker serves stream tables due every few seconds
// without being started again each time (a start costs tens of milliseconds of CPU).
constexpr long worker_idle_exit_ms = 10000;
// And up to this long while its database has a refresh due within it: a worker keeps the
// statements it compiled and planned, which a new one makes again (20 ms for a one-table
// aggregate whose refresh then takes 1 ms; 120 ms for TPC-H's q08, refreshed in 5 ms).
constexpr long worker_keep_for_due_ms = 300000;
// Unless another database's scheduler found the cluster's workers all taken this recently.
constexpr long workers_wanted_recently_ms = 60000;

/// Queues a refresh (of `id`'s atomic group when `group`) and wakes the database's idle workers.
bool enqueue(db_slot* slot, long long id, bool group) {
    std::vector<Latch*> wake;
    server::lock(shared->lock, server::lock_mode::exclusive);
    bool queued = false;
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::free) {
            j = refresh_job{id, refresh_job::queued, group, 0};
            queued = true;
            break;
        }
    for (Latch* l : slot->queue.worker_latches)
        if (l) wake.push_back(l);
    server::unlock(shared->lock);
    for (Latch* l : wake) server::set_latch(l);
    return queued;
}

/// How many refresh workers this database may have, with `cluster_busy` of the cluster's in
/// use: max_concurrent_refreshes, within per_database_worker_quota — or half as many again
/// (rounded up) while fewer than half of max_dynamic_refresh_workers are in use.
int database_limit(int cluster_busy) {
    const int quota = guc::per_database_worker_quota;
    if (quota <= 0) return guc::max_concurrent_refreshes;
    const bool spare = 2 * cluster_busy < guc::max_dynamic_refresh_workers;
    return std::min(guc::max_concurrent_refreshes, spare ? quota + (quota + 1) / 2 : quota);
}

/// The first queued refresh, now running for `pid` (0: the scheduler); none while the
/// database runs as many as its limit allows.
std::optional<refresh_job> take(db_slot* slot, int pid) {
    server::lock(shared->lock, server::lock_mode::exclusive);
    std::optional<refresh_job> taken;
    int running = 0;
    for (const auto& j : slot->queue.jobs) running += j.state == refresh_job::running;
    if (running >= database_limit(shared->refresh_workers)) {
        server::unlock(shared->lock);
        return taken;
    }
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::queued) {
            j.state = refresh_job::running;
            j.worker_pid = pid;
            taken = j;
            break;
        }
    server::unlock(shared->lock);
    return taken;
}

void finish(db_slot* slot, long long id) {
    server::lock(shared->lock, server::lock_mode::exclusive);
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::running && j.pgt_id == id) {
            j.state = refresh_job::done;
            break;
        }
    // The scheduler queues what waited for it; a worker held back by the database's limit may
    // take a queued one now.
    std::vector<Latch*> wake{slot->latch};
    for (Latch* l : slot->queue.worker_latches) wake.push_back(l);
    server::unlock(shared->lock);
    for (Latch* l : wake)
        if (l) server::set_latch(l);
}

/// Refreshes done since the last call (their entries freed), and those whose worker exited
/// without finishing them (its RUNNING history row is marked failed).
std::vector<long long> collect(db_slot* slot) {
    std::vector<long long> done, orphaned;
    server::lock(shared->lock, server::lock_mode::exclusive);
    for (auto& j : slot->queue.jobs) {
        if (j.state == refresh_job::done) {
            done.push_back(j.pgt_id);
            j.state = refresh_job::free;
        } else if (j.state == refresh_job::running && j.worker_pid != 0 && kill(j.worker_pid, 0) != 0 && errno == ESRCH) {
            orphaned.push_back(j.pgt_id);
            j.state = refresh_job::free;
        }
    }
    server::unlock(shared->lock);
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
    server::lock(shared->lock, server::lock_mode::shared);
    for (const auto& j : slot->queue.jobs) n += j.state == refresh_job::queued;
    server::unlock(shared->lock);
    return n;
}

/// Starts a refresh worker for `slot`, remembered in `handles`.
bool start_worker(db_slot* slot, std::vector<BackgroundWorkerHandle*>& handles) {
    server::worker_spec worker{"pgt_refresh_worker_main", "pg_trickle refresh worker",
                               "pg_trickle refresh worker (database " + std::to_string(slot->db) + ")", server::never_restart};
    worker.main_arg = static_cast<std::uintptr_t>(slot - shared->slots);
    worker.database = slot->db;
    BackgroundWorkerHandle* handle = server::start_worker(worker); // (kept across ticks)
    if (!handle) return false;
    handles.push_back(handle);
    return true;
}

/// This scheduler's workers still alive or starting.
int live_workers(std::vector<BackgroundWorkerHandle*>& handles) {
    std::erase_if(handles, [](BackgroundWorkerHandle* h) {
        if (!server::worker_stopped(h)) return false;
        server::forget_worker(h);
        return true;
    });
    return static_cast<int>(handles.size());
}

} // namespace

namespace {

/// What this scheduler has queued and not yet seen done: each job's stream tables (a group's
/// members, or one), by the job's id.
std::map<long long, std::vector<long long>> in_flight;

/// Runs a refresh taken from the queue, then marks it done.
void run_job(db_slot* slot, const refresh_job& job) {
    if (job.group)
        run_group_refresh(job.pgt_id);
    else
        run_scheduled_refresh(job.pgt_id);
    finish(slot, job.pgt_id);
}

/// Starts workers for the queued refreshes, within the database's limit and
/// max_dynamic_refresh_workers in the cluster. Returns how many are alive.
int staff(db_slot* slot) {
    static std::vector<BackgroundWorkerHandle*> handles; // kept across ticks: workers idle a while
    const int waiting = queued_count(slot);
    int running = live_workers(handles);
    for (;;) {
        server::lock(shared->lock, server::lock_mode::shared);
        // (Workers starting are not counted in the cluster's yet.)
        const int cluster_busy = shared->refresh_workers + (running - slot->queue.workers);
        server::unlock(shared->lock);
        if (running >= database_limit(cluster_busy) || running >= waiting) break;
        const bool budget = cluster_busy < guc::max_dynamic_refresh_workers;
        if (!budget) {
            // (Workers of other databases kept idle for their next refresh leave: idle_until.)
            server::lock(shared->lock, server::lock_mode::exclusive);
            slot->workers_wanted_ms = now_ms();
            server::unlock(shared->lock);
        }
        if (!budget || !start_worker(slot, handles)) break;
        ++running;
    }
    return running;
}

} // namespace

void dispatch(db_slot* slot, const std::vector<std::vector<long long>>& units, const std::vector<stream_table_state>& states,
              quiet_tables& quiet) {
    collect_done(slot);
    if (guc::max_concurrent_refreshes <= 1) {
        // One at a time, here: in refresh order, each unit after what it reads.
        for (const auto& unit : units) {
            server::check_for_interrupts();
            if (server::shutdown_requested()) break;
            run_job(slot, refresh_job{unit.front(), refresh_job::running, unit.size() > 1, 0});
        }
        return;
    }
    std::map<long long, const stream_table_state*> by_id;
    for (const auto& s : states) by_id[s.id] = &s;
    std::set<long long> changed; // stream tables with changes to apply
    in_transaction([&] {
        for (const auto& unit : units)
            for (long long id : unit)
                if (!in_flight.count(id) && quiet.pending(id)) changed.insert(id);
    });
    // Stream tables that are not up to date yet: those in flight, and those of the units this
    // pass holds back or queues (upstream ones come first in `units`).
    std::set<long long> pending;
    for (const auto& [job, members] : in_flight) pending.insert(members.begin(), members.end());
    for (const auto& unit : units) {
        const std::set<long long> mine(unit.begin(), unit.end());
        bool busy = false, waits = false, changes = false;
        for (long long id : unit) {
            busy = busy || pending.count(id) > 0;
            changes = changes || changed.count(id) > 0;
            if (auto it = by_id.find(id); it != by_id.end())
                for (long long u : it->second->upstream) waits = waits || (!mine.count(u) && pending.count(u) > 0);
        }
        // (Held back: the scheduler looks again when a refresh it waits for is done.)
        if (busy || waits) {
            pending.insert(unit.begin(), unit.end());
            continue;
        }
        if (!changes || !enqueue(slot, unit.front(), unit.size() > 1)) continue;
        pending.insert(unit.begin(), unit.end());
        in_flight[unit.front()] = unit;
    }
    // Without a worker (none may start: the cluster's budget is spent), the scheduler runs one.
    if (staff(slot) == 0)
        if (auto job = take(slot, 0)) run_job(slot, *job);
}

bool refreshes_in_flight() { return !in_flight.empty(); }

bool collect_done(db_slot* slot) {
    bool any = false;
    for (long long id : collect(slot)) any = in_flight.erase(id) > 0 || any;
    return any;
}

std::vector<long long> take_over_queue(db_slot* slot) {
    std::vector<long long> running;
    server::lock(shared->lock, server::lock_mode::exclusive);
    for (auto& j : slot->queue.jobs)
        if (j.state == refresh_job::running && j.worker_pid != 0 && kill(j.worker_pid, 0) == 0)
            running.push_back(j.pgt_id);
        else if (j.state != refresh_job::running)
            j.state = refresh_job::free;
    server::unlock(shared->lock);
    return running;
}

} // namespace pgt::sched

namespace {

/// The worker's slot (its main's argument), for detach_worker.
int my_index = 0;
/// Counted out already (leave_if_beyond_limit).
bool detached = false;

/// Takes the worker out of its database's and the cluster's counts (the shared lock held).
void uncount_worker() {
    using namespace pgt::sched;
    namespace server = pgt::server;
    db_slot& slot = shared->slots[my_index];
    if (slot.db == server::worker_database() && slot.queue.workers > 0) --slot.queue.workers; // else the slot was reset
    for (Latch*& l : slot.queue.worker_latches)
        if (l == server::my_latch()) l = nullptr;
    --shared->refresh_workers;
    detached = true;
}

/// A refresh worker leaves: its database's and the cluster's counts go down.
void detach_worker() {
    namespace server = pgt::server;
    server::lock(pgt::sched::shared->lock, server::lock_mode::exclusive);
    if (!detached) uncount_worker();
    server::unlock(pgt::sched::shared->lock);
}

/// Until when (unix ms) a worker idle since `idle_since` waits for a refresh: 10 s, or until its
/// database's next refresh where that is due within 5 minutes and no other database's scheduler
/// lately found the cluster's workers all taken.
std::int64_t idle_until(std::int64_t idle_since) {
    using namespace pgt::sched;
    namespace server = pgt::server;
    const std::int64_t now = now_ms();
    server::lock(shared->lock, server::lock_mode::shared);
    const db_slot& mine = shared->slots[my_index];
    // (A slot that changed hands serves another database: no due time of its for this one.)
    const std::int64_t due = mine.db == server::worker_database() ? mine.next_work_ms : 0;
    std::int64_t wanted = 0;
    for (int i = 0; i < max_databases; ++i)
        if (i != my_index) wanted = std::max(wanted, shared->slots[i].workers_wanted_ms);
    server::unlock(shared->lock);
    const bool kept = due != 0 && due - now <= worker_keep_for_due_ms && now - wanted > workers_wanted_recently_ms;
    // (A second past it: the scheduler queues the refresh at its tick.)
    return std::max(idle_since + worker_idle_exit_ms, kept ? due + 1000 : 0);
}

/// A worker with nothing it may take leaves when its database would still have as many workers
/// as its limit (per_database_worker_quota) allows without it: started while the cluster had
/// spare workers, or before the quota was lowered, it would otherwise keep a worker another
/// database needs. (Judged without it, so that its leaving does not make room for a new one.)
bool leave_if_beyond_limit() {
    using namespace pgt::sched;
    namespace server = pgt::server;
    server::lock(shared->lock, server::lock_mode::exclusive);
    const bool beyond = shared->slots[my_index].queue.workers - 1 >= database_limit(shared->refresh_workers - 1);
    if (beyond) uncount_worker();
    server::unlock(shared->lock);
    return beyond;
}

} // namespace

namespace {

void refresh_worker_main(std::uintptr_t arg) {
    using namespace pgt::sched;
    namespace server = pgt::server;
    const int index = static_cast<int>(arg);
    const server::oid db = server::worker_database();
    server::take_worker_signals();
    server::lock(shared->lock, server::lock_mode::exclusive);
    db_slot* slot = &shared->slots[index];
    // The slot changed hands, or the cluster's budget is spent (schedulers of other databases
    // started workers meanwhile): nothing to do.
    if (slot->db != db || shared->refresh_workers >= pgt::guc::max_dynamic_refresh_workers) {
        server::unlock(shared->lock);
        server::exit_process();
    }
    ++slot->queue.workers;
    ++shared->refresh_workers;
    for (Latch*& l : slot->queue.worker_latches)
        if (!l) {
            l = server::my_latch();
            break;
        }
    server::unlock(shared->lock);
    my_index = index;
    server::before_exit(detach_worker);
    server::connect_to_database(db);
    server::set_application_name("pg_trickle refresh worker");
    std::int64_t idle_since = now_ms();
    while (!server::shutdown_requested()) {
        server::reload_configuration();
        if (auto job = take(slot, server::my_pid())) {
            run_job(slot, *job);
            idle_since = now_ms();
            continue;
        }
        const std::int64_t idle_left = idle_until(idle_since) - now_ms();
        if (idle_left <= 0 || leave_if_beyond_limit()) break;
        server::wait_for_latch(static_cast<long>(std::min<std::int64_t>(idle_left, worker_idle_exit_ms)));
        server::check_for_interrupts();
    }
    server::exit_process();
}

} // namespace

// (Its Datum argument is a uintptr_t.)
extern "C" PGDLLEXPORT void pgt_refresh_worker_main(std::uintptr_t arg);

void pgt_refresh_worker_main(std::uintptr_t arg) { pgt::server::run_worker(refresh_worker_main, arg, "pg_trickle refresh worker"); }
