#include "capture/wal_progress.hpp"

#include <algorithm>

#include "pg/guard.hpp"
#include "pg/shared_memory.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include <access/transam.h>
#include <access/xact.h>
#include <miscadmin.h>
#include <pgstat.h>
#include <storage/condition_variable.h>
#include <storage/ipc.h>
#include <storage/latch.h>
#include <storage/proc.h>
#include <storage/shmem.h>
#include <storage/spin.h>
}

namespace pgt::ext::wal {

namespace {

constexpr int max_databases = 64;
/// Passes remembered: a refresh waits for one or two, and falls back to decoding itself when
/// more than this many were published while it waited.
constexpr int ring_size = 64;
constexpr int max_writers = static_cast<int>(most_writers_published);

struct database_progress {
    Oid db;                      ///< InvalidOid: free
    int decoder_pid;             ///< 0: no decoder
    Latch* decoder_latch;
    std::uint64_t decoded;       ///< everything committed before this position is in the buffers
    std::uint64_t point, next_xid, by; ///< decoded_point's
    int writers;                 ///< its writers_in_progress (-1: unknown)
    TransactionId writer[max_writers];
    std::uint64_t requested;     ///< what waiting refreshes need decoded
    std::uint64_t failed_passes;
    std::uint64_t passes;        ///< passes published with rows (the ring's count)
    std::uint64_t ring[ring_size]; ///< their transactions (full ids), at passes % ring_size
};

struct progress_state {
    slock_t mutex;
    ConditionVariable advanced; ///< broadcast when a pass is published, fails or a decoder leaves
    database_progress databases[max_databases];
};

progress_state* state = nullptr;

void request_shmem() { RequestAddinShmemSpace(sizeof(progress_state)); }

void attach_shmem() {
    bool found = false;
    state = static_cast<progress_state*>(ShmemInitStruct("pg_trickle WAL decoding", sizeof(progress_state), &found));
    if (!found) {
        memset(state, 0, sizeof(progress_state));
        SpinLockInit(&state->mutex);
        ConditionVariableInit(&state->advanced);
    }
}

/// Database `db`'s entry (under the mutex); with `create`, a free one is taken.
database_progress* find(Oid db, bool create) {
    database_progress* free_entry = nullptr;
    for (auto& d : state->databases) {
        if (d.db == db) return &d;
        if (!free_entry && (d.db == InvalidOid || (d.decoder_pid == 0 && create))) free_entry = &d;
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
    TransactionId writer[max_writers];
} pending;

/// A transaction that wrote commits: the decoder looks for changes of its sources at once
/// (read without the lock: a stale latch only wakes a process for nothing).
void wake_decoder() {
    for (auto& d : state->databases)
        if (d.db == MyDatabaseId) {
            Latch* latch = d.decoder_latch;
            if (d.decoder_pid != 0 && d.decoder_pid != MyProcPid && latch) SetLatch(latch);
            return;
        }
}

void at_transaction_end(XactEvent event, void*) {
    if (event == XACT_EVENT_COMMIT && state) {
        const FullTransactionId xid = GetTopFullTransactionIdIfAny();
        if (pending.set) {
            SpinLockAcquire(&state->mutex);
            if (database_progress* d = find(MyDatabaseId, true)) {
                d->decoded = std::max(d->decoded, pending.position);
                if (pending.point > d->point) {
                    d->point = pending.point;
                    d->next_xid = pending.next_xid;
                    d->by = U64FromFullTransactionId(xid);
                    d->writers = pending.writers;
                    std::copy(pending.writer, pending.writer + std::max(pending.writers, 0), d->writer);
                }
                if (pending.wrote && FullTransactionIdIsValid(xid)) d->ring[d->passes++ % ring_size] = U64FromFullTransactionId(xid);
            }
            SpinLockRelease(&state->mutex);
            ConditionVariableBroadcast(&state->advanced);
        } else if (FullTransactionIdIsValid(xid)) {
            wake_decoder();
        }
    }
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE) pending = {};
}

void detach_decoder(int, Datum) {
    SpinLockAcquire(&state->mutex);
    if (database_progress* d = find(MyDatabaseId, false); d && d->decoder_pid == MyProcPid) {
        d->decoder_pid = 0;
        d->decoder_latch = nullptr;
    }
    SpinLockRelease(&state->mutex);
    ConditionVariableBroadcast(&state->advanced);
}

} // namespace

void install_progress() {
    pg::add_shared_memory(request_shmem, attach_shmem);
    RegisterXactCallback(at_transaction_end, nullptr);
}

bool attach_decoder() {
    if (!state) return false;
    SpinLockAcquire(&state->mutex);
    database_progress* d = find(MyDatabaseId, true);
    const bool taken = d && (d->decoder_pid == 0 || d->decoder_pid == MyProcPid);
    if (taken) {
        d->decoder_pid = MyProcPid;
        d->decoder_latch = MyLatch;
    }
    SpinLockRelease(&state->mutex);
    if (taken) before_shmem_exit(detach_decoder, 0);
    return taken;
}

std::uint64_t requested_position() {
    if (!state) return 0;
    SpinLockAcquire(&state->mutex);
    const database_progress* d = find(MyDatabaseId, false);
    const std::uint64_t requested = d && d->requested > d->decoded ? d->requested : 0;
    SpinLockRelease(&state->mutex);
    return requested;
}

void note_failed_pass() {
    if (!state) return;
    SpinLockAcquire(&state->mutex);
    if (database_progress* d = find(MyDatabaseId, false)) ++d->failed_passes;
    SpinLockRelease(&state->mutex);
    ConditionVariableBroadcast(&state->advanced);
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
    SpinLockAcquire(&state->mutex);
    const database_progress* d = find(db, false);
    const int pid = d ? d->decoder_pid : 0;
    SpinLockRelease(&state->mutex);
    return pid;
}

std::uint64_t passes_published() {
    if (!state) return 0;
    SpinLockAcquire(&state->mutex);
    const database_progress* d = find(MyDatabaseId, false);
    const std::uint64_t passes = d ? d->passes : 0;
    SpinLockRelease(&state->mutex);
    return passes;
}

std::optional<decoded_point> decoded_now() {
    if (!state) return std::nullopt;
    std::optional<decoded_point> point;
    SpinLockAcquire(&state->mutex);
    TransactionId writer[max_writers];
    int writers = -1;
    if (const database_progress* d = find(MyDatabaseId, false); d && d->decoder_pid != 0 && d->point != 0) {
        point = decoded_point{d->point, d->next_xid, d->by, std::nullopt};
        writers = d->writers;
        std::copy(d->writer, d->writer + std::max(writers, 0), writer);
    }
    SpinLockRelease(&state->mutex);
    if (point && writers >= 0) point->writers_in_progress = std::vector<std::uint32_t>(writer, writer + writers);
    return point;
}

std::optional<std::vector<std::uint64_t>> passes_since(std::uint64_t since) {
    if (!state) return std::nullopt;
    std::uint64_t xids[ring_size];
    int count = -1;
    SpinLockAcquire(&state->mutex);
    if (const database_progress* d = find(MyDatabaseId, false); d && d->passes >= since && d->passes - since <= ring_size) {
        count = 0;
        for (std::uint64_t p = since; p < d->passes; ++p) xids[count++] = d->ring[p % ring_size];
    }
    SpinLockRelease(&state->mutex);
    if (count < 0) return std::nullopt;
    return std::vector<std::uint64_t>(xids, xids + count);
}

bool await_decoded(std::uint64_t position) {
    if (!state) return false;
    enum class outcome { waiting, decoded, gone } result = outcome::waiting;
    // (Plain data only: a cancel leaves the sleep by longjmp.)
    pg::call([&] {
        std::uint64_t failed_at_start = 0;
        bool first = true;
        ConditionVariablePrepareToSleep(&state->advanced);
        while (result == outcome::waiting) {
            Latch* wake = nullptr;
            SpinLockAcquire(&state->mutex);
            database_progress* d = find(MyDatabaseId, false);
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
            SpinLockRelease(&state->mutex);
            first = false;
            if (result != outcome::waiting) break;
            if (wake) SetLatch(wake);
            (void)ConditionVariableTimedSleep(&state->advanced, 100, PG_WAIT_EXTENSION);
        }
        ConditionVariableCancelSleep();
    });
    return result == outcome::decoded;
}

} // namespace pgt::ext::wal
