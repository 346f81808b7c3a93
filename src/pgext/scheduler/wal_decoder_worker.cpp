#include "scheduler/wal_decoder_worker.hpp"

#include <string>

#include "capture/wal_capture.hpp"
#include "capture/wal_progress.hpp"
#include "pg/function.hpp"
#include "pg/wal_reader.hpp"
#include "scheduler/internal.hpp"
#include "scheduler/shared.hpp"
#include "scheduler/transactions.hpp"

extern "C" {
#include <commands/extension.h>
#include <miscadmin.h>
#include <pgstat.h>
#include <postmaster/bgworker.h>
#include <postmaster/interrupt.h>
#include <storage/ipc.h>
#include <storage/latch.h>
#include <utils/guc.h>
}

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
    pid_t pid = 0;
    if (started && GetBackgroundWorkerPid(started, &pid) != BGWH_STOPPED) return;
    if (started) pfree(started);
    started = nullptr;
    const std::string name = "pg_trickle WAL decoder (database " + std::to_string(slot->db) + ")";
    BackgroundWorker worker = pg_trickle_worker("pgt_wal_decoder_main", "pg_trickle WAL decoder", name.c_str(), BGW_NEVER_RESTART);
    memcpy(worker.bgw_extra, &slot->db, sizeof(Oid));
    worker.bgw_notify_pid = 0;
    MemoryContext previous = MemoryContextSwitchTo(TopMemoryContext); // kept across ticks
    // (Without a free worker slot, the scheduler decodes, as refreshes do when none answers.)
    (void)RegisterDynamicBackgroundWorker(&worker, &started);
    MemoryContextSwitchTo(previous);
}

namespace {

/// One pass; false when it failed or could not run.
bool decode_once() {
    bool decoded = false;
    const auto failed = in_transaction([&] {
        const auto rows = ext::wal::decoder_pass();
        decoded = rows.has_value();
        // Rows decoded count as a commit's: the scheduler looks for refreshes to do.
        if (rows && *rows > 0) wake_scheduler_at_commit();
    });
    if (failed) ereport(LOG, (errmsg("pg_trickle: WAL decoding: %s: %s", failed->sqlstate.c_str(), failed->message.c_str())));
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
            in_use = OidIsValid(get_extension_oid("pg_trickle", true)) && ext::wal::in_use();
        }))
        return true; // asked again later
    return in_use;
}

void wal_decoder_main(Datum) {
    Oid db = InvalidOid;
    memcpy(&db, MyBgworkerEntry->bgw_extra, sizeof(Oid));
    take_worker_signals();
    BackgroundWorkerInitializeConnectionByOid(db, InvalidOid, 0);
    pgstat_report_appname("pg_trickle WAL decoder");
    // Asked for by a scheduler just before DROP DATABASE ended it: the drop waits for this one.
    if (workers_held(db)) proc_exit(0);
    if (!ext::wal::attach_decoder()) proc_exit(0); // another one decodes
    std::int64_t next_check = 0;
    while (!ShutdownRequestPending) {
        CHECK_FOR_INTERRUPTS();
        reload_configuration();
        const std::int64_t now = now_ms();
        if (now >= next_check) {
            if (!capture_in_use()) break; // (also when the extension is gone)
            next_check = now + in_use_check_ms;
        }
        const bool ok = decode_once();
        const std::int64_t passed = now_ms();
        // A refresh waiting for more: at once.
        if (ok && ext::wal::requested_position() != 0) continue;
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ok ? poll_ms : retry_ms, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        // Woken by a commit soon after a pass: the commits of the next few milliseconds wait
        // for the same pass, unless a refresh asks.
        for (std::int64_t left = passed + commit_wake_gap_ms - now_ms(); left > 0 && ext::wal::requested_position() == 0;
             left = passed + commit_wake_gap_ms - now_ms()) {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, left, PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
        }
    }
    proc_exit(0);
}

} // namespace

} // namespace pgt::sched

extern "C" PGDLLEXPORT void pgt_wal_decoder_main(Datum arg);

void pgt_wal_decoder_main(Datum arg) { pgt::pg::invoke_worker(pgt::sched::wal_decoder_main, arg, "pg_trickle WAL decoder"); }
