// Aggregates beyond COUNT, SUM, AVG, MIN, MAX and BOOL_*: the variance family over exact
// numbers (numeric_stddev_internal's arithmetic), bitwise aggregates over integers,
// STRING_AGG and ARRAY_AGG in a known order, and the ordered-set MODE and PERCENTILE_*.
// Whatever depends on an order PostgreSQL does not promise, or on PostgreSQL's floating-point
// accumulators (Youngs–Cramer), throws 0A000: the oracle cannot tell its exact result.
#include <cmath>

#include "internal.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

namespace eval_detail {

namespace {

bool named(const ir::agg_call& a, std::string_view n) { return a.name == n; }

// var_pop, var_samp, stddev_pop, stddev_samp of integers or numerics: N·Σx² − (Σx)² over
// N² or N(N−1), exactly as PostgreSQL computes it; the square root at the quotient's scale.
value variance(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    const auto kind = a.arg()->type.kind;
    if (!is_integer(kind) && kind != type_kind::numeric) throw_cannot_evaluate(a.name + " of floating-point values");
    numeric n, sx, sxx;
    for (const auto& r : rows) {
        if (is_null(r.args[0])) continue;
        const numeric x = to_numeric(r.args[0]), t = numeric::from_int64(r.times);
        n = n + t;
        sx = sx + t * x;
        sxx = sxx + t * (x * x);
    }
    const bool sample = a.func == ir::agg_func::var_samp || a.func == ir::agg_func::stddev_samp;
    if (n.signum() == 0 || (sample && n <= numeric::from_int64(1))) return std::monostate{};
    const numeric num = n * sxx - sx * sx;
    if (num.signum() <= 0) return numeric{};
    const numeric v = num / (n * (sample ? n - numeric::from_int64(1) : n));
    if (a.func == ir::agg_func::var_pop || a.func == ir::agg_func::var_samp) return v;
    return v.sqrt_at(v.dscale());
}

value bitwise(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    if (!is_integer(a.arg()->type.kind)) throw_cannot_evaluate(a.name + " of " + a.arg()->type.name);
    std::optional<std::int64_t> acc;
    for (const auto& r : rows) {
        if (is_null(r.args[0])) continue;
        const std::int64_t x = std::get<std::int64_t>(r.args[0]);
        if (named(a, "bit_xor")) {
            acc = acc.value_or(0) ^ (r.times % 2 ? x : 0);
        } else {
            acc = !acc ? x : named(a, "bit_and") ? (*acc & x) : (*acc | x);
        }
    }
    if (!acc) return std::monostate{};
    return *acc;
}

// An order-dependent aggregate without ORDER BY has a known result only when all its inputs
// are alike.
void require_known_order(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    if (!a.order_by.empty()) return;
    const aggregate_row* first = nullptr;
    for (const auto& r : rows) {
        if (named(a, "string_agg") && is_null(r.args[0])) continue;
        if (first && !(same_value(first->args[0], r.args[0]) && (r.args.size() < 2 || same_value(first->args[1], r.args[1]))))
            throw_cannot_evaluate(a.name + " without ORDER BY over different values");
        first = &r;
    }
}

value string_agg(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    if (!is_string(a.arg()->type.kind)) throw_cannot_evaluate(a.name + " of " + a.arg()->type.name);
    require_known_order(a, rows);
    std::optional<std::string> out;
    for (const auto& r : rows) {
        if (is_null(r.args[0])) continue;
        const std::string x = std::get<std::string>(r.args[0]);
        const std::string delim = is_null(r.args[1]) ? std::string() : std::get<std::string>(r.args[1]);
        for (std::int64_t i = 0; i < r.times; ++i) out = out ? *out + delim + x : x;
    }
    if (!out) return std::monostate{};
    return *out;
}

// array_out's element spelling: quoted when empty, NULL-like or holding special characters.
std::string array_element(const value& v, const sql_type& t) {
    if (is_null(v)) return "NULL";
    const std::string s = to_text(v, t);
    bool quote = s.empty() || s == "NULL" || s == "null";
    for (char c : s) quote |= c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || std::isspace(static_cast<unsigned char>(c));
    if (!quote) return s;
    std::string r = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') r += '\\';
        r += c;
    }
    return r + "\"";
}

value array_agg(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    const auto kind = a.arg()->type.kind;
    if (kind == type_kind::other || kind == type_kind::unknown) throw_cannot_evaluate(a.name + " of " + a.arg()->type.name);
    require_known_order(a, rows);
    if (rows.empty()) return std::monostate{};
    std::string out = "{";
    bool first = true;
    for (const auto& r : rows)
        for (std::int64_t i = 0; i < r.times; ++i, first = false) out += (first ? "" : ",") + array_element(r.args[0], a.arg()->type);
    return opaque_value{out + "}"};
}

// The sorted non-NULL values of a WITHIN GROUP aggregate, one per copy.
std::vector<value> sorted_values(const std::vector<aggregate_row>& rows) {
    std::vector<value> v;
    for (const auto& r : rows)
        if (!is_null(r.keys[0]))
            for (std::int64_t i = 0; i < r.times; ++i) v.push_back(r.keys[0]);
    return v;
}

// The most frequent value; among equally frequent ones, the first in sort order.
value mode(const std::vector<aggregate_row>& rows) {
    const auto v = sorted_values(rows);
    std::size_t best = 0, best_count = 0;
    for (std::size_t i = 0; i < v.size();) {
        std::size_t j = i;
        while (j < v.size() && same_value(v[j], v[i])) ++j;
        if (j - i > best_count) best = i, best_count = j - i;
        i = j;
    }
    if (best_count == 0) return std::monostate{};
    return v[best];
}

double fraction(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    const double f = to_double(rows.front().args[0]);
    if (!(f >= 0 && f <= 1))
        throw error(sqlstate::numeric_value_out_of_range, "percentile value " + to_text(rows.front().args[0], a.args[0]->type) +
                                                              " is not between 0 and 1");
    return f;
}

value percentile(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    if (rows.empty() || is_null(rows.front().args[0])) return std::monostate{};
    if (a.args[0]->type.kind != type_kind::float8) throw_cannot_evaluate(a.name + " of several fractions");
    const double f = fraction(a, rows);
    const auto v = sorted_values(rows);
    if (v.empty()) return std::monostate{};
    if (named(a, "percentile_disc")) {
        auto row = static_cast<std::size_t>(std::ceil(f * static_cast<double>(v.size())));
        return v[row > 0 ? row - 1 : 0];
    }
    if (a.order_by[0].expr->type.kind != type_kind::float8) throw_cannot_evaluate(a.name + " of " + a.order_by[0].expr->type.name);
    const double pos = f * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos)), hi = static_cast<std::size_t>(std::ceil(pos));
    const double low = std::get<double>(v[lo]), high = std::get<double>(v[hi]);
    return lo == hi ? low : low + (high - low) * (pos - static_cast<double>(lo));
}

} // namespace

value eval_other_aggregate(const ir::agg_call& a, const std::vector<aggregate_row>& rows) {
    switch (a.func) {
    case ir::agg_func::var_pop:
    case ir::agg_func::var_samp:
    case ir::agg_func::stddev_pop:
    case ir::agg_func::stddev_samp: return variance(a, rows);
    case ir::agg_func::bit_xor: return bitwise(a, rows);
    default: break;
    }
    if (a.schema != "pg_catalog") throw_cannot_evaluate("aggregate " + a.schema + "." + a.name);
    if (named(a, "bit_and") || named(a, "bit_or")) return bitwise(a, rows);
    if (named(a, "string_agg")) return string_agg(a, rows);
    if (named(a, "array_agg")) return array_agg(a, rows);
    if (named(a, "mode")) return mode(rows);
    if (named(a, "percentile_disc") || named(a, "percentile_cont")) return percentile(a, rows);
    throw_cannot_evaluate("aggregate " + a.name);
}

} // namespace eval_detail

} // namespace pgt
