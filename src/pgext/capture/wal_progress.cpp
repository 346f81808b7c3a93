#include "capture/wal_progress.hpp"

#include <algorithm>

#include <cstring>

#include "pg/condition_variable.hpp"
#include "pg/derived_commit.hpp"
#include "pg/latch.hpp"
#include "pg/process.hpp"
#include "pg/shared_memory.hpp"
#include "pg/spin_lock.hpp"
#include "pg/transactions.hpp"

namespace pgt::ext::wal {

namespace {

constexpr int max_databases = 64;
/// Passes remembered: a refresh waits for one or two, and falls back to decoding itself when
/// more than this many were published while it waited.
constexpr int ring_size = 64;
constexpr int max_writers = static_cast<int>(most_writers_published);

struct database_progress {
    server::oid db;              ///< 0: free
    int decoder_pid;             ///< 0: no decoder
    Latch* decoder_latch;
    std::uint64_t decoded;       ///< everything committed before this position is in the buffers
    std::uint64_t point, next_xid, by; ///< decoded_point's
    int writers;                 ///< its writers_in_progress (-1: unknown)
    std::uint32_t writer[max_writers]; ///< TransactionIds
    std::uint64_t requested;     ///< what waiting refreshes need decoded
    std::uint64_t failed_passes;
    std::uint64_t passes;        ///< passes published with rows (the ring's count)
    std::uint64_t ring[ring_size]; ///< their transactions (full ids), at passes % ring_size
};

struct progress_state {
    server::spin_lock mutex;
    server::condition_variable advanced; ///< broadcast when a pass is published, fails or a decoder leaves
    database_progress databases[max_databases];
};

progress_state* state = nullptr;

void request_shmem() { pg::request_space(sizeof(progress_state)); }

void attach_shmem() {
    bool found = false;
    state = static_cast<progress_state*>(pg::attach_struct("pg_trickle WAL decoding", sizeof(progress_state), found));
    if (!found) {
        std::memset(static_cast<void*>(state), 0, sizeof(progress_state));
        state->mutex.init();
        state->advanced.init();
    }
}

/// Database `db`'s entry (under the mutex); with `create`, a free one is taken.
database_progress* find(server::oid db, bool create) {
    database_progress* free_entry = nullptr;
    for (auto& d : state->databases) {
        if (d.db == db) return &d;
        if (!free_entry && (d.db == 0 || (d.decoder_pid == 0 && create))) free_entry = &d;
    }
    if (!create || !free_entry) return nullptr;
    *free_entry = database_progress{};
    free_entry->db = db;
    return free_entry;
}

/// The pass this transaction publishes when it commits.
struct pending_pass {
    bool set = false, wrote = false;
    std::uint64_t position = 0;    ///< decoded
    std::uint64_t point = 0, next_xid = 0; ///< the decoded_point it makes (0: none)
    int writers = -1;
    std::uint32_t writer[max_writers];
} pending;

/// `d`'s decoded_point becomes this one (under the mutex; `writers` -1: unknown).
void move_point(database_progress& d, std::uint64_t point, std::uint64_t next_xid, std::uint64_t by, int writers,
                const std::uint32_t* writer) {
    d.point = point;
    d.next_xid = next_xid;
    d.by = by;
    d.writers = writers;
    std::copy(writer, writer + std::max(writers, 0), d.writer);
}

/// A transaction that wrote commits: the decoder looks for changes of its sources at once
/// (read without the lock: a stale latch only wakes a process for nothing).
void wake_decoder() {
    for (auto& d : state->databases)
        if (d.db == server::database_oid()) {
            Latch* latch = d.decoder_latch;
            if (d.decoder_pid != 0 && d.decoder_pid != server::my_pid() && latch) server::set_latch(latch);
            return;
        }
}

void at_commit() {
    if (state) {
        const std::uint64_t xid = server::top_full_xid(); // (0: none)
        if (pending.set) {
            state->mutex.lock();
            if (database_progress* d = find(server::database_oid(), true)) {
                d->decoded = std::max(d->decoded, pending.position);
                if (pending.point > d->point) move_point(*d, pending.point, pending.next_xid, xid, pending.writers, pending.writer);
                if (pending.wrote && xid != 0) d->ring[d->passes++ % ring_size] = xid;
            }
            state->mutex.unlock();
            state->advanced.broadcast();
        } else if (xid != 0 && !server::committing_derived_only()) {
            // (A transaction that only refreshed wrote no source.)
            wake_decoder();
        }
    }
    pending = {};
}

/// (An abort or PREPARE: the pass is not published.)
void abandoned() { pending = {}; }

void detach_decoder() {
    state->mutex.lock();
    if (database_progress* d = find(server::database_oid(), false); d && d->decoder_pid == server::my_pid()) {
        d->decoder_pid = 0;
        d->decoder_latch = nullptr;
    }
    state->mutex.unlock();
    state->advanced.broadcast();
}

} // namespace

void install_progress() {
    pg::add_shared_memory(request_shmem, attach_shmem);
    server::on_transaction_end(at_commit, abandoned);
}

bool attach_decoder() {
    if (!state) return false;
    state->mutex.lock();
    database_progress* d = find(server::database_oid(), true);
    const bool taken = d && (d->decoder_pid == 0 || d->decoder_pid == server::my_pid());
    if (taken) {
        d->decoder_pid = server::my_pid();
        d->decoder_latch = server::my_latch();
    }
    state->mutex.unlock();
    if (taken) server::before_exit(detach_decoder);
    return taken;
}

std::uint64_t requested_position() {
    if (!state) return 0;
    state->mutex.lock();
    const database_progress* d = find(server::database_oid(), false);
    const std::uint64_t requested = d && d->requested > d->decoded ? d->requested : 0;
    state->mutex.unlock();
    return requested;
}

void note_failed_pass() {
    if (!state) return;
    state->mutex.lock();
    if (database_progress* d = find(server::database_oid(), false)) ++d->failed_passes;
    state->mutex.unlock();
    state->advanced.broadcast();
}

void publish_at_commit(std::uint64_t position, std::uint64_t next_xid, bool wrote,
                       const std::optional<std::vector<std::uint32_t>>& writers) {
    pending.set = true;
    pending.wrote = pending.wrote || wrote;
    pending.position = std::max(pending.position, position);
    // (A pass that did not decode says nothing of the writers: it makes no point.)
    if (position <= pending.point || !writers || writers->size() > most_writers_published) return;
    pending.point = position;
    pending.next_xid = next_xid;
    pending.writers = static_cast<int>(writers->size());
    std::copy(writers->begin(), writers->end(), pending.writer);
}

int decoder_pid(std::uint32_t db) {
    if (!state) return 0;
    state->mutex.lock();
    const database_progress* d = find(db, false);
    const int pid = d ? d->decoder_pid : 0;
    state->mutex.unlock();
    return pid;
}

std::uint64_t passes_published() {
    if (!state) return 0;
    state->mutex.lock();
    const database_progress* d = find(server::database_oid(), false);
    const std::uint64_t passes = d ? d->passes : 0;
    state->mutex.unlock();
    return passes;
}

std::optional<decoded_point> decoded_now() {
    if (!state) return std::nullopt;
    std::optional<decoded_point> point;
    state->mutex.lock();
    std::uint32_t writer[max_writers];
    int writers = -1;
    if (const database_progress* d = find(server::database_oid(), false); d && d->decoder_pid != 0 && d->point != 0) {
        point = decoded_point{d->point, d->next_xid, d->by, std::nullopt};
        writers = d->writers;
        std::copy(d->writer, d->writer + std::max(writers, 0), writer);
    }
    state->mutex.unlock();
    if (point && writers >= 0) point->writers_in_progress = std::vector<std::uint32_t>(writer, writer + writers);
    return point;
}

std::optional<std::vector<std::uint64_t>> passes_since(std::uint64_t since) {
    if (!state) return std::nullopt;
    std::uint64_t xids[ring_size];
    int count = -1;
    state->mutex.lock();
    if (const database_progress* d = find(server::database_oid(), false); d && d->passes >= since && d->passes - since <= ring_size) {
        count = 0;
        for (std::uint64_t p = since; p < d->passes; ++p) xids[count++] = d->ring[p % ring_size];
    }
    state->mutex.unlock();
    if (count < 0) return std::nullopt;
    return std::vector<std::uint64_t>(xids, xids + count);
}

bool await_decoded(std::uint64_t position) {
    if (!state) return false;
    enum class outcome { waiting, decoded, gone } result = outcome::waiting;
    std::uint64_t failed_at_start = 0;
    bool first = true;
    state->advanced.prepare_to_sleep();
    while (result == outcome::waiting) {
        Latch* wake = nullptr;
        state->mutex.lock();
        database_progress* d = find(server::database_oid(), false);
        if (!d || d->decoder_pid == 0) {
            result = outcome::gone;
        } else if (d->decoded >= position) {
            result = outcome::decoded;
        } else {
            if (first) failed_at_start = d->failed_passes;
            // Two failures: the second began after this request (the first may not have). A
            // decoder working through a large transaction is waited for, however long.
            if (d->failed_passes >= failed_at_start + 2) result = outcome::gone;
            d->requested = std::max(d->requested, position);
            wake = d->decoder_latch;
        }
        state->mutex.unlock();
        first = false;
        if (result != outcome::waiting) break;
        if (wake) server::set_latch(wake);
        state->advanced.sleep(100); // (a cancel is an exception from here)
    }
    server::condition_variable::cancel_sleep();
    return result == outcome::decoded;
}

} // namespace pgt::ext::wal
