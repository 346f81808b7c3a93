#pragma once
// Errors that make a query unusable as a stream table in every refresh mode, checked on the
// raw statement before translation.
#include <optional>

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

/// A subquery's LIMIT/OFFSET: the rows it keeps of its ORDER BY, numbered per evaluation.
struct row_limit {
    std::optional<long long> count; ///< LIMIT n; none: OFFSET alone
    long long offset = 0;
    bool with_ties = false; ///< FETCH FIRST n ROWS WITH TIES
};
/// A subquery's constant LIMIT/OFFSET under an ORDER BY; nullopt when it has none, when it
/// cannot change the answer (a positive LIMIT under EXISTS), or when it is recorded as
/// unsupported (no ORDER BY: the rows kept are any; not a constant).
std::optional<row_limit> subquery_row_limit(context& ctx, const SelectStmt* s, bool exists_test);

/// The defining query's LIMIT/OFFSET/ORDER BY: LIMIT without ORDER BY and OFFSET without
/// ORDER BY + LIMIT are errors; a LIMIT or OFFSET that is not a constant is recorded as
/// unsupported.
top_level_order check_top_level_order_and_limit(context& ctx, const SelectStmt* s);

} // namespace pgt::frontend
