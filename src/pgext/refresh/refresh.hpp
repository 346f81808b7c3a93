#pragma once
// The refresh executor. A refresh takes one snapshot after locking the stream table and does
// everything that reads data under it: the check for pending changes, the delta (or the full
// recomputation) and the new frontier — so a change committed by a concurrent writer is
// either in that snapshot (applied now, and passed by the frontier) or not (left for the next
// refresh), never lost and never applied twice.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/stream_table.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

/// Who asks: a user, the scheduler, or the stream table's creation. (IMMEDIATE maintenance is
/// immediate/immediate's.)
enum class initiator { manual, scheduler, initial };

/// What a refresh did, as pgt_refresh_history.action names it.
enum class refresh_action { no_data, full, differential, reinitialize };
const char* action_name(refresh_action a);

struct refresh_outcome {
    refresh_action action = refresh_action::no_data;
    long long inserted = 0, deleted = 0;
};

struct compiled_query;

/// Recomputes `st` (and its state tables) as `owner`, reading under `snap`: the full branch of
/// a refresh, also IMMEDIATE maintenance after a TRUNCATE.
refresh_outcome reload(const stream_table& st, compiled_query& comp, unsigned owner, const spi::snapshot& snap);

/// A statement's planning, timed: from `since` until its plan is made, `ms`.
struct planning_clock {
    std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
    double ms = 0;
};

/// Runs `delta`, a differential refresh statement of `comp`, as `owner` (under `snap`, or the
/// current snapshot), then for a TopK makes the stream table the first rows of its state. An
/// uncounted statement (lower::refresh_plan::counted) reports the rows it changed as inserted.
/// With `planning`, its (generic) plan is made first and the time until then noted there. With
/// `fill` (delta_statements), `fill` takes `params` and computes the change into the stage that
/// `delta` applies. With a valid `insert_rows` (delta_statements), it inserts the rows `delta`
/// returns when `delta` counts some inserted.
refresh_outcome apply_delta(compiled_query& comp, unsigned owner, const spi::plan& delta, bool counted,
                            const std::vector<spi::param>& params, const spi::snapshot* snap, planning_clock* planning = nullptr,
                            const spi::plan* fill = nullptr, const spi::plan* insert_rows = nullptr);

/// Why `delta`, a differential statement of stream table `st` (`comp`; prepared generic, not
/// run yet), is not to be run: the planner prices it above delta_cost_limit times recomputing
/// the stream table (comp.load.select) and above delta_cost_floor, as it does a statement that
/// would join a change with whole tables many times over (nested correlated subqueries
/// decorrelated, each reading the changed table). The reason is also sent as a NOTICE. nullopt
/// to run it. Makes its generic plan, as `owner` under the settings deltas run with.
std::optional<std::string> costlier_than_recompute(const stream_table& st, compiled_query& comp, unsigned owner, const spi::plan& delta);

/// Runs `attempt` in a subtransaction. When it raises a data exception (SQLSTATE class 22, or
/// 0A000, which PostgreSQL raises for a NaN or an infinity cast to an integer) it is rolled
/// back and `instead` runs, with a notice naming `st`, the error, `attempted` and
/// `done_instead`: maintenance can evaluate an expression on a row the query's own plan never
/// reaches (its planner proves a join empty, filters first, or drops a subquery's column nothing
/// reads), and the query afresh is what the stream table must hold. An error `instead` raises
/// too is the query's own. Returns true when it fell back.
bool on_data_exception(const stream_table& st, const std::function<void()>& attempt, const char* attempted,
                       const std::function<void()>& instead, const char* done_instead);

/// The snapshot an atomic group's refreshes share (pinned by refresh_group before the first).
struct group_snapshot {
    /// The transaction had written before the group (otherwise pinning gave it its id).
    bool wrote_before = false;
    /// The WAL-captured sources whose changes committed before the snapshot are decoded and
    /// visible in it.
    std::vector<unsigned> decoded;
};

/// Refreshes stream table `id`. Errors propagate (the caller owns the transaction or
/// subtransaction and records the failure). `history` is a RUNNING history row the caller
/// committed beforehand (so that a crash leaves a trace); it is completed instead of a new
/// row being added. `recompute`: a full recomputation whatever its mode and pending changes (a
/// round of a cycle's fixed point, refresh/fixpoint). `group`: of an atomic group's member.
refresh_outcome refresh(long long id, initiator who, std::optional<long long> history = std::nullopt,
                        bool recompute = false, const group_snapshot* group = nullptr);

/// Records a failed refresh: the history row (`history`, or a new one) with the error's SQLSTATE
/// and message, last error, error count, suspension after `max_errors` consecutive failures.
/// Returns true when it was suspended.
bool record_failure(long long id, initiator who, const std::string& sqlstate, const std::string& message, int max_errors,
                    std::optional<long long> history = std::nullopt);

/// Records a refresh its worker was asked to give up (the server shutting down): the history row
/// (`history`, or a new one) only, failed with `sqlstate` and `message`. The stream table's
/// status and error count are left as they were: its changes are still pending, for the next
/// refresh.
void record_interruption(long long id, initiator who, const std::string& sqlstate, const std::string& message,
                         std::optional<long long> history = std::nullopt);

/// Changes waiting in the stream table's source buffers (a positive count also when it was
/// never populated or needs reinitialising).
long long pending_changes(long long id);
/// Whether stream table `id` has changes waiting (or needs its first or a full refresh): what
/// pending_changes tells apart from 0, found without counting them.
bool has_pending_changes(long long id);
/// Whether stream table `id` may have to take rows away at its next refresh, because of a
/// source other than those in `besides`: a deletion (an update's too) or a TRUNCATE waiting
/// in its buffer, a source captured from the WAL (whose changes are not all decoded yet) or not
/// captured at all, or a stream table that is not populated and current.
bool may_remove_rows(long long id, const std::vector<unsigned>& besides);

/// Changes in the buffer of `source_relid` that stream table `id` has not applied (every one
/// before its first refresh).
long long pending_rows(long long id, unsigned source_relid);

} // namespace pgt::ext
