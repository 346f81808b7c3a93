#include "catalog/schedules.hpp"

#include <algorithm>

#include "pgt/error.hpp"
#include "pgt/schedule.hpp"

#include "pg/spi.hpp"

namespace pgt::ext {

std::int64_t backoff_seconds(int errors) {
    return errors <= 0 ? 0 : std::min<std::int64_t>(std::int64_t{1} << std::min(errors, 6), 60);
}

std::vector<scheduled_table> load_schedules(std::int64_t now) {
    std::vector<scheduled_table> out;
    auto rows = spi::prepared("SELECT s.pgt_id, s.pgt_schema || '.' || s.pgt_name, COALESCE(s.schedule, 'calculated'), "
                              "s.status, extract(epoch FROM s.last_refresh_at)::int8, s.consecutive_errors, "
                              "extract(epoch FROM s.last_error_at)::int8 FROM pgtrickle.pgt_stream_tables s "
                              "WHERE s.refresh_mode <> 'IMMEDIATE' ORDER BY s.pgt_id",
                              0)
                    .query({});
    auto edges = spi::prepared("SELECT d.pgt_id, u.pgt_id FROM pgtrickle.pgt_dependencies d "
                               "JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = d.source_relid",
                               0)
                     .query({});
    for (const auto& r : rows) {
        scheduled_table t;
        t.state.id = std::stoll(*r[0]);
        t.name = *r[1];
        try {
            t.state.when = parse_schedule(*r[2], 1);
        } catch (const error&) {
            t.state.when = calculated_schedule{}; // stored under other rules: treat as calculated
        }
        if (r[4]) t.state.last_refresh = std::stoll(*r[4]);
        t.errors = std::stoi(*r[5]);
        const std::int64_t last_error = r[6] ? std::stoll(*r[6]) : 0;
        t.retry_at = last_error + backoff_seconds(t.errors);
        t.state.runnable = (r[3] == "ACTIVE" || r[3] == "ERROR") && now >= t.retry_at;
        for (const auto& e : edges)
            if (std::stoll(*e[0]) == t.state.id) t.state.upstream.push_back(std::stoll(*e[1]));
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace pgt::ext
