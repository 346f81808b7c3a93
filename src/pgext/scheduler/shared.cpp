#include "scheduler/shared.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "pg/latch.hpp"
#include "pg/lwlock.hpp"
#include "pg/process.hpp"
#include "pg/shared_memory.hpp"
#include "pg/transactions.hpp"
#include "scheduler/internal.hpp"

namespace pgt::sched {

namespace {

bool wake_at_commit = false;
bool buffers_left = false;
bool rescan_at_commit = false;
/// The sources whose changes this transaction captured (any_source_at_commit: something else
/// changed, or more sources than are listed one by one).
std::vector<unsigned> sources_at_commit;
bool any_source_at_commit = false;
constexpr std::size_t sources_listed = 8;

/// Tells the scheduler of `slot` that `relid` changed (0: anything may have).
void publish_changed_source(db_slot& slot, unsigned relid) {
    const std::uint64_t n = slot.changed_sources_seq.fetch_add(1) + 1;
    slot.changed_sources[n % changed_sources_kept].store((n << 32) | relid);
}

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
        for (auto& s : shared->slots) init_counters(s);
    }
}

/// Wake-ups are sent at commit: before it, a scheduler or the launcher would not see the
/// changes (or the new extension) yet.
/// (A prepared transaction commits later, elsewhere (COMMIT PREPARED), unannounced: its
/// PREPARE wakes the scheduler, which then looks at every stream table again at each tick, a
/// second apart, while the database has prepared transactions: quiet_tables.)
void abandoned() {
    wake_at_commit = rescan_at_commit = any_source_at_commit = buffers_left = false;
    sources_at_commit.clear();
}

void at_commit() {
    if (!shared) return;
    Latch* wake = nullptr;
    if (wake_at_commit) {
        // Counted under the lock: a scheduler going dormant compares the counter under it too,
        // so either it sees this commit and stays, or this sees it dormant and wakes the launcher.
        server::lock(shared->lock, server::lock_mode::shared);
        if (db_slot* slot = find_slot(server::database_oid(), false)) {
            slot->changes.add(1);
            if (any_source_at_commit || sources_at_commit.empty())
                publish_changed_source(*slot, 0);
            else
                for (unsigned relid : sources_at_commit) publish_changed_source(*slot, relid);
            // No scheduler attached (dormant, or it ended): the launcher starts one.
            wake = slot->latch ? slot->latch : shared->launcher_latch;
        }
        server::unlock(shared->lock);
    }
    if (buffers_left) {
        server::lock(shared->lock, server::lock_mode::shared);
        if (db_slot* slot = find_slot(server::database_oid(), false); slot && slot->latch) {
            slot->buffers_left.add(1);
            if (!wake) wake = slot->latch;
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
    abandoned();
}

void at_prepare() {
    rescan_at_commit = false;
    if (wake_at_commit) any_source_at_commit = true;
    at_commit();
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
    init_counters(*take);
    return take;
}

void install_shared_state() {
    pg::add_shared_memory(request_shmem, attach_shmem);
    server::on_transaction_end(at_commit, abandoned, at_prepare);
}

bool shared_state_available() { return shared != nullptr; }

void init_counters(db_slot& slot) {
    slot.changes.init();
    slot.changed_sources_seq.init();
    slot.buffers_left.init();
    for (auto& c : slot.changed_sources) c.init();
}

void buffers_left_at_commit() { buffers_left = true; }

void wake_scheduler_at_commit() { wake_at_commit = any_source_at_commit = true; }

void source_changed_at_commit(unsigned relid) {
    wake_at_commit = true;
    if (std::find(sources_at_commit.begin(), sources_at_commit.end(), relid) != sources_at_commit.end()) return;
    if (sources_at_commit.size() == sources_listed)
        any_source_at_commit = true;
    else
        sources_at_commit.push_back(relid);
}

changed_sources take_changed_sources(db_slot& slot, std::uint64_t& seen) {
    changed_sources c;
    const std::uint64_t last = slot.changed_sources_seq.read_fenced();
    c.any = last - seen > changed_sources_kept;
    for (std::uint64_t n = seen + 1; !c.any && n <= last; ++n) {
        const std::uint64_t entry = slot.changed_sources[n % changed_sources_kept].read_fenced();
        // (Not yet written by the commit that took n, or already overwritten: any.)
        const auto relid = static_cast<unsigned>(entry & 0xffffffffU);
        c.any = (entry >> 32) != (n & 0xffffffffU) || relid == 0;
        c.relids.push_back(relid);
    }
    seen = last;
    return c;
}

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
