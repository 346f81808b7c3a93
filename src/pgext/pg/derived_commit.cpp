#include "pg/derived_commit.hpp"

#include <cstdint>
#include <exception>

#include "pg/transactions.hpp"

extern "C" {
#include <postgres.h>

#include <access/xact.h>
#include <access/xlog.h>
#include <replication/walsender.h>
#include <replication/walsender_private.h>
#include <storage/spin.h>
#include <utils/guc.h>
}

namespace pgt::server {

namespace {

/// The current transaction's derived writes: `transaction` is its number, `derived_only`
/// whether everything it wrote so far was, and `wal_end` where its WAL ended after the last
/// scope (the WAL a backend writes only grows: an end that moved means more was written).
struct derived_state {
    unsigned transaction = 0;
    bool derived_only = false;
    XLogRecPtr wal_end = InvalidXLogRecPtr;
};
derived_state state;
/// The transaction whose commit at_pre_commit made asynchronous: its top-level full id (0:
/// none, or one without an id). Not its local number, which the server clears before it calls
/// the commit's callbacks.
std::uint64_t made_asynchronous = 0;

std::uint64_t top_full_id() { return U64FromFullTransactionId(GetTopFullTransactionIdIfAny()); }

bool in_this_transaction() { return state.transaction == transaction_number(); }

/// Whether a standby or a subscriber streams this server's WAL: it may read a refresh as soon as
/// the call returns (waiting for the LSN the session sees then, or for synchronous replication),
/// which an asynchronous commit would not have sent yet.
bool wal_is_streamed() {
    if (WalSndCtl == nullptr) return false;
    for (int i = 0; i < max_wal_senders; ++i) {
        WalSnd* sender = &WalSndCtl->walsnds[i];
        SpinLockAcquire(&sender->mutex);
        const bool active = sender->pid != 0;
        SpinLockRelease(&sender->mutex);
        if (active) return true;
    }
    return false;
}

void at_pre_commit(XactEvent event, void*) {
    if (event != XACT_EVENT_PRE_COMMIT || !in_this_transaction() || !state.derived_only || XactLastRecEnd != state.wal_end ||
        wal_is_streamed())
        return;
    (void)set_config_option("synchronous_commit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
    made_asynchronous = top_full_id();
    ereport(DEBUG1, (errmsg("pg_trickle: the transaction wrote only stream table refreshes: its commit does not wait for the WAL flush")));
}

} // namespace

derived_writes_scope::derived_writes_scope() {
    if (!in_this_transaction())
        state = {transaction_number(), !transaction_has_xid(), XactLastRecEnd}; // (WAL without an xid is never flushed at commit)
    else if (XactLastRecEnd != state.wal_end)
        state.derived_only = false;
}

derived_writes_scope::~derived_writes_scope() {
    if (std::uncaught_exceptions() > 0)
        state.derived_only = false; // (a subtransaction may roll back and the transaction go on)
    else
        state.wal_end = XactLastRecEnd;
}

bool committing_derived_only() { return made_asynchronous != 0 && made_asynchronous == top_full_id(); }

void install_derived_commit() { RegisterXactCallback(at_pre_commit, nullptr); }

} // namespace pgt::server
