#include "scheduler/drop_database.hpp"

#include "capture/wal_progress.hpp"
#include "pg/drop_database_hook.hpp"
#include "pg/latch.hpp"
#include "pg/lwlock.hpp"
#include "pg/process.hpp"
#include "scheduler/internal.hpp"

namespace pgt::sched {

namespace {

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
worker_pids hold_workers(server::oid db) {
    worker_pids w{{}, 0};
    server::lock(shared->lock, server::lock_mode::exclusive);
    if (db_slot* slot = find_slot(db, false)) {
        slot->held_until_ms = now_ms() + hold_ms;
        if (slot->pid != 0) w.pid[w.count++] = slot->pid;
        for (Latch* l : slot->queue.worker_latches)
            if (l && server::latch_owner(l) != 0) w.pid[w.count++] = server::latch_owner(l);
    }
    server::unlock(shared->lock);
    if (const int decoder = ext::wal::decoder_pid(db)) w.pid[w.count++] = decoder;
    return w;
}

/// Ends `db`'s workers (as pg_terminate_backend does) and waits until they are gone. They are
/// looked for again each time: one that showed itself meanwhile (a WAL decoder its scheduler
/// asked for just before it ended) is ended too.
void end_workers(server::oid db) {
    for (int waited = 0; waited < wait_ms; waited += 10) {
        const worker_pids w = hold_workers(db);
        bool alive = false;
        for (int i = 0; i < w.count; ++i) {
            if (!server::backend_alive(w.pid[i])) continue;
            alive = true;
            server::terminate_backend(w.pid[i]);
        }
        if (!alive) return;
        server::check_for_interrupts();
        server::sleep_ms(10);
    }
}

} // namespace

void install_drop_database_hook() { server::before_drop_database(end_workers); }

} // namespace pgt::sched
