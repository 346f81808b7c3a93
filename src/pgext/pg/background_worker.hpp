#pragma once
// Background workers of pg_trickle.so: registering and starting them, and what a worker does
// as one (its signals, its connection, the configuration it reloads).

#include <cstdint>
#include <string>

#include "pg/oid.hpp"

struct BackgroundWorkerHandle;

namespace pgt::server {

/// A worker connecting to a database, started once the server accepts writes.
struct worker_spec {
    const char* function;  ///< its main: an exported C function of pg_trickle.so, taking one Datum
    const char* type;      ///< as pg_stat_activity shows it
    std::string name;
    int restart_seconds;   ///< after a failure; never_restart: never
    std::uintptr_t main_arg = 0;
    oid database = 0;      ///< handed over in bgw_extra (worker_database())
    bool notify_me = false; ///< the starting process's latch is set when the worker starts or stops
};
inline constexpr int never_restart = -1;

/// Registers a worker the postmaster starts; from _PG_init while preloading.
void register_worker(const worker_spec& spec);
/// Starts a worker now: its handle (kept in TopMemoryContext), nullptr without a free slot.
BackgroundWorkerHandle* start_worker(const worker_spec& spec);
/// Whether a started worker has stopped (or never started).
bool worker_stopped(BackgroundWorkerHandle* handle);
/// Frees a handle.
void forget_worker(BackgroundWorkerHandle* handle);

/// Runs a worker's main (called by its exported C function) under pg::invoke_worker's boundary.
void run_worker(void (*main)(std::uintptr_t arg), std::uintptr_t arg, const char* name);

/// A pg_trickle worker's signals, as it starts: SIGTERM asks it to leave (shutdown_requested),
/// SIGHUP to reload the configuration — once more at its first reload_configuration(), since a
/// reload signalled while it was starting was discarded.
void take_worker_signals();
/// Reloads the configuration if SIGHUP asked for it since the last time.
void reload_configuration();
/// SIGTERM asked the worker to leave.
bool shutdown_requested();

/// While one lives, SIGTERM (the server's fast shutdown, pg_terminate_backend) also cancels the
/// statement running (57014), as it ends a backend's query: the work in hand — a refresh, a
/// decoding pass — is rolled back at its next check of interrupts instead of holding the
/// shutdown until it is done. Open it only around a transaction whose failure the caller
/// handles (sched::in_transaction); with a request already made, the work is cancelled at once.
class shutdown_cancels {
public:
    shutdown_cancels();
    ~shutdown_cancels();
    shutdown_cancels(const shutdown_cancels&) = delete;
    shutdown_cancels& operator=(const shutdown_cancels&) = delete;
};

/// Connects the worker to database `db`; with 0, to no database (shared catalogs only).
void connect_to_database(oid db);
/// The database its starter handed over (worker_spec::database).
oid worker_database();
void set_application_name(const char* name);

} // namespace pgt::server
