// The launcher: one background worker per cluster that starts a scheduler for every database
// with pg_trickle installed. It lists databases itself (pg_database is a shared catalog), so
// new databases and CREATE EXTENSION are picked up without a restart: every 10 s, or at once
// when CREATE EXTENSION asks for a scheduler. A database without the extension is probed again
// after 30 s. A scheduler that went dormant (idle) is restarted when its database commits
// captured changes or when its next work is due (the time it left in its slot).
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pg/background_worker.hpp"
#include "pg/databases.hpp"
#include "pg/notices.hpp"
#include "pg/process.hpp"
#include "scheduler/internal.hpp"
#include "scheduler/workers.hpp"

namespace pgt::sched {

namespace {

/// The schedulers this launcher started (a handle tells whether one still runs).
std::map<server::oid, BackgroundWorkerHandle*> started;

/// Databases found without the extension, and since when (unix ms): probed again after 30 s.
/// Kept here rather than in shared memory, whose slots are for databases with schedulers.
std::map<server::oid, std::int64_t> absent_since;

/// Databases already reported as getting no slot (the warning is given once).
std::set<server::oid> reported_full;

/// When starting a worker last failed (no background worker slot), unix ms: the launcher
/// retries after 10 s, not at every commit that asks for a scheduler.
std::int64_t start_failed_at = 0;
constexpr std::int64_t start_retry_ms = 10000;

bool running(server::oid db) {
    auto it = started.find(db);
    if (it == started.end()) return false;
    if (!server::worker_stopped(it->second)) return true;
    server::forget_worker(it->second);
    started.erase(it);
    return false;
}

bool start_scheduler(server::oid db) {
    if (now_ms() - start_failed_at < start_retry_ms) return false;
    server::worker_spec worker{"pgt_scheduler_main", "pg_trickle scheduler",
                               "pg_trickle scheduler (database " + std::to_string(db) + ")", server::never_restart};
    worker.main_arg = db;
    worker.notify_me = true;
    BackgroundWorkerHandle* handle = server::start_worker(worker);
    if (!handle) {
        start_failed_at = now_ms();
        server::log("pg_trickle: could not start a scheduler for database " + std::to_string(db) +
                    ": no background worker slot (raise max_worker_processes); retrying in 10 s");
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
void free_departed_slots(const std::set<server::oid>& present) {
    for (auto& s : shared->slots) {
        if (s.db == 0 || s.pid != 0 || running(s.db)) continue;
        if (!present.contains(s.db)) {
            s.db = 0;
        } else if (s.absent_since_ms != 0 && !s.requested) {
            absent_since[s.db] = s.absent_since_ms;
            s.db = 0;
        }
    }
}

/// Frees the slots of dropped databases and of databases found without the extension, then
/// starts the missing schedulers: requested databases first (CREATE EXTENSION committed there),
/// then dormant ones that are due or had a commit, then probes of databases not known to lack
/// the extension (or found without it more than 30 s ago).
scan_result scan() {
    const auto dbs = server::connectable_databases();
    const std::int64_t now = now_ms();
    std::set<server::oid> present;
    for (const auto& d : dbs) present.insert(d.id);
    std::erase_if(absent_since, [&](const auto& a) { return !present.contains(a.first); });
    std::erase_if(reported_full, [&](server::oid db) { return !present.contains(db); });

    scan_result r;
    std::vector<server::oid> requested, woken, probes;
    server::lock(shared->lock, server::lock_mode::exclusive);
    // It has the extension now: no longer one that is quietly left without a slot (below).
    absent_since.erase(shared->unserved);
    shared->unserved = 0;
    free_departed_slots(present);
    for (const auto& d : dbs) {
        db_slot* slot = find_slot(d.id, false);
        // A slot (requested, serving, dormant, or left by a scheduler that ended) means the
        // extension is there, whatever an earlier probe found.
        if (slot) absent_since.erase(d.id);
        if (slot && slot->held_until_ms > now) continue; // being dropped (drop_database.cpp)
        if (running(d.id) || (slot && slot->pid != 0)) {
            // A scheduler that attached before the request may have looked before the commit:
            // once it ends, another is started. One that serves needs nothing more.
            if (slot && slot->requested) {
                if (slot->serving)
                    slot->requested = false;
                else
                    r.again |= running(d.id);
            }
        } else if (slot && slot->requested) {
            requested.push_back(d.id);
        } else if (slot && slot->dormant) {
            if ((slot->wake_at_ms != 0 && slot->wake_at_ms <= now) ||
                slot->changes.read() != slot->dormant_changes)
                woken.push_back(d.id);
            else if (slot->wake_at_ms != 0)
                r.wake_at = r.wake_at == 0 ? slot->wake_at_ms : std::min(r.wake_at, slot->wake_at_ms);
        } else if (auto a = absent_since.find(d.id); a != absent_since.end() && now - a->second < 30000) {
            // probed recently
        } else if (slot || find_slot(d.id, true)) {
            reported_full.erase(d.id);
            probes.push_back(d.id);
        } else if (a != absent_since.end()) {
            // Without the extension when last probed: it waits for a slot without a warning.
        } else if (full_of_schedulers() && reported_full.insert(d.id).second) {
            server::warning("pg_trickle: database \"" + d.name + "\" gets no scheduler: shared memory tracks at most " +
                            std::to_string(max_databases) + " databases with a scheduler");
        }
    }
    server::unlock(shared->lock);

    // After the first failure the others would fail as well; they are tried at the next scan.
    bool failed = false;
    for (server::oid db : requested) {
        failed = failed || !start_scheduler(db);
        r.again |= failed;
    }
    for (server::oid db : woken) failed = failed || !start_scheduler(db);
    std::vector<server::oid> not_started;
    for (server::oid db : probes) {
        failed = failed || !start_scheduler(db);
        if (failed) not_started.push_back(db);
    }
    if (!not_started.empty()) {
        // A probe that did not start gives its slot back.
        server::lock(shared->lock, server::lock_mode::exclusive);
        for (server::oid db : not_started)
            if (db_slot* slot = find_slot(db, false); slot && slot->pid == 0 && !slot->requested) slot->db = 0;
        server::unlock(shared->lock);
    }
    return r;
}

} // namespace

void register_launcher() {
    server::register_worker({"pgt_launcher_main", "pg_trickle launcher", "pg_trickle launcher", 5});
}

} // namespace pgt::sched

namespace {

void launcher_main(std::uintptr_t) {
    using namespace pgt::sched;
    namespace server = pgt::server;
    server::take_worker_signals();
    server::connect_to_database(0);
    server::lock(shared->lock, server::lock_mode::exclusive);
    shared->launcher_pid = server::my_pid();
    shared->launcher_latch = server::my_latch();
    server::unlock(shared->lock);

    while (!server::shutdown_requested()) {
        server::reload_configuration();
        const scan_result r = scan();
        // Every 10 s, sooner when a dormant scheduler is due; a set latch (a commit for a dormant
        // scheduler, CREATE EXTENSION) cuts the wait short.
        long timeout = 10000;
        if (r.again) timeout = 200;
        if (r.wake_at != 0) timeout = std::clamp<long>(static_cast<long>(r.wake_at - now_ms()), 1, timeout);
        server::wait_for_latch(timeout);
        server::check_for_interrupts();
    }
    server::lock(shared->lock, server::lock_mode::exclusive);
    shared->launcher_pid = 0;
    shared->launcher_latch = nullptr;
    server::unlock(shared->lock);
    server::exit_process();
}

} // namespace

// (Its Datum argument is a uintptr_t.)
extern "C" PGDLLEXPORT void pgt_launcher_main(std::uintptr_t arg);

void pgt_launcher_main(std::uintptr_t arg) { pgt::server::run_worker(launcher_main, arg, "pg_trickle launcher"); }
