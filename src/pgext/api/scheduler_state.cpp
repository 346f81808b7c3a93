// SQL entry points about the background scheduler: its state, and the launcher's rescan.
#include "pg/function.hpp"
#include "pg/transactions.hpp"
#include "scheduler/shared.hpp"

/// pgtrickle._scheduler_running(): is a scheduler serving this database (running, or dormant
/// while idle and restarted by the next change)?
PGT_FUNCTION(pgt_scheduler_running) {
    const auto st = pgt::sched::scheduler_of(pgt::server::database_oid());
    PG_RETURN_BOOL(st.running || st.dormant);
}

/// pgtrickle._scheduler_last_tick(): when it last looked for work (NULL if none runs).
PGT_FUNCTION(pgt_scheduler_last_tick) {
    const auto st = pgt::sched::scheduler_of(pgt::server::database_oid());
    if (!st.running && !st.dormant) PG_RETURN_NULL();
    return pgt::pg::timestamptz_result(st.last_tick_ms);
}

/// pgtrickle._signal_launcher_rescan(): CREATE EXTENSION asks for this database's scheduler now.
PGT_FUNCTION(pgt_signal_launcher_rescan) {
    pgt::sched::request_rescan();
    PG_RETURN_VOID();
}

/// pgtrickle._scheduler_loaded(): was pg_trickle loaded through shared_preload_libraries?
PGT_FUNCTION(pgt_scheduler_loaded) { PG_RETURN_BOOL(pgt::sched::shared_state_available()); }
