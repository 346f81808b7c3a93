// SQL entry points behind the monitoring functions of the install script.
#include <ctime>

#include "catalog/schedules.hpp"
#include "pg/function.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "refresh/refresh.hpp"

/// pgtrickle._pending_changes(pgt_id): changes waiting in the stream table's sources.
PGT_FUNCTION(pgt_pending_changes) {
    pgt::spi::session spi;
    PG_RETURN_INT64(pgt::ext::pending_changes(PG_GETARG_INT64(0)));
}

/// pgtrickle._buffer_pending_rows(pgt_id, source_relid): changes of one source not yet applied.
PGT_FUNCTION(pgt_buffer_pending_rows) {
    pgt::spi::session spi;
    PG_RETURN_INT64(pgt::ext::pending_rows(PG_GETARG_INT64(0), PG_GETARG_OID(1)));
}

namespace {

/// Every stream table as the scheduler sees it now.
std::vector<pgt::sched::stream_table_state> scheduled_states() {
    std::vector<pgt::sched::stream_table_state> states;
    for (auto& t : pgt::ext::load_schedules(std::time(nullptr))) states.push_back(t.state);
    return states;
}

} // namespace

/// pgtrickle._effective_interval(pgt_id): seconds between scheduled refreshes (a calculated
/// schedule resolved through its readers); NULL for cron schedules.
PGT_FUNCTION(pgt_effective_interval) {
    const long long id = PG_GETARG_INT64(0);
    std::optional<std::int64_t> seconds;
    {
        pgt::spi::session spi;
        const auto intervals = pgt::sched::effective_intervals(scheduled_states(), pgt::guc::default_schedule_seconds);
        if (auto it = intervals.find(id); it != intervals.end()) seconds = it->second;
    }
    if (!seconds) PG_RETURN_NULL();
    PG_RETURN_INT64(*seconds);
}

/// pgtrickle._backoff_factor(pgt_id): how many times auto_backoff stretches the stream table's
/// interval (1: not at all; NULL for cron schedules).
PGT_FUNCTION(pgt_backoff_factor) {
    const long long id = PG_GETARG_INT64(0);
    std::optional<std::int64_t> factor;
    {
        pgt::spi::session spi;
        auto states = scheduled_states();
        const auto stretched = pgt::sched::effective_intervals(states, pgt::guc::default_schedule_seconds);
        for (auto& s : states) s.recent_refresh_seconds = 0;
        const auto plain = pgt::sched::effective_intervals(states, pgt::guc::default_schedule_seconds);
        if (auto it = stretched.find(id); it != stretched.end()) factor = it->second / plain.at(id);
    }
    if (!factor) PG_RETURN_NULL();
    PG_RETURN_INT64(*factor);
}
