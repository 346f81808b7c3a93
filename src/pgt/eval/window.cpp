// The oracle's window functions: each row of a relation followed by the value of each call
// over its partition and frame, as PostgreSQL 15 computes them. Not evaluated (0A000): RANGE
// frames with offsets over keys other than integers and floats (they need the key type's
// arithmetic: numeric, dates and intervals), aggregates other than COUNT, SUM, AVG, MIN, MAX,
// BOOL_AND, BOOL_OR, and windows over arrays and other opaque types.
#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "internal.hpp"
#include "pgt/error.hpp"
#include "pgt/eval.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

namespace {

using frame = ir::window_frame;
using eval_detail::sort_order;
using eval_detail::throw_cannot_evaluate;

std::int64_t offset_of(const ir::expr_ptr& e) {
    const value v = eval(*e, row{});
    if (is_null(v)) throw error("22013", "frame starting offset must not be null");
    const auto* n = std::get_if<std::int64_t>(&v);
    if (!n) throw_cannot_evaluate("a window frame offset of type " + e->type.name);
    if (*n < 0) throw error("22013", "frame starting offset must not be negative");
    return *n;
}

ir::agg_func aggregate_of(const ir::window_call& c) {
    static const std::map<std::string, ir::agg_func> known{
        {"count", ir::agg_func::count}, {"sum", ir::agg_func::sum},       {"avg", ir::agg_func::avg},
        {"min", ir::agg_func::min},     {"max", ir::agg_func::max},       {"bool_and", ir::agg_func::bool_and},
        {"bool_or", ir::agg_func::bool_or}};
    if (c.star) return ir::agg_func::count_star;
    auto it = known.find(c.name);
    if (it == known.end()) throw_cannot_evaluate("window function " + c.name + "()");
    return it->second;
}

/// One partition, sorted: its rows, their sort key values and peer groups.
struct partition {
    std::vector<const row*> rows;
    std::vector<std::vector<value>> keys;
    std::vector<std::size_t> group; ///< peer group number of each row

    std::size_t size() const { return rows.size(); }
    /// First and one-past-last row of peer group g.
    std::pair<std::size_t, std::size_t> group_span(std::size_t g) const {
        auto first = std::ranges::find(group, g) - group.begin();
        auto last = std::ranges::find_if(group, [&](std::size_t x) { return x > g; }) - group.begin();
        return {static_cast<std::size_t>(first), static_cast<std::size_t>(last)};
    }
};

/// A RANGE frame bound `offset PRECEDING|FOLLOWING` of row i, as a position in the partition:
/// the first row (start) or one past the last row (end) whose ORDER BY value lies within the
/// offset of row i's. NULLs sort where the ORDER BY puts them; a NULL current value bounds the
/// frame at its peers.
std::int64_t range_bound(const partition& p, std::size_t i, const ir::window_call& c, std::int64_t gi_first,
                         std::int64_t gi_last, bool preceding, const ir::expr_ptr& off, bool start) {
    const ir::sort_key& k = c.order_by.at(0);
    const value& current = p.keys[i][0];
    if (is_null(current)) return start ? gi_first : gi_last;
    const value size = eval(*off, row{});
    if (is_null(size)) throw error("22013", "frame starting offset must not be null");
    auto as_double = [](const value& v) -> std::optional<double> {
        if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
        if (const auto* d = std::get_if<double>(&v)) return *d;
        return std::nullopt;
    };
    const auto key = as_double(current), by = as_double(size);
    if (!key || !by) throw_cannot_evaluate("a RANGE frame with an offset over " + c.order_by[0].expr->type.name);
    if (*by < 0) throw error("22013", "invalid preceding or following size in window function");
    // Moving towards the start of the order (PRECEDING) lowers an ascending value.
    const double bound = *key + ((preceding != k.descending) ? -*by : *by);
    auto before = [&](const value& v) { // sorts strictly before `bound`
        if (is_null(v)) return k.nulls_first;
        const double x = *as_double(v);
        return k.descending ? x > bound : x < bound;
    };
    auto after = [&](const value& v) { // sorts strictly after `bound`
        if (is_null(v)) return !k.nulls_first;
        const double x = *as_double(v);
        return k.descending ? x < bound : x > bound;
    };
    const auto n = static_cast<std::int64_t>(p.size());
    for (std::int64_t j = 0; j < n; ++j) {
        const value& v = p.keys[static_cast<std::size_t>(j)][0];
        if (start ? !before(v) : after(v)) return j;
    }
    return n;
}

/// The rows of row i's frame (indexes into the partition), EXCLUDE applied.
std::vector<std::size_t> frame_rows(const partition& p, std::size_t i, const ir::window_call& c) {
    const auto& f = c.frame;
    const std::size_t n = p.size();
    const bool ordered = !c.order_by.empty();
    // Without ORDER BY every row is a peer of every other.
    const std::size_t gi = ordered ? p.group[i] : 0;
    const std::size_t groups = ordered ? (n ? p.group.back() + 1 : 0) : 1;
    auto span_of = [&](std::size_t g) { return ordered ? p.group_span(g) : std::pair<std::size_t, std::size_t>{0, n}; };
    std::int64_t lo = 0, hi = static_cast<std::int64_t>(n); // [lo, hi)
    auto bound = [&](frame::bound b, const ir::expr_ptr& off, bool start) -> std::int64_t {
        switch (b) {
        case frame::bound::unbounded_preceding: return 0;
        case frame::bound::unbounded_following: return static_cast<std::int64_t>(n);
        case frame::bound::current_row:
            if (f.units == frame::unit::rows) return static_cast<std::int64_t>(start ? i : i + 1);
            return static_cast<std::int64_t>(start ? span_of(gi).first : span_of(gi).second);
        case frame::bound::offset_preceding:
        case frame::bound::offset_following: {
            if (f.units == frame::unit::range) {
                const auto span = span_of(gi);
                return range_bound(p, i, c, static_cast<std::int64_t>(span.first), static_cast<std::int64_t>(span.second),
                                   b == frame::bound::offset_preceding, off, start);
            }
            const std::int64_t k = offset_of(off) * (b == frame::bound::offset_preceding ? -1 : 1);
            if (f.units == frame::unit::rows) {
                const std::int64_t at = static_cast<std::int64_t>(i) + k;
                return std::clamp<std::int64_t>(start ? at : at + 1, 0, static_cast<std::int64_t>(n));
            }
            const std::int64_t g = static_cast<std::int64_t>(gi) + k;
            if (g < 0) return 0;
            if (g >= static_cast<std::int64_t>(groups)) return static_cast<std::int64_t>(n);
            const auto s = span_of(static_cast<std::size_t>(g));
            return static_cast<std::int64_t>(start ? s.first : s.second);
        }
        }
        return 0;
    };
    lo = bound(f.start, f.start_offset, true);
    hi = bound(f.end, f.end_offset, false);
    std::vector<std::size_t> out;
    for (std::int64_t j = lo; j < hi; ++j) {
        const auto u = static_cast<std::size_t>(j);
        const bool peer = !ordered || p.group[u] == gi;
        if (f.exclude == frame::exclusion::current_row && u == i) continue;
        if (f.exclude == frame::exclusion::group && peer) continue;
        if (f.exclude == frame::exclusion::ties && peer && u != i) continue;
        out.push_back(u);
    }
    return out;
}

value window_value(const partition& p, std::size_t i, const ir::window_call& c) {
    const std::size_t n = p.size();
    const std::string& f = c.name;
    const bool ordered = !c.order_by.empty();
    auto arg = [&](std::size_t k, std::size_t at) { return eval(*c.args.at(k), *p.rows[at]); };
    if (f == "row_number") return static_cast<std::int64_t>(i + 1);
    if (f == "rank" || f == "percent_rank") {
        const std::int64_t rank = ordered ? static_cast<std::int64_t>(p.group_span(p.group[i]).first) + 1 : 1;
        if (f == "rank") return rank;
        return n <= 1 ? 0.0 : static_cast<double>(rank - 1) / static_cast<double>(n - 1);
    }
    if (f == "dense_rank") return static_cast<std::int64_t>(ordered ? p.group[i] + 1 : 1);
    if (f == "cume_dist") {
        const std::size_t upto = ordered ? p.group_span(p.group[i]).second : n;
        return static_cast<double>(upto) / static_cast<double>(n);
    }
    if (f == "ntile") {
        const value b = arg(0, i);
        if (is_null(b)) return value{};
        const auto buckets = std::get<std::int64_t>(b);
        if (buckets <= 0) throw error("22014", "argument of ntile must be greater than zero");
        const auto total = static_cast<std::int64_t>(n);
        const std::int64_t per = total / buckets, extra = total % buckets;
        // The first `extra` buckets hold per + 1 rows.
        const auto pos = static_cast<std::int64_t>(i);
        const std::int64_t big = extra * (per + 1);
        return pos < big ? pos / (per + 1) + 1 : extra + (pos - big) / std::max<std::int64_t>(per, 1) + 1;
    }
    if (f == "lag" || f == "lead") {
        std::int64_t k = 1;
        if (c.args.size() > 1) {
            const value o = arg(1, i);
            if (is_null(o)) return value{};
            k = std::get<std::int64_t>(o);
        }
        const std::int64_t at = static_cast<std::int64_t>(i) + (f == "lag" ? -k : k);
        if (at < 0 || at >= static_cast<std::int64_t>(n)) return c.args.size() > 2 ? arg(2, i) : value{};
        return arg(0, static_cast<std::size_t>(at));
    }
    const auto rows = frame_rows(p, i, c);
    if (f == "first_value") return rows.empty() ? value{} : arg(0, rows.front());
    if (f == "last_value") return rows.empty() ? value{} : arg(0, rows.back());
    if (f == "nth_value") {
        const value nv = arg(1, i);
        if (is_null(nv)) return value{};
        const auto k = std::get<std::int64_t>(nv);
        if (k <= 0) throw error("22016", "argument of nth_value must be greater than zero");
        return static_cast<std::size_t>(k) <= rows.size() ? arg(0, rows[static_cast<std::size_t>(k) - 1]) : value{};
    }
    ir::agg_call a;
    a.func = aggregate_of(c);
    a.name = c.name;
    a.args = c.args;
    a.filter = c.filter;
    a.type = c.type;
    std::vector<weighted_row> group;
    for (std::size_t j : rows) group.emplace_back(p.rows[j], 1);
    return eval_aggregate(a, group);
}

} // namespace

std::vector<std::pair<row, std::int64_t>> eval_window(const ir::window& w, const std::vector<std::pair<row, std::int64_t>>& input) {
    // Every row as many times as it occurs: window values are per copy.
    std::vector<const row*> copies;
    for (const auto& [r, times] : input)
        for (std::int64_t k = 0; k < times; ++k) copies.push_back(&r);
    std::vector<row> out;
    for (const auto* r : copies) out.push_back(*r);
    for (const auto& c : w.calls) {
        // Sorting and partitioning by arrays, records and other types whose order the oracle
        // does not model: not evaluated.
        for (const auto& k : c.order_by)
            if (k.expr->type.kind == type_kind::other || k.expr->type.kind == type_kind::unknown)
                throw_cannot_evaluate("a window ordered by " + k.expr->type.name);
        for (const auto& p : c.partition_by)
            if (p->type.kind == type_kind::other || p->type.kind == type_kind::unknown)
                throw_cannot_evaluate("a window partitioned by " + p->type.name);
        struct row_hash {
            std::size_t operator()(const row& r) const { return static_cast<std::size_t>(dbsp_hash(r)); }
        };
        std::unordered_map<row, std::vector<std::size_t>, row_hash> parts;
        for (std::size_t i = 0; i < copies.size(); ++i) {
            row key;
            for (const auto& e : c.partition_by) key.cols.push_back(eval(*e, *copies[i]));
            parts[key].push_back(i);
        }
        for (auto& [key, members] : parts) {
            std::vector<std::vector<value>> keys(copies.size());
            for (std::size_t i : members)
                for (const auto& k : c.order_by) keys[i].push_back(eval(*k.expr, *copies[i]));
            std::ranges::stable_sort(members, [&](std::size_t a, std::size_t b) { return sort_order(keys[a], keys[b], c.order_by) < 0; });
            partition p;
            for (std::size_t m = 0; m < members.size(); ++m) {
                p.rows.push_back(copies[members[m]]);
                p.keys.push_back(keys[members[m]]);
                p.group.push_back(m == 0 ? 0 : p.group.back() + (sort_order(p.keys[m - 1], p.keys[m], c.order_by) != 0 ? 1 : 0));
            }
            for (std::size_t m = 0; m < members.size(); ++m) out[members[m]].cols.push_back(window_value(p, m, c));
        }
    }
    std::vector<std::pair<row, std::int64_t>> result;
    for (auto& r : out) result.emplace_back(std::move(r), 1);
    return result;
}

} // namespace pgt
