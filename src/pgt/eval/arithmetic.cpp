// Arithmetic in the domain of the result type, with PostgreSQL's errors (integers checked
// against the result's range, exact numerics, floats with overflow/underflow checks), and the
// comparisons of operands.

#include <cmath>
#include <limits>

#include "internal.hpp"

namespace pgt::eval_detail {

namespace {

[[noreturn]] void throw_division_by_zero() {
    throw error(sqlstate::division_by_zero, "division by zero");
}

std::int64_t int_arith(arith_op op, std::int64_t a, std::int64_t b, type_kind k) {
    std::int64_t r = 0;
    bool overflow = false;
    switch (op) {
    case arith_op::add: overflow = __builtin_add_overflow(a, b, &r); break;
    case arith_op::sub: overflow = __builtin_sub_overflow(a, b, &r); break;
    case arith_op::mul: overflow = __builtin_mul_overflow(a, b, &r); break;
    case arith_op::div:
        if (b == 0) throw_division_by_zero();
        // Truncates toward zero; only MIN / -1 overflows.
        if (b == -1) overflow = __builtin_sub_overflow(std::int64_t{0}, a, &r);
        else r = a / b;
        break;
    case arith_op::mod:
        if (b == 0) throw_division_by_zero();
        r = b == -1 ? 0 : a % b; // PostgreSQL special-cases -1 so that MIN % -1 is 0
        break;
    }
    if (overflow) detail::throw_integer_out_of_range(k);
    return detail::check_integer_range(r, k);
}

numeric numeric_arith(arith_op op, const numeric& a, const numeric& b) {
    switch (op) {
    case arith_op::add: return a + b;
    case arith_op::sub: return a - b;
    case arith_op::mul: return a * b;
    case arith_op::div: return a / b;
    case arith_op::mod: break;
    }
    return a % b;
}

// float8pl/mi/mul/div (and their float4 twins): infinities in, infinities out; new infinities
// and zeros are errors.
template <class F>
F float_arith(arith_op op, F a, F b) {
    F r{};
    switch (op) {
    case arith_op::add:
    case arith_op::sub:
        r = op == arith_op::add ? a + b : a - b;
        if (std::isinf(r) && !std::isinf(a) && !std::isinf(b)) throw_float_overflow();
        break;
    case arith_op::mul:
        r = a * b;
        if (std::isinf(r) && !std::isinf(a) && !std::isinf(b)) throw_float_overflow();
        if (r == 0 && a != 0 && b != 0) throw_float_underflow();
        break;
    case arith_op::div:
        if (b == 0 && !std::isnan(a)) throw_division_by_zero();
        r = a / b;
        if (std::isinf(r) && !std::isinf(a)) throw_float_overflow();
        if (r == 0 && a != 0 && !std::isinf(b)) throw_float_underflow();
        break;
    case arith_op::mod: throw_cannot_evaluate("% on floating-point values");
    }
    return r;
}

std::int64_t as_int(const value& v, const sql_type& result) {
    if (auto i = std::get_if<std::int64_t>(&v)) return *i;
    throw_cannot_evaluate("integer arithmetic producing " + result.name + " on a non-integer operand");
}

} // namespace

void throw_cannot_evaluate(const std::string& what) {
    throw error(sqlstate::feature_not_supported, "oracle cannot evaluate " + what);
}
void throw_float_overflow() {
    throw error(sqlstate::numeric_value_out_of_range, "value out of range: overflow");
}
void throw_float_underflow() {
    throw error(sqlstate::numeric_value_out_of_range, "value out of range: underflow");
}

numeric to_numeric(const value& v) {
    if (auto i = std::get_if<std::int64_t>(&v)) return numeric::from_int64(*i);
    if (auto n = std::get_if<numeric>(&v)) return *n;
    if (auto d = std::get_if<double>(&v)) return numeric::from_double(*d);
    throw_cannot_evaluate("a numeric operation on a non-numeric value");
}

double to_double(const value& v) {
    if (auto d = std::get_if<double>(&v)) return *d;
    if (auto i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (auto n = std::get_if<numeric>(&v)) return n->to_double();
    throw_cannot_evaluate("a floating-point operation on a non-numeric value");
}

value arithmetic(arith_op op, const value& a, const value& b, const sql_type& result) {
    switch (result.kind) {
    case type_kind::int2:
    case type_kind::int4:
    case type_kind::int8: return int_arith(op, as_int(a, result), as_int(b, result), result.kind);
    case type_kind::numeric: return numeric_arith(op, to_numeric(a), to_numeric(b));
    case type_kind::float8: return float_arith(op, to_double(a), to_double(b));
    case type_kind::float4:
        return static_cast<double>(float_arith(op, static_cast<float>(to_double(a)), static_cast<float>(to_double(b))));
    default: break;
    }
    throw_cannot_evaluate("arithmetic producing " + result.name);
}

value negate(const value& a, const sql_type& result) {
    if (auto i = std::get_if<std::int64_t>(&a)) return int_arith(arith_op::sub, 0, *i, result.kind);
    if (auto n = std::get_if<numeric>(&a)) return -*n;
    if (auto d = std::get_if<double>(&a)) return -*d;
    throw_cannot_evaluate("unary minus on " + result.name);
}

std::weak_ordering compare_operands(const value& a, const sql_type& ta, const value& b, const sql_type& tb) {
    auto family = [](const value& v) {
        if (std::holds_alternative<std::int64_t>(v) || std::holds_alternative<numeric>(v) ||
            std::holds_alternative<double>(v))
            return 1;
        if (std::holds_alternative<date_value>(v) || std::holds_alternative<timestamp_value>(v)) return 2;
        if (std::holds_alternative<opaque_value>(v)) return -1; // no known order
        return static_cast<int>(v.index()) + 10;
    };
    if (family(a) != family(b) || family(a) < 0)
        throw_cannot_evaluate("comparison of " + ta.name + " with " + tb.name);
    return compare_values(a, b);
}

bool replaces_extreme(const value& v, const value& best, bool greatest, const sql_type& type) {
    if (std::holds_alternative<opaque_value>(v)) throw_cannot_evaluate("the order of " + type.name);
    if (is_null(best)) return true;
    auto c = compare_values(v, best);
    return greatest ? c > 0 : c < 0;
}

} // namespace pgt::eval_detail
