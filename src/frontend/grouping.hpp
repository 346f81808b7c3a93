#pragma once
// Aggregate queries: expressions translated over the FROM row are rebased onto the
// aggregate node's output (group keys, then aggregates), with PostgreSQL's grouping check.
#include <functional>
#include <vector>

#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

/// What an aggregate query level hands to build_grouping: expressions over the FROM row.
struct grouping_request {
    std::vector<ir::expr_ptr> keys;
    std::vector<ir::expr_ptr> targets;
    ir::expr_ptr having;
    std::vector<ir::expr_ptr> order_by;
    /// Outer values read by subqueries evaluated per group: each must be grouped (42803
    /// "subquery uses ungrouped column … from outer query" otherwise).
    std::vector<ir::expr_ptr> subquery_outer;
    /// Other expressions evaluated per group (left-hand sides of IN/ANY/ALL subqueries).
    std::vector<ir::expr_ptr> extras;
    /// Applied to the aggregate node (keeping its columns, maybe adding some after them): a
    /// lifted subquery restores the groups of D that have no rows, grouping sets become a
    /// union of aggregates.
    std::function<ir::rel_ptr(const ir::rel_ptr&)> after_aggregate;
    /// Columns of a table whose primary key is grouped may be read (not with grouping sets).
    bool functional_dependency = true;
};

struct grouped {
    ir::rel_ptr rel;                   ///< the aggregate (HAVING not applied)
    std::vector<ir::expr_ptr> targets; ///< the select list over `rel`
    ir::expr_ptr having;               ///< HAVING over `rel`, nullptr without
    std::vector<ir::expr_ptr> subquery_outer, extras; ///< the request's, over `rel`
};

/// Builds the aggregate over `input` (keys and aggregate arguments are expressions over
/// it). Every column the select list, HAVING and ORDER BY read outside an aggregate must be
/// a group key, part of one, or functionally dependent on a grouped primary key (then it
/// becomes a key too); otherwise 42803. Aggregates only ORDER BY reads are dropped.
grouped build_grouping(context& ctx, const ir::rel_ptr& input, const std::vector<column_origin>& origins,
                       const agg_collector& aggs, grouping_request req);

} // namespace pgt::frontend
