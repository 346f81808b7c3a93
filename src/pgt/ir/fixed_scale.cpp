// The display scale every value of a numeric expression has, where it is fixed: what a running
// sum needs in order to print as PostgreSQL's fresh sum prints (1.5 + 2 − 1.5 is 2.0, the sum
// of 2 alone is 2).
#include "pgt/ir/expr.hpp"

#include <algorithm>

#include "../value/typmod.hpp"

namespace pgt::ir {

namespace {

std::optional<int> literal_scale(const std::string& text) {
    const auto point = text.find('.');
    if (text.find_first_of("eE") != std::string::npos) return std::nullopt;
    return point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
}

} // namespace

std::optional<int> fixed_scale(const expr& e) {
    if (is_integer(e.type.kind)) return 0;
    if (e.type.kind != type_kind::numeric) return std::nullopt;
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
        return std::nullopt;
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

} // namespace pgt::ir
