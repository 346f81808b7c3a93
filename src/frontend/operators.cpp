#include "frontend/operators.hpp"

#include <algorithm>

#include "frontend/coerce.hpp"

namespace pgt::frontend {

using ir::expr_ptr;
using ir::rel_ptr;

namespace {
void count_references(const ir::expr& e, std::vector<int>& counts) {
    if (e.kind == ir::expr_kind::column && e.index >= 0 && static_cast<std::size_t>(e.index) < counts.size())
        ++counts[static_cast<std::size_t>(e.index)];
    for (const auto& a : e.args) count_references(*a, counts);
}
} // namespace

bool substitutable(const std::vector<expr_ptr>& exprs, const std::vector<expr_ptr>& inner) {
    std::vector<int> counts(inner.size());
    for (const auto& e : exprs) count_references(*e, counts);
    for (std::size_t i = 0; i < inner.size(); ++i)
        if (counts[i] > 1 && inner[i]->kind != ir::expr_kind::column && inner[i]->kind != ir::expr_kind::constant)
            return false;
    return true;
}

rel_ptr make_project(const rel_ptr& input, std::vector<expr_ptr> exprs, const std::vector<std::string>& names) {
    rel_ptr below = input;
    if (const auto* p = std::get_if<ir::project>(&input->node); p && !input->inputs.empty() && substitutable(exprs, p->exprs)) {
        for (auto& e : exprs) e = ir::substitute_columns(e, p->exprs);
        below = input->inputs[0];
    }
    std::vector<ir::column> cols;
    for (std::size_t i = 0; i < exprs.size(); ++i)
        cols.push_back({names[i], exprs[i]->type, never_null(*exprs[i], below->columns)});
    return ir::make_rel(ir::project{std::move(exprs)}, {below}, std::move(cols));
}

rel_ptr make_join(ir::join_kind kind, expr_ptr condition, rel_ptr left, rel_ptr right) {
    std::vector<ir::column> cols = left->columns;
    const bool left_nullable = kind == ir::join_kind::right || kind == ir::join_kind::full;
    const bool right_nullable = kind == ir::join_kind::left || kind == ir::join_kind::full;
    if (left_nullable)
        for (auto& c : cols) c.not_null = false;
    for (auto c : right->columns) {
        if (right_nullable) c.not_null = false;
        cols.push_back(std::move(c));
    }
    return ir::make_rel(ir::join{kind, std::move(condition)}, {std::move(left), std::move(right)}, std::move(cols));
}

rel_ptr placeholder_rel(std::vector<ir::column> columns) {
    return ir::make_rel(ir::project{}, {}, std::move(columns));
}

rel_ptr constant_rows(std::vector<std::vector<ir::expr_ptr>> rows, std::vector<ir::column> columns) {
    for (std::size_t i = 0; i < columns.size(); ++i)
        columns[i].not_null = std::ranges::all_of(rows, [&](const auto& row) { return ir::never_null(*row[i], {}); });
    return ir::make_rel(ir::values{std::move(rows)}, {}, std::move(columns));
}

rel_ptr unit_rel() { return ir::make_rel(ir::values{{{}}}, {}, {}); }

} // namespace pgt::frontend
