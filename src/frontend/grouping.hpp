#pragma once
// Aggregate queries: expressions translated over the FROM row are rebased onto the
// aggregate node's output (group keys, then aggregates), with PostgreSQL's grouping check.
#include <vector>

#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

struct grouped {
    ir::rel_ptr rel;                   ///< the aggregate, filtered by HAVING
    std::vector<ir::expr_ptr> targets; ///< the select list over `rel`
};

/// Builds the aggregate over `input` (keys and aggregate arguments are expressions over
/// it). Every column the select list, HAVING and ORDER BY read outside an aggregate must be
/// a group key, part of one, or functionally dependent on a grouped primary key (then it
/// becomes a key too); otherwise 42803. Aggregates only ORDER BY reads are dropped.
grouped build_grouping(context& ctx, const ir::rel_ptr& input, const std::vector<column_origin>& origins,
                       std::vector<ir::expr_ptr> keys, const agg_collector& aggs,
                       const std::vector<ir::expr_ptr>& targets, const ir::expr_ptr& having,
                       const std::vector<ir::expr_ptr>& order_by);

} // namespace pgt::frontend
