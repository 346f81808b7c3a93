// Where an output column of the IR comes from, followed down to a base table's column: what
// PostgreSQL's analyzer records as a target's origin (resorigtbl, resorigcol).
#include "pgt/ir/rel.hpp"

namespace pgt::ir {

namespace {

/// The input column a plain column reference `e` reads, if it is one.
std::optional<int> column_read(const expr_ptr& e) {
    if (e && e->kind == expr_kind::column) return e->index;
    return std::nullopt;
}

} // namespace

std::optional<column_source> source_of(const rel& r, int column) {
    if (column < 0 || static_cast<std::size_t>(column) >= r.columns.size()) return std::nullopt;
    auto through = [&](std::size_t input, std::optional<int> c) -> std::optional<column_source> {
        if (!c || input >= r.inputs.size()) return std::nullopt;
        return source_of(*r.inputs[input], *c);
    };
    return std::visit(
        [&](const auto& n) -> std::optional<column_source> {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, scan>) {
                return column_source{n.source->oid, n.source->columns[static_cast<std::size_t>(column)].name};
            } else if constexpr (std::is_same_v<T, project>) {
                return through(0, column_read(n.exprs[static_cast<std::size_t>(column)]));
            } else if constexpr (std::is_same_v<T, join>) {
                const int width = static_cast<int>(r.inputs[0]->columns.size());
                return column < width ? through(0, column) : through(1, column - width);
            } else if constexpr (std::is_same_v<T, aggregate>) {
                if (static_cast<std::size_t>(column) >= n.group_by.size()) return std::nullopt;
                return through(0, column_read(n.group_by[static_cast<std::size_t>(column)]));
            } else if constexpr (std::is_same_v<T, filter> || std::is_same_v<T, distinct> || std::is_same_v<T, sublink> ||
                                 std::is_same_v<T, window> || std::is_same_v<T, table_function>) {
                // Their input's columns come first, unchanged.
                if (static_cast<std::size_t>(column) >= r.inputs[0]->columns.size()) return std::nullopt;
                return through(0, column);
            } else {
                return std::nullopt; // several inputs feed one column (set operations, recursion)
            }
        },
        r.node);
}

} // namespace pgt::ir
