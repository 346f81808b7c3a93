// Set-returning functions in FROM, as PostgreSQL 15 evaluates them for one input row. The
// oracle knows generate_series over integers; any other function throws 0A000.
#include <limits>

#include "internal.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt {

namespace {

using eval_detail::throw_cannot_evaluate;

// generate_series_step_int4/int8: stops before the value would leave the type's range.
std::vector<value> integer_series(std::int64_t start, std::int64_t finish, std::int64_t step, type_kind kind) {
    if (step == 0) throw error(sqlstate::invalid_parameter_value, "step size cannot equal zero");
    const std::int64_t lo = kind == type_kind::int4 ? std::numeric_limits<std::int32_t>::min() : std::numeric_limits<std::int64_t>::min();
    const std::int64_t hi = kind == type_kind::int4 ? std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::int64_t>::max();
    std::vector<value> out;
    for (std::int64_t cur = start; step > 0 ? cur <= finish : cur >= finish;) {
        out.emplace_back(cur);
        if (step > 0 ? cur > hi - step : cur < lo - step) break;
        cur += step;
    }
    return out;
}

std::vector<value> one_function(const ir::table_call& call, const row& input) {
    std::vector<value> args;
    for (const auto& a : call.args) args.push_back(eval(*a, input));
    const type_kind result = call.columns.at(0).type.kind;
    if (call.name == "generate_series" && (result == type_kind::int4 || result == type_kind::int8)) {
        for (const auto& a : args)
            if (is_null(a)) return {}; // strict
        const std::int64_t step = args.size() > 2 ? std::get<std::int64_t>(args[2]) : 1;
        return integer_series(std::get<std::int64_t>(args[0]), std::get<std::int64_t>(args[1]), step, result);
    }
    throw_cannot_evaluate("set-returning function " + call.name + "()");
}

} // namespace

std::vector<row> eval_table_function(const ir::table_function& t, const row& input) {
    std::vector<std::vector<value>> results;
    std::size_t rows = 0;
    for (const auto& call : t.calls) {
        if (call.columns.size() != 1) throw_cannot_evaluate("set-returning function " + call.name + "()");
        results.push_back(one_function(call, input));
        rows = std::max(rows, results.back().size());
    }
    std::vector<row> out;
    for (std::size_t i = 0; i < rows; ++i) {
        row r;
        for (const auto& values : results) r.cols.push_back(i < values.size() ? values[i] : value{});
        if (t.ordinality) r.cols.emplace_back(static_cast<std::int64_t>(i + 1));
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace pgt
