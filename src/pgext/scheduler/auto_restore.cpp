#include "scheduler/auto_restore.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "catalog/catalog_oids.hpp"
#include "lifecycle/restore.hpp"
#include "pg/notices.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "scheduler/transactions.hpp"

namespace pgt::sched {

namespace {

/// The definitions this scheduler tried to restore.
std::set<long long> tried;

} // namespace

bool restore_when_quiet() {
    if (!guc::auto_restore) return false;
    bool waiting = false;
    in_transaction([&] {
        if (!ext::stream_table_catalog_oids().has_refresh_groups) return; // (0.1.0: no definitions)
        const auto pending = ext::definitions_waiting();
        if (std::ranges::all_of(pending, [](long long id) { return tried.contains(id); })) return;
        // pg_restore's connection lasts the whole restore; a psql script or a restore without
        // it shows as sessions in transactions.
        waiting = spi::prepared("SELECT EXISTS (SELECT FROM pg_catalog.pg_stat_activity WHERE datname = "
                                "pg_catalog.current_database() AND pid <> pg_catalog.pg_backend_pid() AND backend_type = "
                                "'client backend' AND (application_name = 'pg_restore' OR xact_start IS NOT NULL))",
                                0)
                      .query({})
                      .at(0)[0] == "t";
        if (waiting) return;
        tried.insert(pending.begin(), pending.end());
        for (const auto& o : ext::restore_stream_tables())
            server::log("pg_trickle: restore of stream table " + o.stream_table + ": " + o.action +
                        (o.detail.empty() ? "" : " (" + o.detail + ")"));
    });
    return waiting;
}

} // namespace pgt::sched
