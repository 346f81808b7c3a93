#pragma once
/// \file
/// AUTO refresh: the choice between applying a stream table's pending changes (DIFFERENTIAL) and
/// recomputing it (FULL), from the size of the change and what its own refreshes measured.
///   - Otherwise, a change of more than `max_change_ratio` of its sources' rows (0: no such cap)
///     recomputes. Rows changed, not change records: an UPDATE of a row is one changed row
///     (a deletion and an insertion in the change buffer).
///   - A change whose counting stopped early (at `decisive_records`: more are pending, perhaps
///     a TRUNCATE) recomputes.
///   - A change of at most `tiny_change_records`, or of at most `tiny_change_ratio` of the rows,
///     is always applied: figures gone stale must never make a few changed rows recompute
///     everything, and on small tables, where either costs little, the stream table stays
///     visibly incremental.
///   - Otherwise DIFFERENTIAL is estimated as a fixed cost plus a cost per change record, a line
///     fitted to its differential refreshes (recent ones weighing more), and FULL as its recent
///     full loads took; before differential refreshes of different sizes were measured, a change
///     record is priced as `prior_rows_per_change` source rows of a full recomputation, or as
///     what the measured ones cost per change record (fixed part included) where that is less.
///   - Where a recomputation left the storage's row-id index out (refresh: a large result), a
///     differential refresh first rebuilds it, priced as a full load less what the
///     recomputations chosen since, each of a change it could have applied, cost beyond applying
///     it (`forgone_ms`): a run of changes cheaper to apply pays for the rebuild by its second
///     refresh or so, instead of being recomputed for ever because each alone did not.
///   - A differential refresh's measure leaves out the planning of its statement, measured
///     apart: a session plans it once per size of change and keeps it, so a change whose
///     statement this session has not planned yet is priced with what planning it cost (a
///     refresh made by a new session each time pays it every time).
///   - The choice changes only when the other is estimated cheaper by more than `hysteresis`,
///     so that estimates near the break-even point do not flip it at every refresh. A change
///     applied to learn its cost (below) was not chosen: the next choice weighs both modes as
///     estimated.
///   - A line fitted to small changes overprices large ones, whose plans hash whole tables
///     instead of probing them row by row: a change of more than `explored_growth` times the
///     largest one applied so far, estimated at no more than `explore_cost` full loads, is
///     applied once to learn what it costs (the next ones of that size choose by it). Before
///     any differential refresh was measured, the estimate is the prior alone, and a
///     recomputation teaches nothing about applying: a change of at most `first_explore_ratio`
///     of the rows (and below the cap) is applied once whatever the prior says, unless the
///     row-id index would have to be rebuilt for it (about a full load more).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pgt/detail/no_postgres.hpp"

namespace pgt::auto_choice {

inline constexpr double prior_rows_per_change = 20;
inline constexpr double hysteresis = 1.15;
inline constexpr double tiny_change_ratio = 0.001;
inline constexpr long long tiny_change_records = 1000;
inline constexpr double explored_growth = 4;
inline constexpr double explore_cost = 2;
inline constexpr double first_explore_ratio = 0.15;
/// The least standard deviation of the measured sizes, as a share of their mean, that a line is
/// fitted to.
inline constexpr double min_size_spread = 0.25;

/// What a stream table's refreshes measured, kept as a float8[] in its catalog row.
struct measured {
    double full_ms = 0; ///< a moving average of its full loads; 0: none measured
    /// Decayed sums over its differential refreshes of (change records x, milliseconds y).
    double w = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    bool last_full = false; ///< its last refresh recomputed
    double largest = 0;     ///< the most change records a measured differential refresh applied
    double planning_ms = 0; ///< a moving average of what planning a differential statement cost
    /// What the recomputations in a row up to the last one, each chosen while the row-id index
    /// was missing for a change counted whole, were estimated to cost beyond applying it.
    double forgone_ms = 0;
    bool last_explored = false; ///< its last refresh applied a change to learn its cost
    /// planning_ms's place among values() as SQL numbers an array's elements (from 1).
    static constexpr int planning_ms_position = 9;

    /// From the catalog's values (seven before `largest` was kept, eight before `planning_ms`,
    /// nine before `forgone_ms`, ten before `last_explored`, eleven; anything else: nothing
    /// measured).
    static measured from(const std::vector<double>& values);
    std::vector<double> values() const;
    /// A full load of `ms`. A positive `forgone` (decision::forgone_ms) adds to the run of
    /// recomputations that forwent applying; none ends the run.
    void add_full(double ms, double forgone = 0);
    /// A differential refresh; `explored`: the change was applied to learn its cost
    /// (decision::explored).
    void add_differential(double change_records, double ms, bool explored = false);
    void add_planning(double ms);
    /// The fitted line's (slope, intercept), once sizes differ enough to tell them apart
    /// (min_size_spread) and it rises.
    std::optional<std::pair<double, double>> line() const;
};

/// A refresh's pending change: its change records (an UPDATE is a deletion and an insertion),
/// the share of all its sources' rows it changes (per source the larger of the rows it deletes
/// and inserts), and those rows.
struct change {
    long long records = 0;
    double ratio = 0;
    double source_rows = 0;
    /// False when counting stopped early (past the cap, and past tiny_change_records): there
    /// are more, perhaps a TRUNCATE among them, and the stream table is recomputed.
    bool counted_all = true;
    /// Applying it must first rebuild the storage's row-id index, which a recomputation of a
    /// large result left out: priced as a full load, less measured::forgone_ms.
    bool index_missing = false;
    /// This session has not planned the statement that applies a change of this size.
    bool unplanned = false;
};

struct decision {
    bool full = false;
    std::string reason;
    /// A recomputation chosen while the row-id index was missing, of a change counted whole:
    /// what it is estimated to cost beyond applying that change (measured::add_full).
    double forgone_ms = 0;
    bool explored = false; ///< DIFFERENTIAL, to learn what applying a change of its size costs
};

decision decide(const measured& m, const change& c, double max_change_ratio);

/// The change records past which `decide` recomputes whatever the exact count: the cap, or
/// below it the point past which FULL is estimated cheaper (with the hysteresis), never below
/// what is always applied (shares of rows as records: twice their rows, each changed row being
/// at most a deletion and an insertion). A refresh counts a source's pending records up to it (and one more):
/// counting further tells nothing and costs a visibility test per record. A missing row-id
/// index does not lower it: a change that would be cheaper applied is counted whole, so that
/// what recomputing it forgoes counts towards the rebuild.
long long decisive_records(const measured& m, double source_rows, double max_change_ratio);

} // namespace pgt::auto_choice
