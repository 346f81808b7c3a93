// The display scales the values of a numeric expression can have, where they are known: what a
// running sum needs in order to print as PostgreSQL's fresh sum prints, whose scale is the
// largest of its inputs' (1.5 + 2 − 1.5 is 2.0, the sum of 2 alone is 2).
#include <algorithm>
#include <functional>

#include "pgt/ir/rel.hpp"

#include "../value/typmod.hpp"

namespace pgt::ir {

namespace {

/// More scales than this and the count of inputs kept for each costs more than it saves.
constexpr std::size_t most_scales = 4;

using scales = std::optional<std::vector<int>>;
using column_scales_fn = std::function<scales(int)>;

scales one(int s) { return std::vector<int>{s}; }

/// A literal's scale as written (`12.50`: 2); nullopt for an exponent, NaN or an infinity.
scales literal_scales(const std::string& text) {
    const auto point = text.find('.');
    if (text.find_first_not_of("+-.0123456789") != std::string::npos) return std::nullopt;
    return one(point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1));
}

/// Sorted, without repeats; unknown past most_scales.
scales settled(std::vector<int> v) {
    std::ranges::sort(v);
    v.erase(std::unique(v.begin(), v.end()), v.end());
    if (v.size() > most_scales) return std::nullopt;
    return v;
}

scales scales_of(const expr& e, const column_scales_fn& column_scales) {
    if (is_integer(e.type.kind)) return one(0);
    if (e.type.kind != type_kind::numeric) return std::nullopt;
    if (e.kind == expr_kind::constant && !e.literal) return std::vector<int>{}; // NULL: no value
    const auto of = [&](const expr& arg) { return scales_of(arg, column_scales); };
    // A binary operator's result scales, from every pair of its operands' scales.
    auto pairs = [&](auto combine) -> scales {
        const auto a = of(*e.args[0]), b = of(*e.args[1]);
        if (!a || !b) return std::nullopt;
        std::vector<int> r;
        for (int x : *a)
            for (int y : *b) r.push_back(combine(x, y));
        return settled(std::move(r));
    };
    switch (e.kind) {
    case expr_kind::column:
    case expr_kind::cast:
        if (const auto m = detail::numeric_typmod(e.type)) return one(m->second);
        if (e.kind == expr_kind::cast) return of(*e.args[0]); // to plain numeric: as it was
        return column_scales(e.index);                        // plain numeric: as the input computes it
    case expr_kind::constant: return literal_scales(*e.literal);
    case expr_kind::op:
        if (e.schema != "pg_catalog") return std::nullopt;
        if (e.args.size() == 1 && (e.name == "-" || e.name == "+")) return of(*e.args[0]);
        if (e.args.size() == 2 && (e.name == "+" || e.name == "-")) return pairs([](int a, int b) { return std::max(a, b); });
        if (e.args.size() == 2 && e.name == "*") return pairs([](int a, int b) { return a + b; });
        return std::nullopt;
    case expr_kind::coalesce:
    case expr_kind::case_: {
        // Every value it can take: the branches (a CASE's conditions aside).
        std::vector<int> r;
        for (std::size_t i = 0; i < e.args.size(); ++i) {
            if (e.kind == expr_kind::case_ && i % 2 == 0 && !(e.has_else && i + 1 == e.args.size())) continue;
            const auto s = of(*e.args[i]);
            if (!s) return std::nullopt;
            r.insert(r.end(), s->begin(), s->end());
        }
        return settled(std::move(r));
    }
    default: return std::nullopt;
    }
}

/// The scales of output `column` of `r`: a computed column's (a projection's expression, a
/// grouping key's) or those of the column it passes on unchanged.
scales column_scales(const rel& r, int column) {
    if (column < 0 || static_cast<std::size_t>(column) >= r.columns.size()) return std::nullopt;
    const auto c = static_cast<std::size_t>(column);
    auto of_input = [&](std::size_t input) -> column_scales_fn {
        return [&r, input](int k) { return column_scales(*r.inputs[input], k); };
    };
    return std::visit(
        [&](const auto& n) -> scales {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, project>) {
                return scales_of(*n.exprs[c], of_input(0));
            } else if constexpr (std::is_same_v<T, aggregate>) {
                return c < n.group_by.size() ? scales_of(*n.group_by[c], of_input(0)) : std::nullopt;
            } else if constexpr (std::is_same_v<T, join>) {
                const auto width = r.inputs[0]->columns.size();
                return c < width ? column_scales(*r.inputs[0], column)
                                 : column_scales(*r.inputs[1], static_cast<int>(c - width));
            } else if constexpr (std::is_same_v<T, filter> || std::is_same_v<T, distinct> || std::is_same_v<T, sublink> ||
                                 std::is_same_v<T, window> || std::is_same_v<T, table_function>) {
                // Their input's columns come first, unchanged.
                return c < r.inputs[0]->columns.size() ? column_scales(*r.inputs[0], column) : std::nullopt;
            } else {
                return std::nullopt; // a table's plain numeric; several inputs feeding one column
            }
        },
        r.node);
}

} // namespace

std::optional<std::vector<int>> value_scales(const expr& e, const rel& input) {
    return scales_of(e, [&](int k) { return column_scales(input, k); });
}

} // namespace pgt::ir
