#include "pg/async_commits.hpp"

#include "pg/derived_commit.hpp"
#include "pg/guard.hpp"
#include "pg/shared_memory.hpp"
#include "pg/wal_reader.hpp"

extern "C" {
#include <access/transam.h>
#include <access/xact.h>
#include <access/xlog.h>
#include <port/atomics.h>
}

namespace pgt::server::async_commits {

namespace {

struct shared_state {
    /// Transactions between their pre-commit and the end of their commit that may commit
    /// without flushing: one may be visible already, its commit's end not yet published.
    pg_atomic_uint32 committing;
    /// The greatest end of an asynchronous commit's WAL published so far.
    pg_atomic_uint64 greatest_end;
};

shared_state* shared = nullptr;
/// Whether this process's transaction is counted in `committing`.
bool counted = false;

void request() { pg::request_space(sizeof(shared_state)); }

void attach() {
    bool found = false;
    shared = static_cast<shared_state*>(pg::attach_struct("pg_trickle asynchronous commits", sizeof(shared_state), found));
    if (!found) {
        pg_atomic_init_u32(&shared->committing, 0);
        pg_atomic_init_u64(&shared->greatest_end, 0);
    }
}

void publish(XLogRecPtr end) {
    uint64 seen = pg_atomic_read_u64(&shared->greatest_end);
    while (seen < end && !pg_atomic_compare_exchange_u64(&shared->greatest_end, &seen, end)) {
    }
}

void uncount() {
    if (!counted) return;
    counted = false;
    pg_atomic_fetch_sub_u32(&shared->committing, 1);
}

/// Counted from the pre-commit (before the commit becomes visible) to its end (after its WAL's
/// end is published). Only synchronous_commit = off lets a commit be visible unflushed; the
/// setting read here is the one the commit uses unless a callback running after this one
/// changes it (derived_commit's runs before).
void on_transaction(XactEvent event, void*) {
    if (!shared) return;
    switch (event) {
    case XACT_EVENT_PRE_COMMIT:
        if (FullTransactionIdIsValid(GetTopFullTransactionIdIfAny()) && synchronous_commit <= SYNCHRONOUS_COMMIT_OFF &&
            !committing_derived_only()) {
            counted = true;
            pg_atomic_fetch_add_u32(&shared->committing, 1);
        }
        break;
    case XACT_EVENT_COMMIT:
        if (counted && XactLastCommitEnd > GetFlushRecPtr(nullptr)) publish(XactLastCommitEnd);
        uncount();
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PREPARE:
        uncount();
        break;
    default:
        break;
    }
}

} // namespace

void install() {
    pg::add_shared_memory(request, attach);
    RegisterXactCallback(on_transaction, nullptr);
}

std::uint64_t flush_visible_commits() {
    if (!shared) return flush_inserted_wal();
    // (The caller's snapshot was taken under the ProcArray lock: a commit it sees was counted
    // before it became visible, and is uncounted only after its end was published.)
    pg_memory_barrier();
    if (pg_atomic_read_u32(&shared->committing) > 0) return flush_inserted_wal();
    pg_read_barrier();
    const XLogRecPtr end = pg_atomic_read_u64(&shared->greatest_end);
    return pg::call([&] {
        if (end > GetFlushRecPtr(nullptr)) XLogFlush(end);
        return GetFlushRecPtr(nullptr);
    });
}

} // namespace pgt::server::async_commits
