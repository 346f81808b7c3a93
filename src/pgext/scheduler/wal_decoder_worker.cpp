#include "scheduler/wal_decoder_worker.hpp"

#include <string>

#include "capture/wal_capture.hpp"
#include "capture/wal_progress.hpp"
#include "pg/background_worker.hpp"
#include "pg/latch.hpp"
#include "pg/notices.hpp"
#include "pg/process.hpp"
#include "pg/transactions.hpp"
#include "pg/wal_reader.hpp"
#include "scheduler/internal.hpp"
#include "scheduler/shared.hpp"
#include "scheduler/transactions.hpp"

namespace pgt::sched {

namespace {

/// The decoder this scheduler started last (its handle: it may still be starting).
BackgroundWorkerHandle* started = nullptr;

/// How often the decoder looks for new commits when nothing wakes it.
constexpr int poll_ms = 100;
/// Commits wake it at most this often (a refresh asking for changes wakes it at once).
constexpr int commit_wake_gap_ms = 5;
/// After a failed pass, before the next.
constexpr int retry_ms = 50;
/// How often it checks that WAL capture is still in use.
constexpr int in_use_check_ms = 5000;

} // namespace

void ensure_wal_decoder(db_slot* slot) {
    if (ext::wal::decoder_pid(slot->db) != 0) return;
    if (started && !server::worker_stopped(started)) return;
    if (started) server::forget_worker(started);
    started = nullptr;
    server::worker_spec worker{"pgt_wal_decoder_main", "pg_trickle WAL decoder",
                               "pg_trickle WAL decoder (database " + std::to_string(slot->db) + ")", server::never_restart};
    worker.database = slot->db;
    // (Without a free worker slot, the scheduler decodes, as refreshes do when none answers.)
    started = server::start_worker(worker); // (kept across ticks)
}

namespace {

/// One pass; false when it failed or could not run.
bool decode_once() {
    bool decoded = false;
    // (A pass cut short is rolled back: the next decoder reads the same commits again.)
    const auto failed = in_transaction_until_shutdown([&] {
        const auto rows = ext::wal::decoder_pass();
        decoded = rows.has_value();
        // Rows decoded count as a commit's: the scheduler looks for refreshes to do.
        if (rows && *rows > 0) wake_scheduler_at_commit();
    });
    if (failed && !server::shutdown_requested()) server::log("pg_trickle: WAL decoding: " + failed->sqlstate + ": " + failed->message);
    if (failed || !decoded) ext::wal::note_failed_pass();
    // Its commit did not wait for the disk; the refreshes woken by it go on while it waits
    // here, and the next pass (which reads only flushed WAL) does not.
    if (!failed && decoded) (void)server::flush_inserted_wal();
    return !failed && decoded;
}

/// WAL capture goes on in this database (the extension is there and a source uses it).
bool capture_in_use() {
    bool in_use = false;
    if (in_transaction([&] {
            in_use = server::pg_trickle_installed() && ext::wal::in_use();
        }))
        return true; // asked again later
    return in_use;
}

void wal_decoder_main(std::uintptr_t) {
    const server::oid db = server::worker_database();
    server::take_worker_signals();
    server::connect_to_database(db);
    server::set_application_name("pg_trickle WAL decoder");
    // Asked for by a scheduler just before DROP DATABASE ended it: the drop waits for this one.
    if (workers_held(db)) server::exit_process();
    if (!ext::wal::attach_decoder()) server::exit_process(); // another one decodes
    std::int64_t next_check = 0;
    while (!server::shutdown_requested()) {
        server::check_for_interrupts();
        server::reload_configuration();
        const std::int64_t now = now_ms();
        if (now >= next_check) {
            if (!capture_in_use()) break; // (also when the extension is gone)
            next_check = now + in_use_check_ms;
        }
        const bool ok = decode_once();
        const std::int64_t passed = now_ms();
        // A refresh waiting for more: at once.
        if (ok && ext::wal::requested_position() != 0) continue;
        server::wait_for_latch(ok ? poll_ms : retry_ms);
        // Woken by a commit soon after a pass: the commits of the next few milliseconds wait
        // for the same pass, unless a refresh asks.
        for (std::int64_t left = passed + commit_wake_gap_ms - now_ms(); left > 0 && ext::wal::requested_position() == 0;
             left = passed + commit_wake_gap_ms - now_ms()) {
            server::wait_for_latch(left);
        }
    }
    server::exit_process();
}

} // namespace

} // namespace pgt::sched

// (Its Datum argument is a uintptr_t.)
extern "C" PGDLLEXPORT void pgt_wal_decoder_main(std::uintptr_t arg);

void pgt_wal_decoder_main(std::uintptr_t arg) { pgt::server::run_worker(pgt::sched::wal_decoder_main, arg, "pg_trickle WAL decoder"); }
