#pragma once
// Parallel refresh: a tick's refreshes run at most pg_trickle.max_concurrent_refreshes at once,
// in the scheduler and in refresh workers (dynamic background workers it starts, within the
// cluster's pg_trickle.max_dynamic_refresh_workers). A refresh is queued once the stream tables
// it reads that the tick also refreshes are done, so upstream ones come first and a diamond's
// meeting point sees both its sides refreshed. Workers take queued refreshes until none comes
// for 10 s, then exit.

#include <vector>

#include "pgt/refresh_order.hpp"

namespace pgt::sched {

struct db_slot;

/// Runs `plan` (stream table ids, upstream first) for the scheduler of `slot`; returns when
/// every refresh of it is done (or at shutdown).
void run_plan(db_slot* slot, const std::vector<long long>& plan, const std::vector<stream_table_state>& states);

/// A scheduler attaching to `slot` takes over its queue: what a previous scheduler left queued
/// or done is dropped; returns the stream tables refresh workers are still refreshing (their
/// history rows are not interrupted ones).
std::vector<long long> take_over_queue(db_slot* slot);

} // namespace pgt::sched
