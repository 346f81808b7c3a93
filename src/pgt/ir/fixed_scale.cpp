// The display scale every value of a numeric expression has, where it is fixed: what a running
// sum needs in order to print as PostgreSQL's fresh sum prints (1.5 + 2 − 1.5 is 2.0, the sum
// of 2 alone is 2).
#include <algorithm>
#include <functional>

#include "pgt/ir/rel.hpp"

#include "../value/typmod.hpp"

namespace pgt::ir {

namespace {

std::optional<int> literal_scale(const std::string& text) {
    const auto point = text.find('.');
    if (text.find_first_of("eE") != std::string::npos) return std::nullopt;
    return point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
}

using column_scale_fn = std::function<std::optional<int>(int)>;

std::optional<int> scale_of(const expr& e, const column_scale_fn& column_scale) {
    if (is_integer(e.type.kind)) return 0;
    if (e.type.kind != type_kind::numeric) return std::nullopt;
    const auto fixed_scale = [&](const expr& arg) { return scale_of(arg, column_scale); };
    auto both = [&](auto combine) -> std::optional<int> {
        const auto a = fixed_scale(*e.args[0]), b = fixed_scale(*e.args[1]);
        if (!a || !b) return std::nullopt;
        return combine(*a, *b);
    };
    switch (e.kind) {
    case expr_kind::column:
    case expr_kind::cast:
        if (const auto m = detail::numeric_typmod(e.type)) return m->second;
        if (e.kind == expr_kind::cast) return fixed_scale(*e.args[0]); // to plain numeric: as it was
        return column_scale(e.index); // plain numeric: as the input computes it
    case expr_kind::constant:
        if (!e.literal) return std::nullopt;
        return literal_scale(*e.literal);
    case expr_kind::op:
        if (e.schema != "pg_catalog") return std::nullopt;
        if (e.args.size() == 1 && (e.name == "-" || e.name == "+")) return fixed_scale(*e.args[0]);
        if (e.args.size() == 2 && (e.name == "+" || e.name == "-"))
            return both([](int a, int b) { return std::max(a, b); });
        if (e.args.size() == 2 && e.name == "*") return both([](int a, int b) { return a + b; });
        return std::nullopt;
    case expr_kind::coalesce:
    case expr_kind::case_: {
        // Every value it can take: the branches (a CASE's conditions aside).
        std::optional<int> scale;
        for (std::size_t i = 0; i < e.args.size(); ++i) {
            if (e.kind == expr_kind::case_ && i % 2 == 0 && !(e.has_else && i + 1 == e.args.size())) continue;
            const auto s = fixed_scale(*e.args[i]);
            if (!s || (scale && *s != *scale)) return std::nullopt;
            scale = s;
        }
        return scale;
    }
    default: return std::nullopt;
    }
}

/// The fixed scale of output `column` of `r`: a computed column's (a projection's expression,
/// a grouping key's) or the one a column passes on unchanged.
std::optional<int> column_scale(const rel& r, int column) {
    if (column < 0 || static_cast<std::size_t>(column) >= r.columns.size()) return std::nullopt;
    const auto c = static_cast<std::size_t>(column);
    auto of_input = [&](std::size_t input) -> column_scale_fn {
        return [&r, input](int k) { return column_scale(*r.inputs[input], k); };
    };
    return std::visit(
        [&](const auto& n) -> std::optional<int> {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, project>) {
                return scale_of(*n.exprs[c], of_input(0));
            } else if constexpr (std::is_same_v<T, aggregate>) {
                return c < n.group_by.size() ? scale_of(*n.group_by[c], of_input(0)) : std::nullopt;
            } else if constexpr (std::is_same_v<T, join>) {
                const auto width = r.inputs[0]->columns.size();
                return c < width ? column_scale(*r.inputs[0], column)
                                 : column_scale(*r.inputs[1], static_cast<int>(c - width));
            } else if constexpr (std::is_same_v<T, filter> || std::is_same_v<T, distinct> || std::is_same_v<T, sublink> ||
                                 std::is_same_v<T, window> || std::is_same_v<T, table_function>) {
                // Their input's columns come first, unchanged.
                return c < r.inputs[0]->columns.size() ? column_scale(*r.inputs[0], column) : std::nullopt;
            } else {
                return std::nullopt; // a table's plain numeric; several inputs feeding one column
            }
        },
        r.node);
}

} // namespace

std::optional<int> fixed_scale(const expr& e, const rel& input) {
    return scale_of(e, [&](int k) { return column_scale(input, k); });
}

} // namespace pgt::ir
