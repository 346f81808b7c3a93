#pragma once
// Which rows padded with NULLs a condition rejects: what lets an outer join under it be the
// inner (or one-sided) join PostgreSQL's planner makes of it (reduce_outer_joins).
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "frontend/pg.hpp"

namespace pgt::frontend {

/// What conditions above a relation prove about its rows, as sets of its columns: a row whose
/// columns are all NULL on some range (a side an outer join pads) is rejected when, for one
/// requirement, every set of it holds a column of that range.
class null_rejection {
public:
    /// What the conjuncts of `condition` (a filter on the row) reject.
    void add(const ir::expr_ptr& condition);
    void add(const null_rejection& other);
    /// True when a row padded with NULLs in columns [from, to) cannot pass.
    bool rejects_padding(int from, int to) const;
    /// As knowledge of the part [from, from + width) of the row.
    null_rejection part(int from, int width) const;
    /// As knowledge of a projection's input: its columns passed through as they are.
    null_rejection below(const std::vector<ir::expr_ptr>& projected) const;
    bool empty() const { return requirements_.empty(); }

private:
    using columns = std::set<int>;
    /// Each column taken to `to`'s (none: dropped, and a set left empty drops its requirement).
    null_rejection mapped(const std::function<std::optional<int>(int)>& to) const;
    std::vector<std::vector<columns>> requirements_;
};

} // namespace pgt::frontend
