#pragma once
// Parallel refresh: the scheduler queues what is due in its database's queue (shared memory)
// and refresh workers (dynamic background workers it starts, at most
// pg_trickle.max_concurrent_refreshes for the database and pg_trickle.max_dynamic_refresh_workers
// in the cluster) take the refreshes from it. The scheduler does not wait for them: a long
// refresh holds back only what reads it. A unit — a stream table, or an atomic group whole —
// is queued once nothing it reads is queued or running, so upstream ones come first. Workers
// take queued refreshes until none comes for 10 s, then exit.

#include <vector>

#include "pgt/refresh_order.hpp"

namespace pgt::sched {

struct db_slot;
class quiet_tables;

/// Queues the units of a tick (tick_units: upstream first) whose stream tables are not queued
/// or running already, and whose upstream ones are not either (those wait for a later tick).
/// With max_concurrent_refreshes 1, runs them here, one after another, instead. Pending changes
/// are asked of `quiet`.
void dispatch(db_slot* slot, const std::vector<std::vector<long long>>& units, const std::vector<stream_table_state>& states,
              quiet_tables& quiet);

/// Whether refreshes the scheduler queued are not done yet.
bool refreshes_in_flight();

/// Takes note of the queued refreshes done since; returns whether there were any.
bool collect_done(db_slot* slot);

/// A scheduler attaching to `slot` takes over its queue: what a previous scheduler left queued
/// or done is dropped; returns the stream tables refresh workers are still refreshing (their
/// history rows are not interrupted ones).
std::vector<long long> take_over_queue(db_slot* slot);

} // namespace pgt::sched
