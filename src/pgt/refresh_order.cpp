#include "pgt/refresh_order.hpp"

#include <algorithm>
#include <functional>
#include <set>


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

int watch_multiplier(tier t) {
    switch (t) {
    case tier::hot: return 1;
    case tier::warm: return 5;
    case tier::cold: return 30;
    case tier::frozen: return 60;
    }
    return 1;
}

std::optional<tier> parse_tier(const std::string& name) {
    if (name == "hot") return tier::hot;
    if (name == "warm") return tier::warm;
    if (name == "cold") return tier::cold;
    if (name == "frozen") return tier::frozen;
    return std::nullopt;
}

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
        if (!visiting.insert(id).second) return std::nullopt; // around a cycle: its other readers decide
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

namespace {

/// Tarjan's strongly connected components, over the edges from a stream table to those it
/// reads: each component comes out after every one it reads.
std::vector<std::vector<long long>> components(const std::vector<stream_table_state>& all) {
    const auto ids = by_id(all);
    std::map<long long, int> index, low;
    std::set<long long> on_stack;
    std::vector<long long> stack;
    std::vector<std::vector<long long>> out;
    int next = 0;
    std::function<void(long long)> visit = [&](long long id) {
        index[id] = low[id] = next++;
        stack.push_back(id);
        on_stack.insert(id);
        for (long long u : ids.at(id)->upstream) {
            if (!ids.contains(u)) continue;
            if (!index.contains(u)) {
                visit(u);
                low[id] = std::min(low[id], low[u]);
            } else if (on_stack.contains(u)) {
                low[id] = std::min(low[id], index[u]);
            }
        }
        if (low[id] != index[id]) return;
        std::vector<long long> component;
        long long member = 0;
        do {
            member = stack.back();
            stack.pop_back();
            on_stack.erase(member);
            component.push_back(member);
        } while (member != id);
        std::sort(component.begin(), component.end());
        out.push_back(std::move(component));
    };
    for (const auto& s : all)
        if (!index.contains(s.id)) visit(s.id);
    return out;
}

/// The components in order, one after another.
std::vector<long long> flattened(const std::vector<std::vector<long long>>& components) {
    std::vector<long long> order;
    for (const auto& c : components) order.insert(order.end(), c.begin(), c.end());
    return order;
}

/// The components that are cycles: two or more members, or one reading itself.
std::vector<std::vector<long long>> cycles_of(const std::vector<stream_table_state>& all,
                                              std::vector<std::vector<long long>> components) {
    const auto ids = by_id(all);
    std::vector<std::vector<long long>> out;
    for (auto& c : components) {
        const auto& up = ids.at(c.front())->upstream;
        if (c.size() > 1 || std::find(up.begin(), up.end(), c.front()) != up.end()) out.push_back(std::move(c));
    }
    return out;
}

} // namespace

std::vector<long long> topological_order(const std::vector<stream_table_state>& all) { return flattened(components(all)); }

std::vector<std::vector<long long>> cycles(const std::vector<stream_table_state>& all) { return cycles_of(all, components(all)); }

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
    const auto graph = components(all); // (once: the order and the cycles)
    const auto order = flattened(graph);
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
    for (const auto& cycle : cycles_of(all, graph)) {
        for (long long id : cycle) {
            parent.emplace(id, id);
            parent[root(id)] = root(cycle.front());
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
    std::vector<bool> slowest(groups.size(), true), placed(groups.size(), false), converges(groups.size(), false);
    std::map<long long, std::vector<long long>> readers;
    for (const auto& s : all)
        for (long long u : s.upstream) readers[u].push_back(s.id);
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (long long id : groups[g]) {
            const auto& s = *ids.at(id);
            const bool convergence = std::none_of(readers[id].begin(), readers[id].end(), [&](long long r) {
                return group_of.contains(r) && group_of.at(r) == g;
            });
            if (convergence) converges[g] = true;
            if (convergence && !s.slowest) slowest[g] = false;
        }
    // (A cycle alone has no convergence point: it is due when one of its members is.)
    for (std::size_t g = 0; g < groups.size(); ++g)
        if (!converges[g]) slowest[g] = false;
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

namespace {

/// Milliseconds between two looks at a unit whose members are all `watched` less closely than
/// hot; 0 when one of them is hot.
std::int64_t watch_period_ms(const std::map<long long, const stream_table_state*>& ids,
                             const std::map<long long, std::int64_t>& intervals, const std::vector<long long>& unit) {
    std::int64_t period = 0;
    for (long long id : unit) {
        auto it = ids.find(id);
        if (it == ids.end() || it->second->watch == tier::hot) return 0;
        const auto interval = intervals.find(id);
        const std::int64_t seconds = interval == intervals.end() ? 60 : interval->second;
        const std::int64_t mine = seconds * 1000 * watch_multiplier(it->second->watch);
        period = period == 0 ? mine : std::min(period, mine);
    }
    return period;
}

} // namespace

std::vector<std::vector<long long>> watched_units(const std::vector<stream_table_state>& all,
                                                  const std::vector<std::vector<long long>>& units, std::int64_t now_ms,
                                                  std::int64_t default_seconds, std::map<long long, std::int64_t>& resume_at) {
    const auto ids = by_id(all);
    const auto intervals = effective_intervals(all, default_seconds);
    std::vector<std::vector<long long>> out;
    for (const auto& unit : units) {
        const std::int64_t period = watch_period_ms(ids, intervals, unit);
        if (auto it = resume_at.find(unit.front()); period > 0 && it != resume_at.end() && now_ms < it->second) continue;
        for (long long id : unit) {
            if (period > 0)
                resume_at[id] = now_ms + period;
            else
                resume_at.erase(id);
        }
        out.push_back(unit);
    }
    return out;
}

std::map<long long, std::int64_t> due_times(const std::vector<stream_table_state>& all, std::int64_t default_seconds) {
    const auto intervals = effective_intervals(all, default_seconds);
    std::map<long long, std::int64_t> out;
    for (const auto& s : all)
        if (auto at = due_at(s, intervals)) out[s.id] = *at;
    return out;
}

} // namespace pgt::sched
