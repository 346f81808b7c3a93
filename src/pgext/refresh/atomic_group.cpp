#include "refresh/atomic_group.hpp"

#include <algorithm>
#include <map>

#include "pgt/refresh_order.hpp"

#include "catalog/catalog_oids.hpp"
#include "catalog/maintainers.hpp"
#include "catalog/schedules.hpp"
#include "pg/spi.hpp"
#include "refresh/fixpoint.hpp"

namespace pgt::ext {

namespace {

/// Whether stream table `id` reads a stream table, is read by one, or is named in a refresh
/// group: no atomic group holds one that does none of these (a cheap test, in one statement,
/// before the whole graph is read).
bool may_be_grouped(long long id) {
    static const char* const linked =
        "SELECT EXISTS (SELECT FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = d.source_relid "
        "WHERE d.pgt_id = $1::int8) OR EXISTS (SELECT FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s "
        "ON s.pgt_relid = d.source_relid WHERE s.pgt_id = $1::int8)";
    static const char* const linked_or_listed =
        "SELECT EXISTS (SELECT FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = d.source_relid "
        "WHERE d.pgt_id = $1::int8) OR EXISTS (SELECT FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s "
        "ON s.pgt_relid = d.source_relid WHERE s.pgt_id = $1::int8) "
        "OR EXISTS (SELECT FROM pgtrickle.pgt_refresh_groups WHERE $1::int8 = ANY (members))";
    return spi::prepared(stream_table_catalog_oids().has_refresh_groups ? linked_or_listed : linked, 1).query({std::to_string(id)}).at(0)[0] ==
           "t";
}

} // namespace

std::vector<long long> atomic_group_of(long long id) {
    if (!may_be_grouped(id)) return {};
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
    const spi::pinned_snapshot one_moment;
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
            refresh(id, who);
        }
    }
}

} // namespace pgt::ext
