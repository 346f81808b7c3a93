#include "pg/last_writers.hpp"

#include "pg/guard.hpp"
#include "pg/shared_memory.hpp"

extern "C" {
#include <access/transam.h>
#include <access/xact.h>
#include <storage/ipc.h>
#include <storage/lwlock.h>
#include <storage/procarray.h>
#include <storage/shmem.h>
#include <utils/hsearch.h>
}

namespace pgt::server::last_writers {

namespace {

/// Hashed and compared as bytes (HASH_BLOBS): no padding, whose bytes a braced initializer
/// leaves undefined (an Oid before an int64 left four, and lookups missed the recorded entry).
struct key {
    int64 database;
    int64 id;
};
static_assert(sizeof(key) == 2 * sizeof(int64));
struct entry {
    key k;
    uint64 last; ///< FullTransactionId of the last changer
};

/// Objects whose last changer is remembered at once.
constexpr long capacity = 16384;
constexpr const char* tranche = "pg_trickle maintainers";

HTAB* table = nullptr;
LWLock* table_lock = nullptr;
void request() {
    RequestAddinShmemSpace(hash_estimate_size(capacity, sizeof(entry)));
    RequestNamedLWLockTranche(tranche, 1);
}

void attach() {
    HASHCTL info{};
    info.keysize = sizeof(key);
    info.entrysize = sizeof(entry);
    table = ShmemInitHash("pg_trickle maintainers", capacity, capacity, &info, HASH_ELEM | HASH_BLOBS);
    table_lock = &GetNamedLWLockTranche(tranche)->lock;
}

/// Drops the entries whose transaction every snapshot sees (or saw abort): they can no longer
/// make anyone fail. Called with the lock held exclusively, when the table is full.
void forget_settled() {
    const TransactionId horizon = GetOldestNonRemovableTransactionId(nullptr);
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, table);
    while (auto* e = static_cast<entry*>(hash_seq_search(&scan)))
        if (TransactionIdPrecedes(XidFromFullTransactionId(FullTransactionIdFromU64(e->last)), horizon))
            hash_search(table, &e->k, HASH_REMOVE, nullptr);
}

} // namespace

void reserve() { pg::add_shared_memory(request, attach); }

bool available() { return table != nullptr; }

bool changed_unseen(long long id) {
    return pg::call([&] {
        const key k{MyDatabaseId, id};
        LWLockAcquire(table_lock, LW_SHARED);
        auto* e = static_cast<entry*>(hash_search(table, &k, HASH_FIND, nullptr));
        const uint64 last = e ? e->last : 0;
        LWLockRelease(table_lock);
        const FullTransactionId other = FullTransactionIdFromU64(last);
        const TransactionId xid = XidFromFullTransactionId(other);
        return e && !FullTransactionIdEquals(other, GetTopFullTransactionId()) && TransactionIdIsNormal(xid) &&
               XidInMVCCSnapshot(xid, GetTransactionSnapshot()) && TransactionIdDidCommit(xid);
    });
}

void record(long long id) {
    pg::call([&] {
        const key k{MyDatabaseId, id};
        const FullTransactionId me = GetTopFullTransactionId();
        LWLockAcquire(table_lock, LW_EXCLUSIVE);
        bool found = false;
        auto* e = static_cast<entry*>(hash_search(table, &k, HASH_ENTER_NULL, &found));
        if (!e) {
            forget_settled();
            e = static_cast<entry*>(hash_search(table, &k, HASH_ENTER_NULL, &found));
        }
        if (e) e->last = U64FromFullTransactionId(me);
        LWLockRelease(table_lock);
        if (!e)
            ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                            errmsg("pg_trickle: more than %ld IMMEDIATE stream tables changed by transactions still in view", capacity)));
    });
}

} // namespace pgt::server::last_writers
