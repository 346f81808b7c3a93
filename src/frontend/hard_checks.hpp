#pragma once
// Errors that make a query unusable as a stream table in every refresh mode, checked on the
// raw statement before translation.
#include "frontend/context.hpp"

namespace pgt::frontend {

/// LIMIT n / FETCH FIRST n (LIMIT ALL and LIMIT NULL do not limit).
bool has_limit(const SelectStmt* s);

/// SELECT INTO and FOR UPDATE/SHARE, refused at every level.
void check_into_and_locking(const context& ctx, const SelectStmt* s);

/// The defining query's LIMIT/OFFSET/ORDER BY: LIMIT without ORDER BY and OFFSET without
/// ORDER BY + LIMIT are errors; ORDER BY + LIMIT (TopK) is recorded as unsupported.
/// Returns true when ORDER BY is present without LIMIT and without DISTINCT ON (it has no
/// effect on a stream table).
bool check_top_level_order_and_limit(context& ctx, const SelectStmt* s);

} // namespace pgt::frontend
