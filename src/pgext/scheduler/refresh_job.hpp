#pragma once
// One scheduled refresh, in the scheduler or a refresh worker, each step in a transaction of
// its own:
//   1. is anything pending? if so, a RUNNING history row is committed (a crash leaves a trace);
//   2. the refresh, which completes that row;
//   3. on error: the row is marked FAILED, the error counted (and the stream table suspended
//      after pg_trickle.max_consecutive_errors), and NOTIFY pgtrickle_alert tells listeners.

namespace pgt::sched {

/// Refreshes stream table `id` if it has pending changes. Returns true if it refreshed.
bool run_scheduled_refresh(long long id);

/// Refreshes the atomic group of stream table `id` (refresh/atomic_group.hpp) in one
/// transaction, each member that has pending changes; on error the group is rolled back, and
/// the member that failed has its error counted and alerted as in a single refresh.
bool run_group_refresh(long long id);

} // namespace pgt::sched
