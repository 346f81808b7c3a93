#pragma once
// The refresh executor. A refresh takes one snapshot after locking the stream table and does
// everything that reads data under it: the check for pending changes, the delta (or the full
// recomputation) and the new frontier — so a change committed by a concurrent writer is
// either in that snapshot (applied now, and passed by the frontier) or not (left for the next
// refresh), never lost and never applied twice.

#include <optional>
#include <string>

#include "core/stream_table.hpp"

namespace pgt::ext {

/// Who asks: a user, the scheduler, the stream table's creation, or the end of a statement
/// that changed a source of an IMMEDIATE stream table (no history row for those).
enum class initiator { manual, scheduler, initial, immediate };

struct refresh_outcome {
    std::string action; ///< NO_DATA, FULL, DIFFERENTIAL, REINITIALIZE
    long long inserted = 0, deleted = 0;
};

/// Refreshes stream table `id`. Errors propagate (the caller owns the transaction or
/// subtransaction and records the failure). `history` is a RUNNING history row the caller
/// committed beforehand (so that a crash leaves a trace); it is completed instead of a new
/// row being added.
refresh_outcome refresh(long long id, initiator who, std::optional<long long> history = std::nullopt);

/// Records a failed refresh: the history row (`history`, or a new one), last error, error count,
/// suspension after `max_errors` consecutive failures. Returns true when it was suspended.
bool record_failure(long long id, initiator who, const std::string& message, int max_errors,
                    std::optional<long long> history = std::nullopt);

/// Changes waiting in the stream table's source buffers (a positive count also when it was
/// never populated or needs reinitialising).
long long pending_changes(long long id);

/// Changes in the buffer of `source_relid` that stream table `id` has not applied (every one
/// before its first refresh).
long long pending_rows(long long id, unsigned source_relid);

} // namespace pgt::ext
