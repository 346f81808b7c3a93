#include "pg/settings.hpp"

#include <cctype>
#include <string>

#include "pg/function.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include <utils/guc.h>
}

namespace pgt::guc {

bool enabled = true;
int scheduler_interval_ms = 1000;
int max_concurrent_refreshes = 4;
int max_consecutive_errors = 3;
int min_schedule_seconds = 1;
int default_schedule_seconds = 1;
int history_retention_days = 90;
int max_dynamic_refresh_workers = 4;
int per_database_worker_quota = 0;
int ivm_recursive_max_depth = 100;
char* cdc_mode = nullptr;
int wal_max_lag_mb = 1024;
int wal_decoding_work_mem = 256 * 1024;
double differential_max_change_ratio = 0.15;
bool auto_backoff = true;
bool allow_circular = false;
bool auto_restore = true;
int max_fixpoint_iterations = 100;

namespace {
bool check_cdc_mode(char** value, void**, GucSource) {
    // Any case, as the cdc_mode argument (which lowers it).
    std::string v = *value ? *value : "";
    for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (v == "auto" || v == "trigger" || v == "wal") return true;
    GUC_check_errdetail("pg_trickle.cdc_mode must be 'auto', 'trigger' or 'wal'.");
    return false;
}
bool check_decoding_memory(int* value, void**, GucSource) {
    if (*value == -1 || *value >= 64) return true;
    GUC_check_errdetail("pg_trickle.wal_decoding_work_mem must be -1 or at least 64 kB, as logical_decoding_work_mem.");
    return false;
}
} // namespace

void define() {
    DefineCustomBoolVariable("pg_trickle.auto_backoff",
                             "Whether a stream table whose refreshes take most of its schedule is refreshed less often.",
                             "Its interval doubles (up to 8 times) while its recent refreshes take more than 95% of it.",
                             &auto_backoff, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("pg_trickle.allow_circular",
                             "Whether a redefinition may make stream tables read each other in a cycle.",
                             "Only when every query in the cycle is monotone; the cycle refreshes to its fixed point.",
                             &allow_circular, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.max_fixpoint_iterations",
                            "Rounds after which the refresh of a cycle of stream tables fails when it has not converged.",
                            "The cycle is left as it was, and its members in ERROR.", &max_fixpoint_iterations, 100, 1,
                            100000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("pg_trickle.auto_restore",
                             "Whether the scheduler makes stream tables again from definitions pg_restore brought back.",
                             "As restore_stream_tables() does, once no pg_restore session and no other transaction "
                             "runs in the database.",
                             &auto_restore, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("pg_trickle.enabled", "Whether the background scheduler refreshes stream tables.",
                             "Change capture and manual refreshes work either way.", &enabled, true, PGC_SIGHUP, 0,
                             nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.scheduler_interval_ms", "How often the scheduler looks for due stream tables.",
                            "Captured changes wake it sooner.", &scheduler_interval_ms, 1000, 100, 60000, PGC_SIGHUP,
                            GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.max_concurrent_refreshes",
                            "Refreshes one database's scheduler runs at once, itself and refresh workers.",
                            "Stream tables are refreshed after the stream tables they read; 1: one at a time.",
                            &max_concurrent_refreshes, 4, 1, 64, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.max_consecutive_errors",
                            "Failed refreshes in a row after which a stream table is suspended.", nullptr,
                            &max_consecutive_errors, 3, 1, 1000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.min_schedule_seconds", "The shortest duration schedule accepted.", nullptr,
                            &min_schedule_seconds, 1, 1, 86400, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.default_schedule_seconds",
                            "Interval of a 'calculated' stream table that no scheduled stream table reads.", nullptr,
                            &default_schedule_seconds, 1, 1, 86400, PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.history_retention_days", "How long refresh history is kept.", nullptr,
                            &history_retention_days, 90, 1, 3650, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.per_database_worker_quota",
                            "How many refresh workers one database may use (0: no quota).",
                            "Half as many again while fewer than half of max_dynamic_refresh_workers are in use.",
                            &per_database_worker_quota, 0, 0, 256, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.max_dynamic_refresh_workers",
                            "Refresh workers running at once in the whole cluster (each takes a max_worker_processes slot).",
                            nullptr, &max_dynamic_refresh_workers, 4, 0, 256, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.ivm_recursive_max_depth",
                            "Rounds of a WITH RECURSIVE after which a refresh fails (0: unlimited).",
                            "Guards against UNION ALL recursion over data with a cycle, which never ends.",
                            &ivm_recursive_max_depth, 100, 0, 1000000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("pg_trickle.cdc_mode", "How stream tables created without cdc_mode capture their sources' changes.",
                               "'auto': triggers, then the WAL (logical decoding) once wal_level = logical; 'trigger'; 'wal'.",
                               &cdc_mode, "auto", PGC_USERSET, 0, check_cdc_mode, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.wal_max_lag_mb",
                            "WAL the capture slot may hold back before its sources go back to triggers (0: no limit).",
                            "A health check warns at half of it.", &wal_max_lag_mb, 1024, 0, 1048576, PGC_SIGHUP,
                            GUC_UNIT_MB, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("pg_trickle.wal_decoding_work_mem",
                            "Memory a WAL decoding pass keeps the changes of transactions in progress in before spilling "
                            "them to disk (-1: logical_decoding_work_mem).",
                            "In place of logical_decoding_work_mem (64 MB by default), whose spill files a large "
                            "transaction's changes are written to and read back from at its commit.",
                            &wal_decoding_work_mem, 256 * 1024, -1, MAX_KILOBYTES, PGC_SIGHUP, GUC_UNIT_KB,
                            check_decoding_memory, nullptr, nullptr);
    DefineCustomRealVariable("pg_trickle.differential_max_change_ratio",
                             "Share of its sources' rows changed above which an AUTO stream table's refresh recomputes (0: no such cap).",
                             "Below it, AUTO chooses from the stream table's measured refresh costs.",
                             &differential_max_change_ratio, 0.15, 0.0, 1.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("pg_trickle.inject_failure", "Testing aid: a boundary that fails as it is entered.",
                               "The C name of a SQL function of pg_trickle, or 'pg_trickle IMMEDIATE maintenance', "
                               "'pg_trickle scheduler', 'pg_trickle launcher', 'pg_trickle refresh worker': it raises "
                               "an internal error (XX000) instead of running. Empty: none.",
                               &pg::inject_failure_at, "", PGC_SUSET, GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL, nullptr, nullptr,
                               nullptr);
    MarkGUCPrefixReserved("pg_trickle");
}

} // namespace pgt::guc
