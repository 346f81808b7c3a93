// The input of an aggregate call as PostgreSQL's executor hands it over: rows that pass
// FILTER, in the call's ORDER BY (or WITHIN GROUP) order, distinct when asked.
#include <algorithm>

#include "internal.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

namespace eval_detail {

int sort_order(const std::vector<value>& a, const std::vector<value>& b, const std::vector<ir::sort_key>& keys) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const value& u = a[i];
        const value& v = b[i];
        if (is_null(u) || is_null(v)) {
            if (is_null(u) && is_null(v)) continue;
            return is_null(u) == keys[i].nulls_first ? -1 : 1;
        }
        const auto c = compare_values(u, v);
        if (c == 0) continue;
        return (c < 0) != keys[i].descending ? -1 : 1;
    }
    return 0;
}

namespace {

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
        std::ranges::stable_sort(rows, [&](const aggregate_row& x, const aggregate_row& y) {
            return sort_order(x.keys, y.keys, a.order_by) < 0;
        });
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
