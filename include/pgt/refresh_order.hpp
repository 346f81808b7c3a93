#pragma once
/// \file
/// The scheduler's decisions, server-independent: which stream tables a tick refreshes and in
/// what order. A stream table is *due* when its schedule has elapsed since its last refresh;
/// a tick refreshes, in topological order (upstream first), every due stream table and every
/// stream table upstream of one — so that a reader never sees an upstream that is behind the
/// others it reads (diamonds stay consistent) — skipping those without pending changes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/schedule.hpp"

namespace pgt::sched {

/// How closely the scheduler watches a stream table for changes: a `hot` one at every tick
/// while it is due, the others once every watch_multiplier() of its intervals.
enum class tier { hot, warm, cold, frozen };

/// 1, 5, 30, 60.
int watch_multiplier(tier t);
/// `hot`, `warm`, `cold` or `frozen` (as the catalog spells them; pgtrickle._tier classifies a
/// stream table no tier was set for); nullopt otherwise.
std::optional<tier> parse_tier(const std::string& name);

struct stream_table_state {
    long long id = 0;
    schedule when = calculated_schedule{};
    std::optional<std::int64_t> last_refresh; ///< unix seconds; nullopt: never refreshed
    std::vector<long long> upstream;          ///< stream tables it reads
    std::vector<std::uint32_t> tables;        ///< the other relations it reads (relids)
    bool runnable = true;                     ///< ACTIVE and not backing off after an error
    bool atomic_diamond = true;               ///< diamond_consistency 'atomic'
    bool slowest = false;                     ///< diamond_schedule_policy 'slowest'
    /// Seconds its recent scheduled refreshes took (auto_backoff; 0: not backing off).
    double recent_refresh_seconds = 0;
    tier watch = tier::hot;
};

/// auto_backoff: `interval` (seconds) doubled until the refreshes' `cost` (seconds) is at most
/// 95 % of it, 8 times at most; as is when the refreshes fit.
std::int64_t backed_off(std::int64_t interval, double cost);

/// Seconds between refreshes of each stream table with a duration or `calculated` schedule: a
/// calculated one takes the tightest interval among the stream tables reading it (directly or
/// not), or `default_seconds` when none has one; then backed_off by its own refreshes' cost.
/// Cron stream tables have no interval.
std::map<long long, std::int64_t> effective_intervals(const std::vector<stream_table_state>& all,
                                                      std::int64_t default_seconds);

/// Stream tables ordered so that each comes after those it reads; the members of a cycle
/// (pg_trickle.allow_circular) come together, by id, after what the cycle reads.
std::vector<long long> topological_order(const std::vector<stream_table_state>& all);

/// The cycles of the graph: its strongly connected components of two or more stream tables, or
/// of one that reads itself. Each by id, in refresh order (upstream first).
std::vector<std::vector<long long>> cycles(const std::vector<stream_table_state>& all);

/// The stream tables a tick at `now` (unix seconds) should consider, in refresh order: the due
/// ones and everything upstream of them.
std::vector<long long> tick_plan(const std::vector<stream_table_state>& all, std::int64_t now,
                                 std::int64_t default_seconds);

/// Atomic diamonds: a stream table that reads one relation (a table or a stream table) through
/// two of its inputs, with diamond_consistency 'atomic', refreshes with every stream table
/// upstream of it as one group: in one transaction, all reading the sources as of one
/// snapshot, so it never joins two sides at different versions. So do the members of each of
/// `refresh_groups` (create_refresh_group; ids not in `all` are left out), and of each cycle,
/// which refreshes to its fixed point. Groups sharing a member are one group. Each group in
/// refresh order (upstream first); groups ordered by first member.
std::vector<std::vector<long long>> atomic_groups(const std::vector<stream_table_state>& all,
                                                  const std::vector<std::vector<long long>>& refresh_groups = {});

/// What a tick at `now` refreshes, as units in refresh order: a stream table alone, or an
/// atomic group whole. A group is in when one of its members is in tick_plan ('fastest', the
/// default), or when all of its members are due ('slowest': every convergence point of it
/// asks for it), and every member is runnable.
std::vector<std::vector<long long>> tick_units(const std::vector<stream_table_state>& all, std::int64_t now,
                                               std::int64_t default_seconds,
                                               const std::vector<std::vector<long long>>& refresh_groups = {});

/// Of `units` (tick_units at `now_ms`, unix ms), those to look at for changes now: a unit whose
/// members are all warm, cold or frozen is looked at once every watch_multiplier() of its
/// shortest interval (cron ones: of a minute). `resume_at` holds, for the members of each unit
/// held back so, the unix ms at which it is looked at again; it is updated.
std::vector<std::vector<long long>> watched_units(const std::vector<stream_table_state>& all,
                                                  const std::vector<std::vector<long long>>& units, std::int64_t now_ms,
                                                  std::int64_t default_seconds, std::map<long long, std::int64_t>& resume_at);

/// Unix seconds at which each stream table is next due; those never due (not runnable, or a
/// cron schedule with no next time) are left out.
std::map<long long, std::int64_t> due_times(const std::vector<stream_table_state>& all, std::int64_t default_seconds);

} // namespace pgt::sched
