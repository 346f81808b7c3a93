#pragma once
// AUTO in the server (pgt/auto_choice.hpp decides): each refresh of a stream table created with
// refresh_mode => 'AUTO' and maintained differentially counts its pending change (in the
// statements that look for one anyway) and chooses between DIFFERENTIAL and FULL from the costs
// kept in its catalog row (auto_costs, read with it at no cost); pgt_refresh_history records
// each AUTO refresh's change records and its reason.

#include <optional>
#include <string>
#include <vector>

#include "catalog/stream_table.hpp"

namespace pgt::ext {

/// A source's pending change records (an UPDATE is a deletion and an insertion), the rows they
/// change (the larger of their deletions and insertions) and the source's rows.
struct auto_source_change {
    long long records = 0;
    long long changed_rows = 0;
    double rows = 0;
    bool counted_all = true; ///< the count did not stop at its limit
};

/// How many change records of a source an AUTO refresh of `st` counts (and one more), its
/// sources having `source_rows` rows: past that many it recomputes whatever the count
/// (auto_choice::decisive_records).
long long auto_count_limit(const stream_table& st, double source_rows);

struct auto_decision {
    bool full = false;
    long long change_records = 0;
    std::string reason;
    double forgone_ms = 0; ///< auto_choice::decision's
    bool explored = false;  ///< auto_choice::decision's
};

/// The choice for AUTO stream table `st` with these pending changes, one per source
/// (`index_missing`: its storage's row-id index must be rebuilt before they can be applied).
/// `unplanned`: this session has no plan yet for the statement that applies such a change.
auto_decision choose_auto(const stream_table& st, const std::vector<auto_source_change>& sources, bool index_missing, bool unplanned);

/// `st`'s auto_costs after a refresh that took `ms`: a full one (chosen as `choice` says, if
/// AUTO chose), or a differential one of `change_records`, which planned its statement in
/// `planning_ms` (measured apart, if it did); as the text of a float8[].
std::string measured_costs(const stream_table& st, bool full, long long change_records, double ms, std::optional<double> planning_ms,
                           const std::optional<auto_decision>& choice);

/// `st`'s auto_costs after a differential refresh that rebuilt the row-id index first (not
/// measured: the rebuild and the planning it forces are in its time): the run of
/// recomputations that paid for the rebuild ends.
std::string costs_after_index_rebuilt(const stream_table& st);

} // namespace pgt::ext
