// The scheduler of one database. Between ticks it sleeps on its latch, which a committing
// backend sets when it captured changes. After 30 s with nothing to do it exits (so that it
// does not block DROP DATABASE), leaving the time of its next work in its slot: the launcher
// restarts it then, or at the next commit with captured changes. A tick refreshes, upstream
// first, every due stream table and the stream tables it reads (pgt/refresh_order.hpp), up to
// pg_trickle.max_concurrent_refreshes at once (scheduler/refresh_workers.hpp), each refresh in
// transactions of its own (scheduler/refresh_job.hpp). Other stream tables keep refreshing
// when one fails; a failing one backs off exponentially.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "pgt/error.hpp"
#include "pgt/refresh_order.hpp"
#include "pgt/schedule.hpp"

#include "capture/wal_capture.hpp"
#include "catalog/schedules.hpp"
#include "pg/background_worker.hpp"
#include "pg/latch.hpp"
#include "pg/lwlock.hpp"
#include "pg/notices.hpp"
#include "pg/process.hpp"
#include "pg/wal.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/worker_transaction.hpp"
#include "refresh/buffer_emptying.hpp"
#include "refresh/refresh.hpp"
#include "scheduler/auto_restore.hpp"
#include "scheduler/internal.hpp"
#include "scheduler/quiet_tables.hpp"
#include "scheduler/refresh_workers.hpp"
#include "scheduler/transactions.hpp"
#include "scheduler/wal_decoder_worker.hpp"

namespace pgt::sched {

namespace {

db_slot* my_slot = nullptr;
quiet_tables quiet;

using catalog_entry = ext::scheduled_table;

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

/// When the scheduler looks again for changes of the stream tables of units that are not hot
/// (watched_units).
std::map<long long, std::int64_t> watched_again_at;

/// When (unix ms) a tick would next refresh something if no change came: a stream table with
/// pending changes is refreshed when it is due or when a stream table reading it (directly or
/// not) is due, since a tick refreshes upstream first, and not before the scheduler looks at
/// it again (its tier, watched_units); one backing off after errors is tried when its back-off
/// ends. `never` if nothing is pending. Stream tables are asked for pending changes soonest
/// first, up to the first that has some.
std::int64_t next_work(const std::vector<catalog_entry>& entries, const std::vector<stream_table_state>& states,
                       std::int64_t now_s) {
    std::map<long long, std::vector<long long>> readers;
    for (const auto& s : states)
        for (long long u : s.upstream) readers[u].push_back(s.id);
    const auto own = due_times(states, guc::default_schedule_seconds);
    // Readers come after what they read in topological order: walk it backwards.
    std::map<long long, std::int64_t> due;
    const auto order = topological_order(states);
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const auto mine = own.find(*it);
        std::int64_t d = mine == own.end() ? never : mine->second * 1000;
        for (long long r : readers[*it])
            if (auto reader = due.find(r); reader != due.end()) d = std::min(d, reader->second); // (not yet: one of its cycle)
        due[*it] = d;
    }
    std::vector<std::pair<std::int64_t, long long>> candidates;
    for (const auto& e : entries) {
        std::int64_t at = never;
        if (e.state.runnable) {
            at = due[e.state.id];
            if (auto r = watched_again_at.find(e.state.id); r != watched_again_at.end()) at = std::max(at, r->second);
        } else if (e.retry_at > now_s) {
            at = e.retry_at * 1000;
        }
        if (at != never) candidates.emplace_back(at, e.state.id);
    }
    std::sort(candidates.begin(), candidates.end());
    std::int64_t next = never;
    in_transaction([&] {
        for (const auto& [at, id] : candidates)
            if (quiet.pending(id)) {
                next = at;
                break;
            }
    });
    return next;
}

/// One tick: queues (or, one at a time, runs) what is due. Returns when (unix ms) there is next work (next_work()).
std::int64_t tick() {
    const std::int64_t now_s = now_ms() / 1000;
    std::vector<catalog_entry> entries;
    std::vector<std::vector<long long>> refresh_groups;
    if (in_transaction([&] {
            entries = ext::load_schedules(now_s);
            refresh_groups = ext::load_refresh_groups();
            quiet.update(*my_slot, entries);
        }))
        return now_ms() + 60000; // try again
    std::vector<stream_table_state> states;
    for (const auto& e : entries) states.push_back(e.state);
    std::vector<std::vector<long long>> units;
    try {
        units = tick_units(states, now_s, guc::default_schedule_seconds, refresh_groups);
    } catch (const error& e) {
        server::log(std::string("pg_trickle: ") + e.what());
        return now_ms() + 60000;
    }
    dispatch(my_slot, watched_units(states, units, now_ms(), guc::default_schedule_seconds, watched_again_at), states, quiet);
    // What is due now was queued, or waits for what was: the end of a refresh brings the next
    // tick (a second at most, in case a worker died without telling).
    std::int64_t next = next_work(entries, states, now_s);
    server::lock(shared->lock, server::lock_mode::exclusive);
    my_slot->next_work_ms = next == never ? 0 : next; // (idle refresh workers stay for it)
    server::unlock(shared->lock);
    if (quiet.watching_prepared()) next = std::min(next, now_ms() + 1000);
    return refreshes_in_flight() ? std::max(next, now_ms() + 1000) : next;
}

/// Marks the RUNNING history rows no refresh is working on any more (those of `still_running`,
/// refreshed by workers a previous scheduler started, are left to them).
void mark_interrupted_refreshes(const std::vector<long long>& still_running) {
    in_transaction([&] {
        spi::exec("UPDATE pgtrickle.pgt_refresh_history SET status = 'FAILED', end_time = now(), error_message = "
                  "'interrupted: the refresh did not finish (server crash, restart, or terminated backend)' "
                  "WHERE status = 'RUNNING' AND pgt_id <> ALL ($1::int8[])",
                  {spi::integer_array(still_running)});
    });
}

void prune_history() {
    in_transaction([] {
        spi::exec("DELETE FROM pgtrickle.pgt_refresh_history WHERE start_time < now() - make_interval(days => $1::int)",
                  {std::to_string(guc::history_retention_days)});
    });
}

bool extension_present() { return server::pg_trickle_installed_now(); }

enum class leaving { absent, shutdown };

void detach(leaving why) {
    server::lock(shared->lock, server::lock_mode::exclusive);
    my_slot->pid = 0;
    my_slot->latch = nullptr;
    my_slot->serving = false;
    my_slot->absent_since_ms = why == leaving::absent ? now_ms() : 0;
    my_slot->dormant = false;
    server::unlock(shared->lock);
}

/// Leaves as dormant, unless a commit came after `seen`: committing backends count under the
/// same lock, so a commit is either seen here or finds the slot dormant and wakes the launcher.
/// The launcher restarts it at `wake_at` (unix ms; `never`: only on a commit).
bool go_dormant(std::uint64_t seen, std::int64_t wake_at) {
    server::lock(shared->lock, server::lock_mode::exclusive);
    const bool idle = my_slot->changes.read() == seen;
    if (idle) {
        my_slot->pid = 0;
        my_slot->latch = nullptr;
        my_slot->serving = false;
        my_slot->absent_since_ms = 0;
        my_slot->dormant = true;
        my_slot->dormant_changes = seen;
        my_slot->wake_at_ms = wake_at == never ? 0 : wake_at;
    }
    server::unlock(shared->lock);
    return idle;
}

/// However the scheduler ends (a FATAL error, DROP DATABASE terminating it …), its slot stops
/// naming it, so the launcher can start another or free the slot.
void release_slot() {
    const bool locked = server::held_by_me(shared->lock);
    if (!locked) server::lock(shared->lock, server::lock_mode::exclusive);
    if (my_slot->pid == server::my_pid()) {
        my_slot->pid = 0;
        my_slot->latch = nullptr;
        my_slot->serving = false;
    }
    if (!locked) server::unlock(shared->lock);
}

/// An idle scheduler leaves, so that it does not hold a connection that blocks DROP DATABASE:
/// idle means no commit woke it for this long and nothing is due within as long.
constexpr std::int64_t idle_exit_ms = 30000;
/// How often the WAL is decoded while sources are captured from it.
constexpr int wal_poll_ms = 200;

/// The least time between the starts of two passes of the loop, after one that took `took_ms`:
/// four times as long, from 10 ms to 100 ms. A pass (a tick and the WAL capture's step) costs
/// about 0.3 ms with a few stream tables; at thousands of commits a second, one pass per commit
/// kept a core busy. Commits arriving meanwhile are seen together by the next pass.
std::int64_t pass_gap(std::int64_t took_ms) { return std::clamp<std::int64_t>(4 * took_ms, 10, 100); }

/// Claims the database's slot and serves it, taking over its queue; leaves (proc_exit) when
/// another scheduler serves it or the extension is gone.
void start_serving(server::oid db) {
    server::lock(shared->lock, server::lock_mode::exclusive);
    my_slot = find_slot(db, true);
    if (!my_slot || (my_slot->pid != 0 && my_slot->pid != server::my_pid())) {
        server::unlock(shared->lock);
        server::exit_process(); // another scheduler serves this database
    }
    my_slot->pid = server::my_pid();
    my_slot->latch = server::my_latch();
    my_slot->absent_since_ms = 0;
    my_slot->dormant = false;
    my_slot->wake_at_ms = 0;
    // Attached after a CREATE EXTENSION's request, it sees that extension: the request is met.
    my_slot->requested = false;
    server::unlock(shared->lock);
    server::before_exit(release_slot);
    if (!extension_present()) {
        // Dropped while no scheduler served the database: its WAL capture slot goes too.
        if (pgt::server::wal_level_logical()) in_transaction([] { pgt::ext::wal::drop_orphan_slot(); });
        detach(leaving::absent);
        server::exit_process();
    }
    server::lock(shared->lock, server::lock_mode::exclusive);
    my_slot->serving = true;
    server::unlock(shared->lock);
    server::set_application_name("pg_trickle scheduler");
    mark_interrupted_refreshes(take_over_queue(my_slot));
}

/// The WAL capture work of one pass: the slot made or dropped, sources switched, the
/// database's WAL decoder started (changes decoded here while it cannot be). Returns whether
/// rows were decoded here; `wal_in_use` tells whether capture goes on.
bool capture_from_wal(bool& wal_in_use) {
    const bool decoded = pgt::ext::wal::background_step([](const std::function<void()>& work) -> std::optional<std::string> {
        const auto failed = in_transaction(work);
        if (!failed) return std::nullopt;
        return failed->sqlstate + ": " + failed->message;
    });
    in_transaction([&] { wal_in_use = pgt::ext::wal::in_use(); });
    if (wal_in_use) ensure_wal_decoder(my_slot);
    return decoded;
}

} // namespace

} // namespace pgt::sched

namespace {

void scheduler_main(std::uintptr_t arg) {
    using namespace pgt::sched;
    namespace server = pgt::server;
    const auto db = static_cast<server::oid>(arg);
    server::take_worker_signals();
    server::connect_to_database(db);
    start_serving(db);

    // (Its first pass looks at the buffers too: a refresh may have left one just before.)
    std::uint64_t seen = ~std::uint64_t{0}, buffers_seen = ~std::uint64_t{0};
    bool wal_in_use = false;
    std::int64_t work_at = never, next_tick = 0, next_prune = 0, next_restore_check = 0, busy_until = now_ms() + idle_exit_ms;
    std::int64_t next_pass_at = 0, retry_buffers_until = 0, buffers_busy_since = 0;
    while (!server::shutdown_requested()) {
        // Woken sooner than pass_gap() after the last pass began (commits coming fast): the rest
        // of the gap first, so that ticks at every commit do not take a core of their own.
        if (const std::int64_t early = next_pass_at - now_ms(); early > 0) server::sleep_ignoring_latch(static_cast<long>(early));
        const std::int64_t pass_start = now_ms();
        server::reload_configuration();
        const std::uint64_t changes = my_slot->changes.read();
        std::int64_t now = now_ms();
        if (!extension_present()) {
            // DROP EXTENSION: its WAL capture slot must not hold WAL back.
            in_transaction([] { pgt::ext::wal::drop_orphan_slot(); });
            detach(leaving::absent);
            server::exit_process();
        }
        // WAL capture: the slot made or dropped, sources switched, changes decoded (whatever
        // pg_trickle.enabled says: capture goes on); decoded changes count as a commit's.
        if (pgt::server::wal_level_logical() || wal_in_use) {
            if (capture_from_wal(wal_in_use)) seen = ~std::uint64_t{0};
            if (wal_in_use) busy_until = now + idle_exit_ms;
        }
        // Definitions pg_restore brought back: restored once the restore is over (it stays
        // awake meanwhile); the tick after reads the stream tables made.
        if (pgt::guc::enabled && now >= next_restore_check) {
            const bool waiting = restore_when_quiet();
            if (waiting) busy_until = now + idle_exit_ms;
            next_restore_check = now + (waiting ? 1000 : 5000);
        }
        // Buffers refreshes left to empty (refresh/buffer_emptying.hpp), whatever
        // pg_trickle.enabled says: it keeps them small.
        // A buffer another transaction had open (the refresh that left it, still releasing its
        // locks) is tried again at the next passes, for a second; one still open after half of
        // it (writers that never leave it alone) has its applied rows deleted.
        if (const std::uint64_t left = my_slot->buffers_left.read(); left != buffers_seen || now < retry_buffers_until) {
            if (left != buffers_seen) retry_buffers_until = now + 1000;
            buffers_seen = left;
            bool busy = false;
            const bool trim_busy = buffers_busy_since != 0 && now - buffers_busy_since >= 500;
            if (const auto failed = in_transaction([&] { busy = pgt::ext::empty_applied_buffers(trim_busy); }))
                server::log("pg_trickle: emptying applied change buffers: " + failed->sqlstate + ": " + failed->message);
            if (!busy) retry_buffers_until = buffers_busy_since = 0;
            else if (buffers_busy_since == 0) buffers_busy_since = now;
        }
        // (A refresh done: what waited for it may be queued now.)
        const bool finished = collect_done(my_slot);
        if (pgt::guc::enabled && (changes != seen || now >= next_tick || finished)) {
            if (changes != seen) busy_until = now + idle_exit_ms;
            seen = changes;
            work_at = tick();
            // Also looks once a minute without a reason, as a safety net.
            next_tick = std::min(work_at, now_ms() + 60000);
        }
        now = now_ms();
        if (refreshes_in_flight()) busy_until = now + idle_exit_ms;
        if (now > busy_until && work_at > now + idle_exit_ms && my_slot->changes.read() == seen &&
            go_dormant(seen, work_at))
            server::exit_process();
        if (now >= next_prune) {
            prune_history();
            next_prune = now + 3600 * 1000;
        }
        now = now_ms();
        my_slot->last_tick_ms = now;
        next_pass_at = pass_start + pass_gap(now - pass_start);
        // Without its WAL decoder (which wakes it when it decodes), the scheduler looks for
        // changes in the WAL itself.
        const std::int64_t longest = wal_in_use ? std::min(pgt::guc::scheduler_interval_ms, wal_poll_ms) : pgt::guc::scheduler_interval_ms;
        const long timeout = static_cast<long>(std::clamp<std::int64_t>(retry_buffers_until > now ? 0 : next_tick - now, 10, longest));
        server::wait_for_latch(timeout);
        server::check_for_interrupts();
    }
    detach(leaving::shutdown);
    server::exit_process();
}

} // namespace

// (Its Datum argument is a uintptr_t.)
extern "C" PGDLLEXPORT void pgt_scheduler_main(std::uintptr_t arg);

void pgt_scheduler_main(std::uintptr_t arg) { pgt::server::run_worker(scheduler_main, arg, "pg_trickle scheduler"); }
