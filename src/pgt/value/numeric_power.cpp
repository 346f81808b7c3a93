// numeric power(x, y) as PostgreSQL 15 computes it: POSIX rules for NaN and infinities, and
// for integral exponents the exact power rounded to max(16, dscale of x) fractional digits.
// Non-integral exponents go through PostgreSQL's ln/exp approximations, which the oracle does
// not reproduce digit for digit: those throw 0A000.

#include <algorithm>
#include <cmath>
#include <string>

#include "errors.hpp"
#include "numeric_impl.hpp"

namespace pgt {

namespace {
using impl = numeric_impl;

// PostgreSQL's const_one and const_zero, which the special cases return (dscale 0).
numeric one() { return numeric::from_int64(1); }
const numeric zero;

bool is_integral(const numeric& n) { return !n.is_nan() && (!n.is_finite() || n == n.trunc()); }
bool is_odd_integer(const numeric& n) {
    return n.is_finite() && is_integral(n) && impl::coef(n.trunc()) % 2 != 0;
}

[[noreturn]] void throw_zero_to_negative() {
    throw error(detail::invalid_argument_for_power_function,
                "zero raised to a negative power is undefined");
}
[[noreturn]] void throw_complex() {
    throw error(detail::invalid_argument_for_power_function,
                "a negative number raised to a non-integer power yields a complex result");
}
[[noreturn]] void throw_unsupported(const char* why) {
    throw error(sqlstate::feature_not_supported,
                std::string("oracle cannot evaluate power(numeric, numeric) with ") + why);
}

// numeric_power's rules when either operand is NaN or infinite.
numeric power_special(const numeric& x, const numeric& y) {
    if (x.is_nan()) return y.is_finite() && y.signum() == 0 ? one() : numeric::nan();
    if (y.is_nan()) return x.is_finite() && x == one() ? one() : numeric::nan();
    if (x.signum() == 0 && y.signum() < 0) throw_zero_to_negative();
    if (x.signum() < 0 && !is_integral(y)) throw_complex();
    if (x.is_finite() && x == one()) return one();
    if (y.signum() == 0) return one();
    if (y.is_infinite()) {
        if (x.is_finite() && x == -one()) return one();
        bool abs_x_gt_one = !x.is_finite() || x.abs() > one();
        return abs_x_gt_one == (y.signum() > 0) ? numeric::infinity() : zero;
    }
    // x is ±Infinity and y finite, non-zero.
    if (y.signum() < 0) return zero;
    return numeric::infinity(x.signum() < 0 && is_odd_integer(y));
}

// log10(|x|) to double precision, for any finite non-zero x (beyond double's range too).
double approx_log10(const numeric& x) {
    std::string digits = boost::multiprecision::abs(impl::coef(x)).str();
    double lead = std::stod("0." + digits.substr(0, 17));
    return static_cast<double>(static_cast<long>(digits.size()) - x.dscale()) + std::log10(lead);
}
} // namespace

numeric numeric::power(const numeric& y) const {
    const numeric& x = *this;
    if (!x.is_finite() || !y.is_finite()) return power_special(x, y);
    if (x.signum() == 0 && y.signum() < 0) throw_zero_to_negative();
    if (!is_integral(y)) {
        if (x.signum() < 0) throw_complex();
        // The two cases whose ln/exp evaluation is exact.
        if (x.signum() == 0) return impl::make(0, impl::min_sig_digits);
        if (x == one()) {
            int rscale = std::max({impl::min_sig_digits, x.dscale(), y.dscale()});
            return impl::rescale(one(), rscale, rscale, true);
        }
        throw_unsupported("a non-integral exponent");
    }
    const big_int e = impl::coef(y.trunc());
    if (boost::multiprecision::abs(e) > 2147483647) throw_unsupported("a huge exponent");
    long n = e.convert_to<long>();
    int rscale = std::min(std::max(impl::min_sig_digits, x.dscale()), impl::max_display_scale);
    if (n == 0 || x.signum() == 0) return impl::rescale(n == 0 ? one() : zero, rscale, rscale, true);

    // Decide from the magnitude of the result before computing it exactly.
    double magnitude = static_cast<double>(n) * approx_log10(x);
    if (magnitude > impl::max_integral_digits + 1)
        throw error(sqlstate::numeric_value_out_of_range, "value overflows numeric format");
    if (magnitude < -(rscale + 2)) return impl::rescale(zero, rscale, rscale, true);
    unsigned abs_n = static_cast<unsigned>(n < 0 ? -n : n);
    if (static_cast<double>(impl::digit_count(impl::coef(x))) * abs_n > 4e6)
        throw_unsupported("an exponent this large");

    big_int coef = boost::multiprecision::pow(impl::coef(x), abs_n);
    long scale = static_cast<long>(x.dscale()) * abs_n;
    if (n < 0) {
        // 1 / x^|n|, rounded once at rscale.
        big_int num = impl::pow10(static_cast<int>(rscale + scale));
        return impl::make(impl::div_round(num, coef), rscale);
    }
    if (scale > rscale) coef = impl::div_round(coef, impl::pow10(static_cast<int>(scale - rscale)));
    else coef *= impl::pow10(static_cast<int>(rscale - scale));
    return impl::make(std::move(coef), rscale);
}

} // namespace pgt
