// The input of an aggregate call as PostgreSQL's executor hands it over: rows that pass
// FILTER, in the call's ORDER BY (or WITHIN GROUP) order, distinct when asked.
#include <algorithm>

#include "internal.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

namespace eval_detail {

namespace {

// ORDER BY key order: NULLs where the key puts them, DESC reversing the values only.
bool before(const ir::agg_call& a, const aggregate_row& x, const aggregate_row& y) {
    for (std::size_t i = 0; i < a.order_by.size(); ++i) {
        const auto& k = a.order_by[i];
        const value& u = x.keys[i];
        const value& v = y.keys[i];
        if (is_null(u) || is_null(v)) {
            if (is_null(u) && is_null(v)) continue;
            return is_null(u) == k.nulls_first;
        }
        auto c = compare_values(u, v);
        if (c == 0) continue;
        return k.descending ? c > 0 : c < 0;
    }
    return false;
}

bool same_args(const aggregate_row& x, const aggregate_row& y) {
    return std::ranges::equal(x.args, y.args, [](const value& a, const value& b) { return same_value(a, b); });
}

} // namespace

std::vector<aggregate_row> aggregate_input(const ir::agg_call& a, const std::vector<weighted_row>& group) {
    std::vector<aggregate_row> rows;
    for (const auto& [r, times] : group) {
        if (a.filter && !eval_predicate(*a.filter, *r)) continue;
        aggregate_row x{{}, {}, times};
        if (a.func != ir::agg_func::count_star)
            for (const auto& e : a.args) x.args.push_back(eval(*e, *r));
        for (const auto& k : a.order_by) x.keys.push_back(eval(*k.expr, *r));
        rows.push_back(std::move(x));
    }
    if (!a.order_by.empty())
        std::ranges::stable_sort(rows, [&](const aggregate_row& x, const aggregate_row& y) { return before(a, x, y); });
    if (a.distinct) {
        std::vector<aggregate_row> unique;
        for (auto& r : rows) {
            if (std::ranges::any_of(unique, [&](const aggregate_row& u) { return same_args(u, r); })) continue;
            r.times = 1;
            unique.push_back(std::move(r));
        }
        rows = std::move(unique);
    }
    return rows;
}

} // namespace eval_detail

} // namespace pgt
