#include "catalog/schedules.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "pgt/error.hpp"
#include "pgt/schedule.hpp"

#include "catalog/catalog_oids.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

std::int64_t backoff_seconds(int errors) {
    return errors <= 0 ? 0 : std::min<std::int64_t>(std::int64_t{1} << std::min(errors, 6), 60);
}

std::vector<scheduled_table> load_schedules(std::int64_t now) {
    std::vector<scheduled_table> out;
    auto rows = spi::prepared("SELECT s.pgt_id, s.pgt_schema || '.' || s.pgt_name, COALESCE(s.schedule, 'calculated'), "
                              "s.status, extract(epoch FROM s.last_refresh_at)::int8, s.consecutive_errors, "
                              "extract(epoch FROM s.last_error_at)::int8, s.diamond_consistency = 'atomic', "
                              "s.diamond_schedule_policy = 'slowest', "
                              // The mean of its last three scheduled refreshes that did something, among
                              // its last ten: a tick (at every commit that captured changes) reads a
                              // few index entries, not every history row (a stream table refreshed
                              // by hand has thousands, none scheduled).
                              "(SELECT avg(extract(epoch FROM h.end_time - h.start_time)) FROM (SELECT end_time, start_time "
                              "FROM (SELECT end_time, start_time, status, initiated_by, action FROM pgtrickle.pgt_refresh_history h "
                              "WHERE h.pgt_id = s.pgt_id ORDER BY h.start_time DESC LIMIT 10) h WHERE h.status = 'COMPLETED' "
                              "AND h.initiated_by = 'SCHEDULER' AND h.action <> 'NO_DATA' ORDER BY h.start_time DESC LIMIT 3) h), s.generation "
                              "FROM pgtrickle.pgt_stream_tables s "
                              "WHERE s.refresh_mode <> 'IMMEDIATE' ORDER BY s.pgt_id",
                              0)
                    .query({});
    // Tiers (0.2.0): as set, else from how long each has not changed.
    std::map<long long, sched::tier> tiers;
    if (stream_table_catalog_oids().has_refresh_groups)
        for (const auto& r : spi::prepared("SELECT s.pgt_id, pgtrickle._tier(s) FROM pgtrickle.pgt_stream_tables s", 0).query({}))
            tiers[std::stoll(*r[0])] = sched::parse_tier(r[1].value_or("hot")).value_or(sched::tier::hot);
    // What each reads: a stream table (not an IMMEDIATE one, which the scheduler leaves alone)
    // by id, any other relation by relid.
    auto edges = spi::prepared("SELECT d.pgt_id, d.source_relid, u.pgt_id FROM pgtrickle.pgt_dependencies d "
                               "LEFT JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = d.source_relid "
                               "AND u.refresh_mode <> 'IMMEDIATE'",
                               0)
                     .query({});
    // Held back by a watermark group whose sources are not loaded to the same point. (The
    // function, a SQL function with a SET clause, is planned at every call: 1.5 ms a tick; the
    // EXISTS, a one-time filter, skips it where no group is defined.)
    std::set<long long> held_back;
    if (stream_table_catalog_oids().has_refresh_groups)
        for (const auto& r : spi::prepared("SELECT DISTINCT pgt_id FROM pgtrickle._watermark_gated() "
                                           "WHERE EXISTS (SELECT FROM pgtrickle.pgt_watermark_groups)",
                                           0)
                                 .query({}))
            held_back.insert(std::stoll(*r[0]));
    std::map<long long, std::vector<const spi::row*>> reads;
    for (const auto& e : edges) reads[std::stoll(*e[0])].push_back(&e);
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
        t.held_back = held_back.count(t.state.id) > 0;
        t.state.runnable = (r[3] == "ACTIVE" || r[3] == "ERROR") && now >= t.retry_at && !t.held_back;
        t.state.atomic_diamond = r[7] == "t";
        t.state.slowest = r[8] == "t";
        if (guc::auto_backoff && r[9]) t.state.recent_refresh_seconds = std::stod(*r[9]);
        if (auto it = tiers.find(t.state.id); it != tiers.end()) t.state.watch = it->second;
        t.generation = std::stoll(*r[10]);
        for (const spi::row* e : reads[t.state.id]) {
            t.sources.push_back(static_cast<std::uint32_t>(std::stoul(*(*e)[1])));
            if ((*e)[2])
                t.state.upstream.push_back(std::stoll(*(*e)[2]));
            else
                t.state.tables.push_back(static_cast<std::uint32_t>(std::stoul(*(*e)[1])));
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<std::vector<long long>> load_refresh_groups() {
    std::vector<std::vector<long long>> groups;
    if (!stream_table_catalog_oids().has_refresh_groups) return groups;
    std::string current;
    for (const auto& r : spi::prepared("SELECT g.group_name, m FROM pgtrickle.pgt_refresh_groups g, pg_catalog.unnest(g.members) m "
                                       "ORDER BY 1, 2",
                                       0)
                             .query({})) {
        if (groups.empty() || *r[0] != current) groups.emplace_back();
        current = *r[0];
        groups.back().push_back(std::stoll(*r[1]));
    }
    return groups;
}

} // namespace pgt::ext
