// Aggregates over a weighted group, with PostgreSQL's transition and final functions: exact
// sums (through numeric, converted back for int8 results), AVG as numeric_div(sum, count),
// float sums and averages accumulated row by row as PostgreSQL does (including the overflow
// errors of its Youngs-Cramer accumulator behind AVG(float)). The group's rows are filtered,
// ordered and made distinct first (aggregate_input.cpp); aggregates beyond COUNT, SUM, AVG,
// MIN, MAX and BOOL_* are in aggregate_more.cpp.

#include <cmath>

#include "internal.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

namespace {
using namespace eval_detail;

// float8_accum / float4_accum as AVG(float) uses them: count N, sum Sx and the sum of squared
// deviations Sxx, whose overflow is an error even when the sum itself stays finite.
struct float_avg_state {
    double n = 0, sx = 0, sxx = 0;

    void add(double x) {
        double prev_sx = sx;
        n += 1;
        sx += x;
        if (n > 1) {
            double tmp = x * n - sx;
            sxx += tmp * tmp / (n * (n - 1));
            if (std::isinf(sx) || std::isinf(sxx)) {
                if (!std::isinf(prev_sx) && !std::isinf(x)) throw_float_overflow();
                sxx = NAN;
            }
        } else {
            sxx = std::isnan(x) || std::isinf(x) ? NAN : 0.0;
        }
    }
};

// The accumulated state of one aggregate call.
class accumulator {
public:
    explicit accumulator(const ir::agg_call& a) : call_(a) {}

    void add(const value& v, std::int64_t times) {
        rows_ += times;
        switch (call_.func) {
        case ir::agg_func::count_star:
        case ir::agg_func::count: break;
        case ir::agg_func::sum:
            if (is_float(call_.type.kind)) add_to_float_sum(v, times);
            else add_exactly(v, times);
            break;
        case ir::agg_func::avg:
            if (!is_float(call_.arg()->type.kind)) add_exactly(v, times);
            else for (std::int64_t i = 0; i < times; ++i) avg_.add(to_double(v));
            break;
        case ir::agg_func::min:
        case ir::agg_func::max:
            if (replaces_extreme(v, best_, call_.func == ir::agg_func::max, call_.type)) best_ = v;
            break;
        case ir::agg_func::bool_and:
        case ir::agg_func::bool_or: {
            bool b = std::get<bool>(v);
            all_ = all_ && b;
            any_ = any_ || b;
            break;
        }
        default: throw error(sqlstate::internal_error, "accumulator: " + call_.name);
        }
    }

    value result() const {
        if (call_.func == ir::agg_func::count_star || call_.func == ir::agg_func::count) return rows_;
        if (rows_ == 0) return std::monostate{};
        switch (call_.func) {
        case ir::agg_func::sum:
            if (is_float(call_.type.kind)) return float_sum_;
            if (is_integer(call_.type.kind)) return exact_.to_integer(call_.type.kind);
            return exact_;
        case ir::agg_func::avg:
            if (is_float(call_.arg()->type.kind)) return avg_.sx / avg_.n;
            return exact_ / numeric::from_int64(rows_);
        case ir::agg_func::bool_and: return all_;
        case ir::agg_func::bool_or: return any_;
        default: return best_;
        }
    }

private:
    // Integer and numeric sums (and the sums behind their averages) are exact.
    void add_exactly(const value& v, std::int64_t times) {
        exact_ = exact_ + to_numeric(v) * numeric::from_int64(times);
    }

    // float4pl / float8pl row by row in the result's precision; the first row is the state.
    void add_to_float_sum(const value& v, std::int64_t times) {
        if (is_null(float_sum_)) {
            float_sum_ = to_double(v);
            --times;
        }
        for (; times > 0; --times) float_sum_ = arithmetic(arith_op::add, float_sum_, v, call_.type);
    }

    const ir::agg_call& call_;
    std::int64_t rows_ = 0; // non-NULL arguments (rows for count(*)) that passed the filter
    numeric exact_;
    value float_sum_; // NULL until the first row
    float_avg_state avg_;
    value best_;
    bool all_ = true, any_ = false;
};

} // namespace

value eval_aggregate(const ir::agg_call& a, const std::vector<weighted_row>& group) {
    if (a.func != ir::agg_func::count_star && a.args.empty() && !a.within_group)
        throw error(sqlstate::internal_error, a.name + " without an argument");
    const auto rows = aggregate_input(a, group);
    switch (a.func) {
    case ir::agg_func::count_star:
    case ir::agg_func::count:
    case ir::agg_func::sum:
    case ir::agg_func::avg:
    case ir::agg_func::min:
    case ir::agg_func::max:
    case ir::agg_func::bool_and:
    case ir::agg_func::bool_or: break;
    default: return eval_other_aggregate(a, rows);
    }
    const bool arithmetic_agg = a.func == ir::agg_func::sum || a.func == ir::agg_func::avg;
    if (arithmetic_agg && !is_numeric_family(a.arg()->type.kind)) throw_cannot_evaluate(a.name + "(" + a.arg()->type.name + ")");
    accumulator acc(a);
    for (const auto& r : rows) {
        if (a.func == ir::agg_func::count_star) acc.add(std::monostate{}, r.times);
        else if (!is_null(r.args[0])) acc.add(r.args[0], r.times);
    }
    return acc.result();
}

} // namespace pgt
