#pragma once
// Errors that make a query unusable as a stream table in every refresh mode, checked on the
// raw statement before translation.
#include "frontend/context.hpp"

namespace pgt::frontend {

/// LIMIT n / FETCH FIRST n (LIMIT ALL and LIMIT NULL do not limit).
bool has_limit(const SelectStmt* s);

/// SELECT INTO and FOR UPDATE/SHARE, refused at every level.
void check_into_and_locking(const context& ctx, const SelectStmt* s);

struct top_level_order {
    /// ORDER BY without LIMIT and without DISTINCT ON: it has no effect on a stream table.
    bool ignored = false;
    /// ORDER BY + constant LIMIT [OFFSET]: a TopK stream table (keys filled in later).
    std::optional<ir::topk> topk;
};

/// The defining query's LIMIT/OFFSET/ORDER BY: LIMIT without ORDER BY and OFFSET without
/// ORDER BY + LIMIT are errors; a LIMIT or OFFSET that is not a constant is recorded as
/// unsupported.
top_level_order check_top_level_order_and_limit(context& ctx, const SelectStmt* s);

} // namespace pgt::frontend
