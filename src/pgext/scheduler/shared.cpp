#include "scheduler/shared.hpp"

#include <cstring>

#include "pg/latch.hpp"
#include "pg/lwlock.hpp"
#include "pg/process.hpp"
#include "pg/shared_memory.hpp"
#include "pg/transactions.hpp"
#include "scheduler/internal.hpp"

namespace pgt::sched {

namespace {

bool wake_at_commit = false;
bool rescan_at_commit = false;

void request_shmem() {
    pg::request_space(sizeof(shared_state));
    server::request_named_lock("pg_trickle");
}

void attach_shmem() {
    bool found = false;
    shared = static_cast<shared_state*>(pg::attach_struct("pg_trickle", sizeof(shared_state), found));
    if (!found) {
        std::memset(static_cast<void*>(shared), 0, sizeof(shared_state));
        shared->lock = server::named_lock("pg_trickle");
        for (auto& s : shared->slots) s.changes.init();
    }
}

/// Wake-ups are sent at commit: before it, a scheduler or the launcher would not see the
/// changes (or the new extension) yet.
/// (A prepared transaction commits later, elsewhere (COMMIT PREPARED): the scheduler finds its
/// changes at its next look, not through this backend's next commit.)
void abandoned() { wake_at_commit = rescan_at_commit = false; }

void at_commit() {
    if (!shared) return;
    Latch* wake = nullptr;
    if (wake_at_commit) {
        // Counted under the lock: a scheduler going dormant compares the counter under it too,
        // so either it sees this commit and stays, or this sees it dormant and wakes the launcher.
        server::lock(shared->lock, server::lock_mode::shared);
        if (db_slot* slot = find_slot(server::database_oid(), false)) {
            slot->changes.add(1);
            // No scheduler attached (dormant, or it ended): the launcher starts one.
            wake = slot->latch ? slot->latch : shared->launcher_latch;
        }
        server::unlock(shared->lock);
    }
    if (rescan_at_commit) {
        // The launcher starts requested databases before probing the others. With no free slot
        // the database waits for its turn among the probes, and the launcher reports it.
        server::lock(shared->lock, server::lock_mode::exclusive);
        if (db_slot* slot = find_slot(server::database_oid(), true))
            slot->requested = true;
        else
            shared->unserved = server::database_oid();
        Latch* launcher = shared->launcher_latch;
        server::unlock(shared->lock);
        if (launcher) server::set_latch(launcher);
    }
    if (wake) server::set_latch(wake);
    wake_at_commit = rescan_at_commit = false;
}

} // namespace

shared_state* shared = nullptr;

std::int64_t now_ms() { return server::now_unix_ms(); }

bool workers_held(std::uint32_t db) {
    server::lock(shared->lock, server::lock_mode::shared);
    const db_slot* slot = find_slot(db, false);
    const bool held = slot && slot->held_until_ms > now_ms();
    server::unlock(shared->lock);
    return held;
}

db_slot* find_slot(std::uint32_t db, bool create) {
    for (auto& s : shared->slots)
        if (s.db == db) return &s;
    if (!create) return nullptr;
    // A free slot, else one of a database found without the extension, which the launcher would
    // free at its next scan anyway.
    db_slot* take = nullptr;
    for (auto& s : shared->slots)
        if (s.db == 0) {
            take = &s;
            break;
        } else if (!take && s.absent_since_ms != 0 && s.pid == 0 && !s.requested) {
            take = &s;
        }
    if (!take) return nullptr;
    // A reused slot keeps nothing of its previous database.
    *take = db_slot{};
    take->db = db;
    take->changes.init();
    return take;
}

void install_shared_state() {
    pg::add_shared_memory(request_shmem, attach_shmem);
    server::on_transaction_end(at_commit, abandoned);
}

bool shared_state_available() { return shared != nullptr; }

void wake_scheduler_at_commit() { wake_at_commit = true; }

void request_rescan() { rescan_at_commit = true; }

scheduler_state scheduler_of(std::uint32_t db) {
    scheduler_state st;
    if (!shared) return st;
    server::lock(shared->lock, server::lock_mode::shared);
    if (db_slot* s = find_slot(db, false)) {
        st.running = s->pid != 0;
        st.dormant = s->dormant;
        st.pid = s->pid;
        st.last_tick_ms = s->last_tick_ms;
    }
    server::unlock(shared->lock);
    return st;
}

} // namespace pgt::sched
