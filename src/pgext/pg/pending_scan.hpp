#pragma once
// Counting a change buffer's pending records without a statement: a refresh asks how many
// records its frontier has not passed (capture.hpp's pending_rows, the same rule) before it
// chooses its plan, and AUTO counts up to where its choice is made. As SQL, each record cost
// two pg_visible_in_snapshot calls and the expression evaluator around them (about 0.3 µs,
// three times a plain count of the rows): counting to where AUTO recomputes cost a fifth of
// the recomputation. Here each record costs a heap visibility test and two binary searches.

#include <cstdint>
#include <optional>
#include <string>

#include "pg/spi.hpp"

namespace pgt::pg {

/// Pending records of a buffer, counted up to a limit.
struct pending_count {
    long long records = 0;  ///< at most the limit
    long long inserted = 0; ///< of those, insertions ('I')
    bool truncated = false; ///< a TRUNCATE marker ('T') among them
    /// When the scan read every row: the oldest transaction id among the rows the snapshot
    /// sees, applied or not (its xmax when it sees none). A trim below it has nothing to delete.
    std::optional<std::uint64_t> oldest;
    /// When the scan read every row: the first page holding a row the frontier may not have
    /// applied (one whose transaction is not below its xmin, or is its own), pending or not,
    /// visible or not. A statement reading the pending rows under the same snapshot finds none
    /// before it. (None: no such row.)
    std::optional<std::uint32_t> first_unapplied_page;
    /// When the scan read every row: every row the snapshot sees is pending. A statement under
    /// the same snapshot then reads the pending rows without testing each against the frontier.
    bool only_pending = false;
};

/// A frontier as a stream table's catalog row keeps it: the snapshot (pg_snapshot's text),
/// the refreshing transaction's id and its statement number.
struct frontier_text {
    std::string snapshot, xid, stmt;
};

/// Counts, under `snap`, the rows of change buffer `buffer` that `frontier` has not applied and
/// that are visible now (their transaction visible in `snap`, or the current one), up to
/// `limit`; with `marker_past_limit`, a pending TRUNCATE marker is looked for among the rest.
/// `oldest`, `first_unapplied_page` and `only_pending` are known when the scan did not stop at
/// the limit. Without `marker_past_limit` (a count that may stop at
/// the limit) the buffer is read from its last page back: pending records are usually the
/// newest, at the end of the heap (unless VACUUM freed earlier pages for them), and the rows
/// before them applied ones awaiting a trim; a sample of its pages first may show that it would
/// reach the limit (pending_scan.cpp). The pages are not pruned.
pending_count count_pending(unsigned buffer, const frontier_text& frontier, long long limit, const spi::snapshot& snap,
                            bool marker_past_limit = false);

/// What a change buffer stores: its row versions and its pages.
struct buffer_contents {
    long long row_versions = 0, pages = 0;
};

/// What change buffer `buffer` stores, when every row version in it was written by a
/// transaction before `horizon` (a full id); nullopt when one was written by `horizon` or a later
/// one. Every row version stored counts, visible or not (a dead or an aborted one too: when
/// unsure the caller keeps the buffer), so no visibility is tested and no hint bit set: as a
/// statement, the first read of a million rows just written spent 60 % of its time setting
/// them. The caller holds a lock that keeps writers out.
std::optional<buffer_contents> row_versions_below(unsigned buffer, std::uint64_t horizon);

} // namespace pgt::pg
