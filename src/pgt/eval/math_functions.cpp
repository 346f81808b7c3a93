// Mathematical functions, each in the variants PostgreSQL has: integer, numeric, float. The
// call's result type says which one the parser chose.

#include <cerrno>
#include <cmath>

#include "internal.hpp"

namespace pgt::eval_detail {

namespace {

using args_t = std::vector<value>;

[[noreturn]] void unsupported(const ir::expr& e) {
    throw_cannot_evaluate("function " + e.name + " returning " + e.type.name);
}

// Applies the float or the numeric variant of a one-argument function.
template <class FloatFn, class NumericFn>
value unary(const ir::expr& e, const value& x, FloatFn on_float, NumericFn on_numeric) {
    if (is_float(e.type.kind)) return on_float(to_double(x));
    if (e.type.kind == type_kind::numeric) return on_numeric(to_numeric(x));
    unsupported(e);
}

value fn_abs(const ir::expr& e, const args_t& a) {
    if (is_integer(e.type.kind)) {
        std::int64_t x = std::get<std::int64_t>(a[0]);
        return x < 0 ? negate(a[0], e.type) : a[0];
    }
    return unary(e, a[0], [](double x) { return std::fabs(x); }, [](const numeric& n) { return n.abs(); });
}

value fn_round(const ir::expr& e, const args_t& a) {
    int scale = a.size() > 1 ? static_cast<int>(int_arg(e, a, 1)) : 0;
    return unary(e, a[0], [](double x) { return std::rint(x); }, [&](const numeric& n) { return n.round(scale); });
}

value fn_trunc(const ir::expr& e, const args_t& a) {
    int scale = a.size() > 1 ? static_cast<int>(int_arg(e, a, 1)) : 0;
    return unary(e, a[0], [](double x) { return std::trunc(x); }, [&](const numeric& n) { return n.trunc(scale); });
}

value fn_floor(const ir::expr& e, const args_t& a) {
    return unary(e, a[0], [](double x) { return std::floor(x); }, [](const numeric& n) { return n.floor(); });
}

value fn_ceil(const ir::expr& e, const args_t& a) {
    return unary(e, a[0], [](double x) { return std::ceil(x); }, [](const numeric& n) { return n.ceil(); });
}

value fn_sign(const ir::expr& e, const args_t& a) {
    return unary(e, a[0], [](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; },
                 [](const numeric& n) { return n.sign(); });
}

value fn_mod(const ir::expr& e, const args_t& a) { return arithmetic(arith_op::mod, a[0], a[1], e.type); }

// dsqrt
double float_sqrt(double x) {
    if (x < 0)
        throw error(detail::invalid_argument_for_power_function, "cannot take square root of a negative number");
    return std::sqrt(x);
}

value fn_sqrt(const ir::expr& e, const args_t& a) {
    return unary(e, a[0], float_sqrt, [](const numeric& n) { return n.sqrt(); });
}

// dpow: POSIX rules for NaN and infinities decided before calling pow(), PostgreSQL's errors.
double float_power(double x, double y) {
    if (std::isnan(x)) return std::isnan(y) || y != 0 ? x : 1.0;
    if (std::isnan(y)) return x != 1.0 ? y : 1.0;
    if (x == 0 && y < 0)
        throw error(detail::invalid_argument_for_power_function, "zero raised to a negative power is undefined");
    if (x < 0 && std::floor(y) != y)
        throw error(detail::invalid_argument_for_power_function,
                    "a negative number raised to a non-integer power yields a complex result");
    if (std::isinf(y)) {
        double ax = std::fabs(x);
        if (ax == 1.0) return 1.0;
        return (ax > 1.0) == (y > 0) ? std::fabs(y) : 0.0;
    }
    if (std::isinf(x)) {
        if (y == 0) return 1.0;
        if (x > 0) return y > 0 ? x : 0.0;
        bool odd = std::floor(y / 2) != y / 2;
        if (y > 0) return odd ? x : -x;
        return odd ? -0.0 : 0.0;
    }
    errno = 0;
    double r = std::pow(x, y);
    if (errno == ERANGE && r != 0) throw_float_overflow();
    if (std::isinf(r)) throw_float_overflow();
    if (r == 0 && x != 0) throw_float_underflow();
    return r;
}

value fn_power(const ir::expr& e, const args_t& a) {
    if (is_float(e.type.kind)) return float_power(to_double(a[0]), to_double(a[1]));
    if (e.type.kind == type_kind::numeric) return to_numeric(a[0]).power(to_numeric(a[1]));
    unsupported(e);
}

// dexp: overflow and underflow of a finite argument are errors.
double float_exp(double x) {
    if (std::isnan(x)) return x;
    if (std::isinf(x)) return x > 0 ? x : 0.0;
    errno = 0;
    double r = std::exp(x);
    if ((errno == ERANGE && r != 0) || std::isinf(r)) throw_float_overflow();
    if (r == 0) throw_float_underflow();
    return r;
}

// dlog1 / dlog10
template <double (*Log)(double)>
double float_log(double x) {
    if (x == 0) throw error("2201E", "cannot take logarithm of zero");
    if (x < 0) throw error("2201E", "cannot take logarithm of a negative number");
    return Log(x);
}

// PostgreSQL's RADIANS_PER_DEGREE, used through its checked float8 division/multiplication.
constexpr double radians_per_degree = 0.0174532925199432957692;

template <double (*F)(double)>
value float_only(const ir::expr& e, const args_t& a) {
    if (!is_float(e.type.kind)) unsupported(e);
    return F(to_double(a[0]));
}

value fn_pi(const ir::expr&, const args_t&) { return 3.14159265358979323846; }
value fn_degrees(const ir::expr& e, const args_t& a) {
    return arithmetic(arith_op::div, a[0], radians_per_degree, e.type);
}
value fn_radians(const ir::expr& e, const args_t& a) {
    return arithmetic(arith_op::mul, a[0], radians_per_degree, e.type);
}

// div(numeric, numeric): the truncated quotient, dscale 0.
value fn_div(const ir::expr&, const args_t& a) {
    numeric x = to_numeric(a[0]), y = to_numeric(a[1]);
    if (x.is_nan() || y.is_nan()) return numeric::nan();
    if (x.is_infinite()) {
        if (y.is_infinite()) return numeric::nan();
        if (y.signum() == 0) throw error(sqlstate::division_by_zero, "division by zero");
        return numeric::infinity(x.signum() * y.signum() < 0);
    }
    if (y.is_infinite()) return numeric{};
    // x - x % y is an exact multiple of y, so the division is exact.
    return ((x - x % y) / y).trunc();
}

constexpr function_def table[] = {
    {"abs", 1, 1, true, fn_abs},
    {"round", 1, 2, true, fn_round},
    {"trunc", 1, 2, true, fn_trunc},
    {"floor", 1, 1, true, fn_floor},
    {"ceil", 1, 1, true, fn_ceil},
    {"ceiling", 1, 1, true, fn_ceil},
    {"sign", 1, 1, true, fn_sign},
    {"mod", 2, 2, true, fn_mod},
    {"sqrt", 1, 1, true, fn_sqrt},
    {"power", 2, 2, true, fn_power},
    {"pow", 2, 2, true, fn_power},
    {"cbrt", 1, 1, true, float_only<static_cast<double (*)(double)>(std::cbrt)>},
    {"exp", 1, 1, true, float_only<float_exp>},
    {"ln", 1, 1, true, float_only<float_log<static_cast<double (*)(double)>(std::log)>>},
    {"log", 1, 1, true, float_only<float_log<static_cast<double (*)(double)>(std::log10)>>},
    {"pi", 0, 0, true, fn_pi},
    {"degrees", 1, 1, true, fn_degrees},
    {"radians", 1, 1, true, fn_radians},
    {"div", 2, 2, true, fn_div},
};

} // namespace

std::span<const function_def> math_functions() { return table; }

} // namespace pgt::eval_detail
