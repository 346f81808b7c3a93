#include "pg/transactions.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <access/xact.h>
#include <access/xlog.h>
#include <commands/extension.h>
#include <storage/proc.h>
#include <utils/guc.h>
}

namespace pgt::server {

#if PG_VERSION_NUM >= 170000
unsigned transaction_number() { return MyProc->vxid.lxid; }
#else
unsigned transaction_number() { return MyProc->lxid; }
#endif

bool in_own_extension_script() {
    return creating_extension && pg::call([] { return get_extension_oid("pg_trickle", true); }) == CurrentExtensionObject;
}

bool pg_trickle_installed() {
    return pg::call([] { return OidIsValid(get_extension_oid("pg_trickle", true)); });
}

namespace {
struct end_callbacks {
    void (*committed)();
    void (*abandoned)();
    void (*prepared)();
};
void transaction_ended(XactEvent event, void* arg) {
    const auto* c = static_cast<const end_callbacks*>(arg);
    if (event == XACT_EVENT_PREPARE && c->prepared) {
        c->prepared();
        return;
    }
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) c->abandoned();
    if (event == XACT_EVENT_COMMIT) c->committed();
}
} // namespace

void on_transaction_end(void (*committed)(), void (*abandoned)(), void (*prepared)()) {
    // One server callback per set, registered now: the server's order among its callbacks
    // (the last registered runs first) stays what it was.
    RegisterXactCallback(transaction_ended, new end_callbacks{committed, abandoned, prepared});
}

namespace {
struct transaction_callbacks {
    void (*before_commit)();
    void (*ended)();
};
void transaction_event(XactEvent event, void* arg) {
    const auto* c = static_cast<const transaction_callbacks*>(arg);
    if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE) c->before_commit();
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
        c->ended();
}
struct subtransaction_callbacks {
    void (*started)();
    void (*aborted)(std::uint32_t);
    void (*committed)(std::uint32_t, std::uint32_t);
};
void subtransaction_event(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void* arg) {
    const auto* c = static_cast<const subtransaction_callbacks*>(arg);
    if (event == SUBXACT_EVENT_START_SUB) c->started();
    if (event == SUBXACT_EVENT_ABORT_SUB) c->aborted(sub);
    if (event == SUBXACT_EVENT_COMMIT_SUB) c->committed(sub, parent);
}
} // namespace

void on_transaction_events(void (*before_commit)(), void (*ended)()) {
    RegisterXactCallback(transaction_event, new transaction_callbacks{before_commit, ended});
}

void on_subtransaction_events(void (*started)(), void (*aborted)(std::uint32_t sub),
                              void (*committed)(std::uint32_t sub, std::uint32_t parent)) {
    RegisterSubXactCallback(subtransaction_event, new subtransaction_callbacks{started, aborted, committed});
}

std::uint32_t current_subtransaction() { return GetCurrentSubTransactionId(); }

std::uint64_t top_full_xid() {
    const FullTransactionId xid = GetTopFullTransactionIdIfAny();
    return FullTransactionIdIsValid(xid) ? U64FromFullTransactionId(xid) : 0;
}

bool in_recovery() { return RecoveryInProgress(); }
oid database_oid() { return MyDatabaseId; }
bool transaction_has_xid() { return FullTransactionIdIsValid(GetTopFullTransactionIdIfAny()); }
bool read_only_transaction() { return XactReadOnly; }
void see_own_writes() { pg::call([] { CommandCounterIncrement(); }); }
bool snapshot_per_transaction() { return IsolationUsesXactSnapshot(); }

bool commit_without_flush_if_alone() {
    return pg::call([] {
        if (IsTransactionBlock() || FullTransactionIdIsValid(GetTopFullTransactionIdIfAny())) return false;
        (void)set_config_option("synchronous_commit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
        return true;
    });
}

void set_local(const char* name, const char* value) {
    pg::call([&] { (void)set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false); });
}

namespace {
bool refresh_writes = false;
bool internal_ddl = false;
} // namespace

refresh_writes_scope::refresh_writes_scope() : saved_(refresh_writes) { refresh_writes = true; }
refresh_writes_scope::~refresh_writes_scope() { refresh_writes = saved_; }
bool refresh_writes_scope::active() { return refresh_writes; }
void refresh_writes_scope::reset() {
    refresh_writes = false;
    internal_ddl = false;
}

namespace {
void reset_on_abort(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) refresh_writes_scope::reset();
}
} // namespace

void refresh_writes_scope::reset_at_abort() { RegisterXactCallback(reset_on_abort, nullptr); }

internal_ddl_scope::internal_ddl_scope() : saved_(internal_ddl) { internal_ddl = true; }
internal_ddl_scope::~internal_ddl_scope() { internal_ddl = saved_; }
bool internal_ddl_scope::active() { return internal_ddl; }

} // namespace pgt::server
