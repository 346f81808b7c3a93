#include "scheduler/quiet_tables.hpp"

#include "capture/citus.hpp"
#include "capture/wal_capture.hpp"
#include "pg/spi.hpp"
#include "refresh/refresh.hpp"

namespace pgt::sched {

void quiet_tables::forget(long long id) {
    const auto q = quiet_.find(id);
    if (q == quiet_.end()) return;
    for (std::uint32_t s : q->second.sources) readers_[s].erase(id);
    quiet_.erase(q);
}

void quiet_tables::update(db_slot& slot, const std::vector<ext::scheduled_table>& entries) {
    // Read before anything this tick asks (see take_changed_sources).
    const changed_sources changed = take_changed_sources(slot, seen_);
    tables_.clear();
    for (const auto& e : entries) tables_[e.state.id] = entry{e.generation, e.sources};
    if (!started_ || changed.any) {
        quiet_.clear();
        readers_.clear();
    }
    started_ = true;
    for (std::uint32_t relid : changed.relids)
        if (auto r = readers_.find(relid); r != readers_.end())
            for (long long id : std::set<long long>(r->second)) forget(id);
    std::vector<long long> redefined;
    for (const auto& [id, was] : quiet_)
        if (auto now = tables_.find(id); now == tables_.end() || now->second.generation != was.generation) redefined.push_back(id);
    for (long long id : redefined) forget(id);
    prepared_ = spi::prepared("SELECT EXISTS (SELECT FROM pg_catalog.pg_prepared_xacts WHERE database = pg_catalog.current_database())", 0)
                    .query({})
                    .at(0)[0] == "t";
    if (prepared_) {
        quiet_.clear();
        readers_.clear();
    }
}

bool quiet_tables::pending(long long id) {
    if (quiet_.count(id)) return false;
    if (ext::has_pending_changes(id)) return true;
    const auto e = tables_.find(id);
    // (Changes of sources captured from the WAL or on Citus's nodes announce nothing here.)
    if (prepared_ || e == tables_.end() || !ext::wal::wal_sources(e->second.sources).empty() || ext::citus::any_captured(e->second.sources))
        return false;
    quiet_[id] = e->second;
    for (std::uint32_t s : e->second.sources) readers_[s].insert(id);
    return false;
}

} // namespace pgt::sched
