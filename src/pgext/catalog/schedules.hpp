#pragma once
// The scheduler's view of the catalog: every stream table's schedule, last refresh, upstream
// stream tables and whether it may run now (ACTIVE, not backing off after errors).

#include <cstdint>
#include <string>
#include <vector>

#include "pgt/refresh_order.hpp"

namespace pgt::ext {

struct scheduled_table {
    sched::stream_table_state state;
    std::string name; ///< schema.name
    int errors = 0;   ///< consecutive failed refreshes
    std::int64_t retry_at = 0; ///< unix seconds: end of the back-off after errors
    bool held_back = false;    ///< by a watermark group not aligned (not runnable meanwhile)
    long long generation = 0;  ///< bumped by every change of its definition or storage
    std::vector<std::uint32_t> sources; ///< the relids it reads, stream tables' included
};

/// Seconds a stream table waits after `errors` consecutive failures before it is tried again.
std::int64_t backoff_seconds(int errors);

/// All stream tables, as of `now` (unix seconds).
std::vector<scheduled_table> load_schedules(std::int64_t now);

/// The refresh groups' members (create_refresh_group), by id; none on a 0.1.0 catalog.
std::vector<std::vector<long long>> load_refresh_groups();

} // namespace pgt::ext
