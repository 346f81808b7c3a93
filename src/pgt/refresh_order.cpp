#include "pgt/refresh_order.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "pgt/error.hpp"

namespace pgt::sched {

namespace {

std::map<long long, const stream_table_state*> by_id(const std::vector<stream_table_state>& all) {
    std::map<long long, const stream_table_state*> m;
    for (const auto& s : all) m[s.id] = &s;
    return m;
}

/// The unix time at which `s` is next due, given its interval (if any).
std::optional<std::int64_t> due_at(const stream_table_state& s, const std::map<long long, std::int64_t>& intervals) {
    if (!s.runnable) return std::nullopt;
    if (!s.last_refresh) return std::int64_t{0};
    if (const auto* cron = std::get_if<cron_schedule>(&s.when)) return cron->next_after(*s.last_refresh);
    auto it = intervals.find(s.id);
    if (it == intervals.end()) return std::nullopt;
    return *s.last_refresh + it->second;
}

} // namespace

std::int64_t backed_off(std::int64_t interval, double cost) {
    std::int64_t stretched = interval;
    while (cost > 0.95 * static_cast<double>(stretched) && stretched < 8 * interval) stretched *= 2;
    return stretched;
}

std::map<long long, std::int64_t> effective_intervals(const std::vector<stream_table_state>& all,
                                                      std::int64_t default_seconds) {
    const auto ids = by_id(all);
    std::map<long long, std::vector<long long>> readers;
    for (const auto& s : all)
        for (long long u : s.upstream) readers[u].push_back(s.id);
    std::map<long long, std::optional<std::int64_t>> memo;
    std::set<long long> visiting;
    // Tightest interval a stream table must honour: its own, or that of its readers.
    std::function<std::optional<std::int64_t>(long long)> interval = [&](long long id) -> std::optional<std::int64_t> {
        if (auto it = memo.find(id); it != memo.end()) return it->second;
        if (!visiting.insert(id).second) return std::nullopt; // a cycle: refused at creation anyway
        const auto* s = ids.at(id);
        std::optional<std::int64_t> r;
        if (const auto* d = std::get_if<duration_schedule>(&s->when)) r = d->seconds;
        if (std::holds_alternative<calculated_schedule>(s->when))
            for (long long reader : readers[id])
                if (auto ri = interval(reader); ri && (!r || *ri < *r)) r = ri;
        visiting.erase(id);
        return memo[id] = r;
    };
    std::map<long long, std::int64_t> out;
    for (const auto& s : all) {
        if (std::holds_alternative<cron_schedule>(s.when)) continue;
        auto r = interval(s.id);
        out[s.id] = backed_off(r.value_or(default_seconds), s.recent_refresh_seconds);
    }
    return out;
}

std::vector<long long> topological_order(const std::vector<stream_table_state>& all) {
    const auto ids = by_id(all);
    std::vector<long long> order;
    std::map<long long, int> state; // 0 new, 1 on the path, 2 done
    std::vector<long long> path;
    std::function<void(long long)> visit = [&](long long id) {
        if (state[id] == 2) return;
        if (state[id] == 1) {
            std::string cycle;
            auto from = std::find(path.begin(), path.end(), id);
            for (auto it = from; it != path.end(); ++it) cycle += std::to_string(*it) + " -> ";
            throw error(sqlstate::invalid_schema_name, "cycle detected in dependency graph: " + cycle + std::to_string(id));
        }
        state[id] = 1;
        path.push_back(id);
        for (long long u : ids.at(id)->upstream)
            if (ids.contains(u)) visit(u);
        path.pop_back();
        state[id] = 2;
        order.push_back(id);
    };
    for (const auto& s : all) visit(s.id);
    return order;
}

std::vector<long long> tick_plan(const std::vector<stream_table_state>& all, std::int64_t now,
                                 std::int64_t default_seconds) {
    const auto ids = by_id(all);
    const auto intervals = effective_intervals(all, default_seconds);
    std::set<long long> wanted;
    std::function<void(long long)> want = [&](long long id) {
        if (!wanted.insert(id).second) return;
        for (long long u : ids.at(id)->upstream)
            if (ids.contains(u)) want(u);
    };
    for (const auto& s : all)
        if (auto at = due_at(s, intervals); at && *at <= now) want(s.id);
    std::vector<long long> plan;
    for (long long id : topological_order(all))
        if (wanted.contains(id) && ids.at(id)->runnable) plan.push_back(id);
    return plan;
}

std::vector<std::vector<long long>> atomic_groups(const std::vector<stream_table_state>& all,
                                                  const std::vector<std::vector<long long>>& refresh_groups) {
    const auto ids = by_id(all);
    const auto order = topological_order(all);
    // Everything upstream of each stream table: stream tables by id, other relations by their
    // relid negated (ids and relids may coincide).
    std::map<long long, std::set<long long>> above;
    auto inputs_of = [&](const stream_table_state& s) {
        std::vector<std::set<long long>> inputs;
        for (std::uint32_t t : s.tables) inputs.push_back({-static_cast<long long>(t)});
        for (long long u : s.upstream) {
            std::set<long long> reached{u};
            if (auto it = above.find(u); it != above.end()) reached.insert(it->second.begin(), it->second.end());
            inputs.push_back(std::move(reached));
        }
        return inputs;
    };
    auto meet = [](const std::set<long long>& a, const std::set<long long>& b) {
        return std::any_of(a.begin(), a.end(), [&](long long n) { return b.count(n) > 0; });
    };
    // Union-find over the members of each atomic convergence point.
    std::map<long long, long long> parent;
    std::function<long long(long long)> root = [&](long long x) {
        auto it = parent.find(x);
        if (it == parent.end() || it->second == x) return x;
        return it->second = root(it->second);
    };
    for (long long id : order) {
        const auto& s = *ids.at(id);
        const auto inputs = inputs_of(s);
        auto& mine = above[id];
        for (const auto& in : inputs) mine.insert(in.begin(), in.end());
        bool converges = false;
        for (std::size_t i = 0; i < inputs.size() && !converges; ++i)
            for (std::size_t j = i + 1; j < inputs.size() && !converges; ++j) converges = meet(inputs[i], inputs[j]);
        if (!converges || !s.atomic_diamond) continue;
        parent.emplace(id, id);
        for (long long n : mine)
            if (n > 0 && ids.contains(n)) {
                parent.emplace(n, n);
                parent[root(n)] = root(id);
            }
    }
    for (const auto& group : refresh_groups) {
        std::vector<long long> present;
        for (long long id : group)
            if (ids.contains(id)) present.push_back(id);
        if (present.size() < 2) continue;
        for (long long id : present) {
            parent.emplace(id, id);
            parent[root(id)] = root(present.front());
        }
    }
    std::map<long long, std::size_t> group_of_root;
    std::vector<std::vector<long long>> groups;
    for (long long id : order) {
        if (!parent.contains(id)) continue;
        auto [it, added] = group_of_root.emplace(root(id), groups.size());
        if (added) groups.emplace_back();
        groups[it->second].push_back(id);
    }
    return groups;
}

std::vector<std::vector<long long>> tick_units(const std::vector<stream_table_state>& all, std::int64_t now,
                                               std::int64_t default_seconds,
                                               const std::vector<std::vector<long long>>& refresh_groups) {
    const auto ids = by_id(all);
    const auto intervals = effective_intervals(all, default_seconds);
    const auto groups = atomic_groups(all, refresh_groups);
    std::map<long long, std::size_t> group_of;
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (long long id : groups[g]) group_of[id] = g;
    // A group waits for its slowest member when each of its convergence points asks for it.
    std::vector<bool> slowest(groups.size(), true), placed(groups.size(), false);
    std::map<long long, std::vector<long long>> readers;
    for (const auto& s : all)
        for (long long u : s.upstream) readers[u].push_back(s.id);
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (long long id : groups[g]) {
            const auto& s = *ids.at(id);
            const bool convergence = std::none_of(readers[id].begin(), readers[id].end(), [&](long long r) {
                return group_of.contains(r) && group_of.at(r) == g;
            });
            if (convergence && !s.slowest) slowest[g] = false;
        }
    std::vector<std::vector<long long>> units;
    for (long long id : tick_plan(all, now, default_seconds)) {
        auto it = group_of.find(id);
        if (it == group_of.end()) {
            units.push_back({id});
            continue;
        }
        const std::size_t g = it->second;
        if (placed[g]) continue;
        placed[g] = true;
        const auto& members = groups[g];
        const bool runnable = std::all_of(members.begin(), members.end(), [&](long long m) { return ids.at(m)->runnable; });
        const bool all_due = std::all_of(members.begin(), members.end(), [&](long long m) {
            const auto at = due_at(*ids.at(m), intervals);
            return at && *at <= now;
        });
        if (runnable && (!slowest[g] || all_due)) units.push_back(members);
    }
    return units;
}

std::optional<std::int64_t> due_time(const std::vector<stream_table_state>& all, long long id,
                                     std::int64_t default_seconds) {
    const auto intervals = effective_intervals(all, default_seconds);
    for (const auto& s : all)
        if (s.id == id) return due_at(s, intervals);
    return std::nullopt;
}

} // namespace pgt::sched
