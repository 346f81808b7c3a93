#include "pg/background_worker.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include "pg/function.hpp"

extern "C" {
#include <miscadmin.h>
#include <pgstat.h>
#include <postmaster/bgworker.h>
#include <postmaster/interrupt.h>
#include <storage/latch.h>
#include <utils/guc.h>
#include <utils/memutils.h>
}

namespace pgt::server {

namespace {
BackgroundWorker worker_of(const worker_spec& spec) {
    BackgroundWorker worker{};
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = spec.restart_seconds;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_trickle");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", spec.function);
    snprintf(worker.bgw_name, BGW_MAXLEN, "%s", spec.name.c_str());
    snprintf(worker.bgw_type, BGW_MAXLEN, "%s", spec.type);
    worker.bgw_main_arg = static_cast<Datum>(spec.main_arg);
    memcpy(worker.bgw_extra, &spec.database, sizeof(Oid));
    worker.bgw_notify_pid = spec.notify_me ? MyProcPid : 0;
    return worker;
}
static_assert(BGW_NEVER_RESTART == never_restart);
static_assert(sizeof(oid) == sizeof(Oid));

/// Whether a shutdown_cancels scope is open.
volatile sig_atomic_t shutdown_cancels_work = 0;

/// SIGTERM: the worker is asked to leave; inside a shutdown_cancels scope, the statement
/// running is cancelled too, as a backend's query is by its die().
void on_shutdown_request(SIGNAL_ARGS) {
    const int saved_errno = errno;
    ShutdownRequestPending = true;
    if (shutdown_cancels_work) {
        QueryCancelPending = true;
        InterruptPending = true;
    }
    SetLatch(MyLatch);
    errno = saved_errno;
}
} // namespace

void register_worker(const worker_spec& spec) {
    BackgroundWorker worker = worker_of(spec);
    RegisterBackgroundWorker(&worker);
}

BackgroundWorkerHandle* start_worker(const worker_spec& spec) {
    BackgroundWorker worker = worker_of(spec);
    BackgroundWorkerHandle* handle = nullptr;
    MemoryContext previous = MemoryContextSwitchTo(TopMemoryContext); // kept across transactions
    const bool started = RegisterDynamicBackgroundWorker(&worker, &handle);
    MemoryContextSwitchTo(previous);
    return started ? handle : nullptr;
}

bool worker_stopped(BackgroundWorkerHandle* handle) {
    pid_t pid = 0;
    return GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED;
}

void forget_worker(BackgroundWorkerHandle* handle) { pfree(handle); }

void run_worker(void (*main)(std::uintptr_t arg), std::uintptr_t arg, const char* name) { pg::invoke_worker(main, arg, name); }

void take_worker_signals() {
    pqsignal(SIGTERM, on_shutdown_request);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    ConfigReloadPending = true;
    BackgroundWorkerUnblockSignals();
}

void reload_configuration() {
    if (!ConfigReloadPending) return;
    ConfigReloadPending = false;
    ProcessConfigFile(PGC_SIGHUP);
}

bool shutdown_requested() { return ShutdownRequestPending; }

shutdown_cancels::shutdown_cancels() {
    shutdown_cancels_work = 1;
    if (ShutdownRequestPending) { // (asked before the scope opened: cancelled at once)
        QueryCancelPending = true;
        InterruptPending = true;
    }
}

shutdown_cancels::~shutdown_cancels() {
    shutdown_cancels_work = 0;
    // (A request that came after the work's last check of interrupts: nothing left to cancel.)
    QueryCancelPending = false;
}

void connect_to_database(oid db) {
    if (db == InvalidOid)
        BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    else
        BackgroundWorkerInitializeConnectionByOid(db, InvalidOid, 0);
}

oid worker_database() {
    Oid db = InvalidOid;
    memcpy(&db, MyBgworkerEntry->bgw_extra, sizeof(Oid));
    return db;
}

void set_application_name(const char* name) { pgstat_report_appname(name); }

} // namespace pgt::server
