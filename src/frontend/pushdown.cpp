// Predicate placement. Comma joins must turn into real join conditions (the in-memory
// oracle would otherwise evaluate cross products), and filters below joins keep the
// maintained join inputs small. Outer joins only take conjuncts into their preserved side,
// unless a condition above rejects the rows they pad with NULLs: then they are the inner (or
// one-sided) join PostgreSQL's planner makes of them (reduce_outer_joins), and the conjuncts
// go down as in the query's plan. Without that, a delta rule reads the nullable side whole.
#include <algorithm>
#include <utility>

#include "frontend/null_rejection.hpp"
#include "frontend/operators.hpp"

namespace pgt::frontend {

namespace {

using ir::expr_ptr;
using ir::rel_ptr;

rel_ptr place(const rel_ptr& r, std::vector<expr_ptr> conds, null_rejection above = {});

// The kind an outer join has under conditions that reject what `above` rejects.
ir::join_kind reduced(ir::join_kind kind, const null_rejection& above, int left_width, int width) {
    const bool left_padding_rejected = above.rejects_padding(0, left_width);
    const bool right_padding_rejected = above.rejects_padding(left_width, width);
    switch (kind) {
    case ir::join_kind::left: return right_padding_rejected ? ir::join_kind::inner : kind;
    case ir::join_kind::right: return left_padding_rejected ? ir::join_kind::inner : kind;
    case ir::join_kind::full:
        if (left_padding_rejected && right_padding_rejected) return ir::join_kind::inner;
        if (left_padding_rejected) return ir::join_kind::left;
        if (right_padding_rejected) return ir::join_kind::right;
        return kind;
    default: return kind;
    }
}

rel_ptr filter_above(const rel_ptr& r, std::vector<expr_ptr> conds) {
    if (conds.empty()) return r;
    // Merge with a filter already there rather than stacking filters.
    if (const auto* f = std::get_if<ir::filter>(&r->node)) {
        auto merged = ir::conjuncts(f->predicate);
        merged.insert(merged.end(), conds.begin(), conds.end());
        return ir::make_rel(ir::filter{ir::make_and(std::move(merged))}, r->inputs, r->columns);
    }
    return ir::make_rel(ir::filter{ir::make_and(std::move(conds))}, {r}, r->columns);
}

rel_ptr place_in_join(const rel_ptr& r, const ir::join& j, std::vector<expr_ptr> conds, null_rejection above) {
    const int left_width = static_cast<int>(r->inputs[0]->columns.size());
    const int right_width = static_cast<int>(r->inputs[1]->columns.size());
    for (const auto& c : conds) above.add(c);
    const ir::join_kind kind = reduced(j.kind, above, left_width, left_width + right_width);
    null_rejection on;
    on.add(j.condition);
    if (kind == ir::join_kind::inner) above.add(on);
    const bool into_left = kind == ir::join_kind::inner || kind == ir::join_kind::left;
    const bool into_right = kind == ir::join_kind::inner || kind == ir::join_kind::right;
    std::vector<expr_ptr> left, right, here;
    for (auto& c : conds) {
        auto cols = ir::referenced_columns(*c);
        bool reads_left = std::ranges::any_of(cols, [&](int i) { return i < left_width; });
        bool reads_right = std::ranges::any_of(cols, [&](int i) { return i >= left_width; });
        if (reads_left && !reads_right && into_left) left.push_back(c);
        else if (reads_right && !reads_left && into_right) right.push_back(ir::shift_columns(c, -left_width));
        else here.push_back(c);
    }
    // What rejects NULL above reaches a side that is not padded (its rows are the join's). The
    // padded side of a LEFT or RIGHT join takes what the ON clause rejects: a row it never
    // matches adds nothing to the join.
    if (kind == ir::join_kind::full) on = {};
    rel_ptr l = place(r->inputs[0], std::move(left), (into_left ? above : on).part(0, left_width));
    rel_ptr rr = place(r->inputs[1], std::move(right), (into_right ? above : on).part(left_width, right_width));
    if (kind != ir::join_kind::inner) return filter_above(make_join(kind, j.condition, l, rr), std::move(here));
    auto condition = ir::conjuncts(j.condition);
    condition.insert(condition.end(), here.begin(), here.end());
    return make_join(kind, ir::make_and(std::move(condition)), l, rr);
}

// `above`: what conditions above `r` (not among `conds`) reject.
rel_ptr place(const rel_ptr& r, std::vector<expr_ptr> conds, null_rejection above) {
    if (conds.empty() && above.empty()) return r;
    if (const auto* j = std::get_if<ir::join>(&r->node)) return place_in_join(r, *j, std::move(conds), std::move(above));
    // Set-returning functions copy their input row, and a subquery per row appends its value to
    // it: conjuncts on that row alone go below them (and meet the filters there, so that
    // PostgreSQL orders them all by cost, as it does in the query). What the others reject in
    // that row goes down too.
    if (std::holds_alternative<ir::table_function>(r->node) || std::holds_alternative<ir::sublink>(r->node)) {
        const int width = static_cast<int>(r->inputs[0]->columns.size());
        std::vector<expr_ptr> below, here;
        for (auto& c : conds)
            (std::ranges::all_of(ir::referenced_columns(*c), [&](int i) { return i < width; }) ? below : here).push_back(c);
        for (const auto& c : here) above.add(c);
        std::vector<rel_ptr> inputs = r->inputs;
        inputs[0] = place(inputs[0], std::move(below), above.part(0, width));
        return filter_above(ir::make_rel(r->node, std::move(inputs), r->columns), std::move(here));
    }
    // Below a projection the conjuncts read the projected expressions instead (unless that
    // would repeat one that is more than a column: then they stay above it).
    if (const auto* p = std::get_if<ir::project>(&r->node); p && !r->inputs.empty()) {
        std::vector<expr_ptr> here;
        if (substitutable(conds, p->exprs))
            for (auto& c : conds) c = ir::substitute_columns(c, p->exprs);
        else {
            for (const auto& c : conds) above.add(c);
            here = std::exchange(conds, {});
        }
        return filter_above(ir::make_rel(*p, {place(r->inputs[0], std::move(conds), above.below(p->exprs))}, r->columns),
                            std::move(here));
    }
    // A filter placed before takes the conjuncts; what it and they reject goes below it.
    if (const auto* f = std::get_if<ir::filter>(&r->node)) {
        above.add(f->predicate);
        for (const auto& c : conds) above.add(c);
        const rel_ptr input = place(r->inputs[0], {}, std::move(above));
        return filter_above(input == r->inputs[0] ? r : ir::make_rel(*f, {input}, r->columns), std::move(conds));
    }
    return filter_above(r, std::move(conds));
}

} // namespace

rel_ptr join_on(ir::join_kind kind, const expr_ptr& condition, rel_ptr left, rel_ptr right) {
    if (kind != ir::join_kind::inner) {
        const rel_ptr joined = make_join(kind, condition, std::move(left), std::move(right));
        return place_in_join(joined, std::get<ir::join>(joined->node), {}, {});
    }
    return place(make_join(kind, nullptr, std::move(left), std::move(right)), ir::conjuncts(condition));
}

rel_ptr place_predicate(const rel_ptr& rel, const expr_ptr& predicate) {
    // Conjuncts that read no column stay on top: they filter the whole result.
    std::vector<expr_ptr> with_columns, constant;
    for (auto& c : ir::conjuncts(predicate))
        (ir::referenced_columns(*c).empty() ? constant : with_columns).push_back(c);
    return filter_above(place(rel, std::move(with_columns)), std::move(constant));
}

} // namespace pgt::frontend
