#pragma once
// pg_trickle's settings (API.md §4), registered in _PG_init.

namespace pgt::guc {

void define();

extern bool enabled;                 ///< pg_trickle.enabled: the scheduler refreshes
extern int scheduler_interval_ms;    ///< pg_trickle.scheduler_interval_ms
extern int max_concurrent_refreshes; ///< pg_trickle.max_concurrent_refreshes
extern int max_consecutive_errors;   ///< pg_trickle.max_consecutive_errors
extern int min_schedule_seconds;     ///< pg_trickle.min_schedule_seconds
extern int default_schedule_seconds; ///< pg_trickle.default_schedule_seconds
extern int history_retention_days;   ///< pg_trickle.history_retention_days
extern int max_dynamic_refresh_workers; ///< pg_trickle.max_dynamic_refresh_workers
extern int per_database_worker_quota;   ///< pg_trickle.per_database_worker_quota (0: none)
extern int ivm_recursive_max_depth;  ///< pg_trickle.ivm_recursive_max_depth (read by the refresh SQL)
extern char* cdc_mode;               ///< pg_trickle.cdc_mode: 'auto', 'trigger' or 'wal' (stream tables' default)
extern int wal_max_lag_mb;           ///< pg_trickle.wal_max_lag_mb: WAL the capture slot may hold back
extern int wal_decoding_work_mem;    ///< pg_trickle.wal_decoding_work_mem (kB; -1: logical_decoding_work_mem)
extern double differential_max_change_ratio; ///< pg_trickle.differential_max_change_ratio (AUTO)
extern bool allow_circular;         ///< pg_trickle.allow_circular: monotone cycles of stream tables
extern int max_fixpoint_iterations;  ///< pg_trickle.max_fixpoint_iterations: a cycle's refresh fails past it
extern bool auto_restore;          ///< pg_trickle.auto_restore: the scheduler restores stream tables
extern bool auto_backoff;            ///< pg_trickle.auto_backoff: a refresh longer than its schedule stretches it

} // namespace pgt::guc
