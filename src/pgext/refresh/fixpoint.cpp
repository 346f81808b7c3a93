#include "refresh/fixpoint.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "pgt/error.hpp"
#include "pgt/refresh_order.hpp"
#include "pgt/sql/ddl.hpp"
#include "pgt/sql/tree.hpp"

#include "capture/capture.hpp"
#include "catalog/catalog_oids.hpp"
#include "catalog/schedules.hpp"
#include "catalog/stream_table.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"

namespace pgt::ext {

namespace {

/// The members of `cycle` each member reads.
std::map<long long, std::vector<long long>> readers_within(const std::vector<long long>& cycle) {
    std::map<long long, std::vector<long long>> read_by;
    for (const auto& r : spi::query("SELECT u.pgt_id, d.pgt_id FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables u "
                                    "ON u.pgt_relid = d.source_relid WHERE d.pgt_id = ANY ($1::int8[]) AND u.pgt_id = ANY ($1::int8[])",
                                    {spi::integer_array(cycle)}))
        read_by[std::stoll(*r[0])].push_back(std::stoll(*r[1]));
    return read_by;
}

long long row_count(const stream_table& st) {
    namespace t = sql::tree;
    const spi::snapshot now;
    return std::stoll(*now.query(t::render(t::select({t::count_all()}).from(st.qualified(), "s")))[0][0]);
}

std::string names(const std::vector<stream_table>& members) {
    std::string s;
    for (const auto& m : members) s += (s.empty() ? "" : ", ") + m.display();
    return s;
}

} // namespace

std::vector<std::vector<long long>> cycles_among(const std::vector<long long>& members) {
    std::vector<std::vector<long long>> cycles;
    if (!stream_table_catalog_oids().has_refresh_groups) return cycles;
    std::map<long long, long long> scc;
    for (const auto& r : spi::query("SELECT pgt_id, scc_id FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ANY ($1::int8[]) "
                                    "AND scc_id IS NOT NULL",
                                    {spi::integer_array(members)}))
        scc[std::stoll(*r[0])] = std::stoll(*r[1]);
    std::map<long long, std::size_t> index;
    for (long long id : members) {
        auto it = scc.find(id);
        if (it == scc.end()) continue;
        auto [at, added] = index.emplace(it->second, cycles.size());
        if (added) cycles.emplace_back();
        cycles[at->second].push_back(id);
    }
    return cycles;
}

void refresh_cycle(const std::vector<long long>& cycle, initiator who) {
    if (who != initiator::manual && std::none_of(cycle.begin(), cycle.end(), has_pending_changes)) return;
    std::vector<stream_table> members;
    for (long long id : cycle)
        if (auto st = stream_table_by_id(id)) members.push_back(std::move(*st));
    const auto read_by = readers_within(cycle);
    std::vector<unsigned> member_relids;
    for (const auto& m : members) member_relids.push_back(m.relid);
    // When nothing outside the cycle took rows away, the members hold the least fixed point of
    // their old inputs, below the new one: each round applies what the last one added
    // (semi-naive evaluation, through the members' change buffers). Otherwise the least fixed
    // point is reached from nothing: rows that only derive from each other (a deleted edge's
    // old paths) are not kept.
    const bool grows = std::none_of(members.begin(), members.end(),
                                    [&](const stream_table& m) { return may_remove_rows(m.id, member_relids); });
    std::map<long long, server::oid> owner;
    std::map<long long, long long> rows;
    for (const auto& m : members) {
        owner[m.id] = static_cast<server::oid>(
            std::stoul(*spi::query("SELECT relowner FROM pg_catalog.pg_class WHERE oid = $1::oid", {std::to_string(m.relid)})[0][0]));
        server::role_scope as_owner(owner[m.id], true);
        if (grows) {
            rows[m.id] = row_count(m);
            continue;
        }
        server::refresh_writes_scope writes;
        spi::exec(sql::ddl::truncate(m.qualified()));
    }
    std::map<long long, std::size_t> position;
    for (std::size_t i = 0; i < members.size(); ++i) position[members[i].id] = i;
    std::set<long long> stale(cycle.begin(), cycle.end()); // members a change has reached
    int round = 0;
    while (!stale.empty()) {
        if (++round > guc::max_fixpoint_iterations)
            throw error("54001",
                        "the cycle of stream tables " + names(members) + " did not converge within " +
                            std::to_string(guc::max_fixpoint_iterations) + " rounds",
                        "Each round added rows; the stream tables keep their contents from before this refresh.",
                        "A query that keeps duplicates (UNION ALL) over data with a cycle never converges: use UNION. "
                        "Or raise pg_trickle.max_fixpoint_iterations.");
        std::set<long long> next;
        for (const auto& m : members) {
            if (!stale.contains(m.id)) continue;
            stale.erase(m.id);
            refresh(m.id, who, std::nullopt, !grows);
            server::role_scope as_owner(owner[m.id], true);
            const long long n = row_count(m);
            if (n == rows[m.id]) continue;
            rows[m.id] = n;
            // (A reader after it in this round recomputes in it, one before it in the next.)
            if (auto it = read_by.find(m.id); it != read_by.end())
                for (long long reader : it->second)
                    if (position.contains(reader)) (position[reader] > position[m.id] ? stale : next).insert(reader);
        }
        stale.insert(next.begin(), next.end());
    }
    // Every member now holds its query over the others as they are: what each recomputation
    // wrote into another's change buffer is applied. The next refresh starts from here.
    server::role_scope as_ext(server::extension_owner(), false);
    const spi::snapshot now;
    now.exec("UPDATE pgtrickle.pgt_stream_tables SET frontier_snapshot = pg_current_snapshot(), "
             "frontier_xid = pg_current_xact_id(), frontier_stmt = $2::int8, last_fixpoint_iterations = $3::int, "
             "last_converged_at = now() WHERE pgt_id = ANY ($1::int8[])",
             {spi::integer_array(cycle), std::to_string(next_statement_number()), std::to_string(round)});
}

void number_cycles() {
    if (!stream_table_catalog_oids().has_refresh_groups) return;
    std::vector<sched::stream_table_state> states;
    for (auto& t : load_schedules(0)) states.push_back(std::move(t.state));
    std::vector<long long> ids;
    std::vector<long long> numbers;
    long long n = 0;
    for (const auto& c : sched::cycles(states)) {
        ++n;
        for (long long id : c) {
            ids.push_back(id);
            numbers.push_back(n);
        }
    }
    server::role_scope as_ext(server::extension_owner(), false);
    spi::exec("UPDATE pgtrickle.pgt_stream_tables s SET scc_id = c.n FROM (SELECT p.pgt_id, u.n::int AS n FROM "
              "pgtrickle.pgt_stream_tables p LEFT JOIN unnest($1::int8[], $2::int8[]) u(id, n) ON u.id = p.pgt_id) c "
              "WHERE c.pgt_id = s.pgt_id AND s.scc_id IS DISTINCT FROM c.n",
              {spi::integer_array(ids), spi::integer_array(numbers)});
}

} // namespace pgt::ext
