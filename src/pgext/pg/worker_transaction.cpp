#include "pg/worker_transaction.hpp"

#include "pgt/error.hpp"

#include "pg/guard.hpp"
#include "pg/spi.hpp"

extern "C" {
#include <access/xact.h>
#include <commands/extension.h>
#include <replication/slot.h>
#include <utils/snapmgr.h>
}

namespace pgt::server {

std::optional<transaction_failure> run_transaction(const std::function<void()>& work) {
    std::optional<transaction_failure> failed;
    auto run = [&]() -> bool {
        try {
            spi::session spi;
            work();
            return true;
        } catch (const error& e) {
            // (A code that is not a SQLSTATE is a bug, reported as one: XX000, as pg::invoke does.)
            failed = transaction_failure{e.code().size() == 5 ? e.code() : sqlstate::internal_error, e.what()};
            return false;
        } catch (const std::exception& e) {
            failed = transaction_failure{sqlstate::internal_error, e.what()};
            return false;
        }
    };
    MemoryContext context = CurrentMemoryContext;
    // A background worker has no client loop to set it: without this, now() would stay at the
    // worker's start time.
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    bool ok = false;
    PG_TRY();
    {
        ok = run();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData* edata = CopyErrorData();
        FlushErrorState();
        failed = transaction_failure{pg::sqlstate_text(edata->sqlerrcode), edata->message ? edata->message : "unknown error"};
        FreeErrorData(edata);
        ok = false;
    }
    PG_END_TRY();
    if (ok) {
        PopActiveSnapshot();
        CommitTransactionCommand();
    } else {
        AbortCurrentTransaction();
        // As a backend's error recovery does: a slot being made or read is let go.
        if (MyReplicationSlot != nullptr) ReplicationSlotRelease();
#if PG_VERSION_NUM >= 170000
        ReplicationSlotCleanup(false);
#else
        ReplicationSlotCleanup();
#endif
    }
    MemoryContextSwitchTo(context);
    return failed;
}

bool pg_trickle_installed_now() {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    const bool present = OidIsValid(get_extension_oid("pg_trickle", true));
    CommitTransactionCommand();
    return present;
}

} // namespace pgt::server
