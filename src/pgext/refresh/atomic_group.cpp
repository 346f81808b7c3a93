#include "refresh/atomic_group.hpp"

#include <algorithm>
#include <map>

#include "pgt/refresh_order.hpp"
#include "pgt/sql/tree.hpp"

#include "capture/wal_capture.hpp"
#include "catalog/catalog_oids.hpp"
#include "catalog/maintainers.hpp"
#include "catalog/schedules.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/transactions.hpp"
#include "refresh/fixpoint.hpp"
#include "refresh/refresh.hpp"

namespace pgt::ext {

namespace {

namespace t = sql::tree;

/// Whether stream table `id` reads a stream table, is read by one, or is named in a refresh
/// group: no atomic group holds one that does none of these (a cheap test, in one statement,
/// before the whole graph is read).
bool may_be_grouped(long long id) {
    static std::string statements[2]; // (by whether the catalog has refresh groups)
    std::string& sql = statements[stream_table_catalog_oids().has_refresh_groups];
    if (sql.empty()) sql = t::render(t::select({grouping_possible(t::cast(t::param(1), t::type_name::catalog("int8")))}));
    return spi::prepared(sql, 1).query({std::to_string(id)}).at(0)[0] == "t";
}

/// The WAL-captured sources of `members`.
std::vector<unsigned> wal_sources_of(const std::vector<long long>& members) {
    std::vector<unsigned> sources;
    {
        server::role_scope as_ext(server::extension_owner(), false);
        for (const auto& r : spi::prepared("SELECT DISTINCT source_relid::pg_catalog.int8 FROM pgtrickle.pgt_dependencies "
                                           "WHERE pgt_id = ANY ($1::pg_catalog.int8[])",
                                           1)
                                 .query({spi::integer_array(members)}))
            sources.push_back(static_cast<unsigned>(std::stoul(*r[0])));
    }
    return sources.empty() ? sources : wal::wal_sources(sources, nullptr);
}

} // namespace

std::vector<long long> atomic_group_of(long long id) { return may_be_grouped(id) ? atomic_group_read(id) : std::vector<long long>{}; }

std::vector<long long> atomic_group_read(long long id) {
    std::vector<sched::stream_table_state> states;
    for (auto& t : load_schedules(0)) states.push_back(std::move(t.state));
    for (auto& g : sched::atomic_groups(states, load_refresh_groups()))
        if (std::find(g.begin(), g.end(), id) != g.end()) return g;
    return {};
}

void refresh_group(const std::vector<long long>& members, initiator who, long long* failing) {
    // Locked before the snapshot is taken: no refresh of a member commits after it and before
    // the member's own refresh, which would then read that member as it was.
    for (long long id : members) maintainers::lock(id);
    // Members reading WAL-captured sources apply their changes from one snapshot taken once
    // those committed before it are decoded (unless the transaction wrote before: its own
    // changes cannot be decoded yet, and those members recompute).
    group_snapshot moment;
    moment.wrote_before = server::transaction_has_xid();
    if (!moment.wrote_before) moment.decoded = wal_sources_of(members);
    const spi::pinned_snapshot one_moment([&](std::optional<spi::snapshot>& s) {
        if (moment.decoded.empty())
            s.emplace();
        else
            wal::take_decoded_snapshot(s, moment.decoded);
    });
    std::map<long long, const std::vector<long long>*> cycle_of;
    const auto cycles = cycles_among(members);
    for (const auto& c : cycles)
        for (long long id : c) cycle_of[id] = &c;
    for (long long id : members) {
        if (failing) *failing = id;
        if (auto it = cycle_of.find(id); it != cycle_of.end()) {
            // A cycle's members come together in the group: the first refreshes them all.
            if (it->second->front() == id) refresh_cycle(*it->second, who);
        } else if (who == initiator::manual || has_pending_changes(id)) {
            refresh(id, who, std::nullopt, false, &moment);
        }
    }
}

} // namespace pgt::ext
