// numeric: division, remainder and sqrt, whose result scales PostgreSQL chooses from the
// operands' base-10000 weights.

#include <algorithm>

#include "errors.hpp"
#include "numeric_impl.hpp"

namespace pgt {

namespace {
using impl = numeric_impl;

[[noreturn]] void throw_division_by_zero() {
    throw error(sqlstate::division_by_zero, "division by zero");
}

// PostgreSQL stores numerics in base 10000 with the point between two digits. Its scale
// choices look at the weight (power of 10000) and value of the first non-zero digit.
struct base10000_head {
    int weight = 0;
    int first_digit = 0;
};

int floor_div(int a, int b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

base10000_head head_of(const numeric& n) {
    const big_int& c = impl::coef(n);
    if (c == 0) return {};
    // The leading decimal digit stands at 10^e; its base-10000 digit at 10000^floor(e/4).
    int e = impl::digit_count(c) - 1 - n.dscale();
    int weight = floor_div(e, 4);
    int shift = n.dscale() + 4 * weight; // |value| / 10000^weight = |c| / 10^shift
    big_int m = boost::multiprecision::abs(c);
    big_int d = shift >= 0 ? m / impl::pow10(shift) : m * impl::pow10(-shift);
    return {weight, d.convert_to<int>()};
}

// select_div_scale: enough fractional digits for 16 significant digits of the quotient, at
// least either input's dscale.
int division_scale(const numeric& a, const numeric& b) {
    base10000_head ha = head_of(a), hb = head_of(b);
    int qweight = ha.weight - hb.weight;
    if (ha.first_digit <= hb.first_digit) --qweight;
    int rscale = impl::min_sig_digits - qweight * 4;
    rscale = std::max({rscale, a.dscale(), b.dscale(), 0});
    return std::min(rscale, impl::max_display_scale);
}

// The NaN and infinity rules of PostgreSQL's numeric_div.
numeric divide_special(const numeric& a, const numeric& b) {
    if (a.is_nan() || b.is_nan()) return numeric::nan();
    if (a.is_infinite()) {
        if (b.is_infinite()) return numeric::nan();
        if (b.signum() == 0) throw_division_by_zero();
        return numeric::infinity(a.signum() * b.signum() < 0);
    }
    return numeric{}; // finite / ±Infinity
}
} // namespace

numeric numeric_impl::divide(const numeric& a, const numeric& b, int rscale) {
    big_int num = coef(a) * pow10(rscale - a.dscale() + b.dscale());
    return make(div_round(num, coef(b)), rscale);
}

numeric operator/(const numeric& a, const numeric& b) {
    if (!a.is_finite() || !b.is_finite()) return divide_special(a, b);
    if (b.signum() == 0) throw_division_by_zero();
    return impl::divide(a, b, division_scale(a, b));
}

numeric operator%(const numeric& a, const numeric& b) {
    if (a.is_nan() || b.is_nan()) return numeric::nan();
    if (b.signum() == 0 && b.is_finite()) throw_division_by_zero();
    if (a.is_infinite()) return numeric::nan();
    if (b.is_infinite()) return a;
    int scale = std::max(a.dscale(), b.dscale());
    // big_int's % truncates, so the remainder takes the dividend's sign as in PostgreSQL.
    return impl::make(impl::coef_at(a, scale) % impl::coef_at(b, scale), scale);
}

numeric numeric::sqrt() const {
    // numeric_sqrt: 16 significant digits from the base-10000 weight, at least the dscale.
    const int sweight = is_finite() ? (head_of(*this).weight + 1) * 4 / 2 - 1 : 0;
    return sqrt_at(std::clamp(std::max(impl::min_sig_digits - sweight, dscale_), 0, impl::max_display_scale));
}

numeric numeric::sqrt_at(int rscale) const {
    if (is_nan() || kind_ == kind::pos_inf) return *this;
    if (signum() < 0)
        throw error(detail::invalid_argument_for_power_function,
                    "cannot take square root of a negative number");
    // floor(sqrt) with one extra digit, then round that digit half up: the correctly rounded
    // root, as PostgreSQL computes it.
    int digits = rscale + 1;
    big_int root = boost::multiprecision::sqrt(impl::coef_at(*this, 2 * digits));
    return impl::make(impl::div_round(root, big_int(10)), rscale);
}

} // namespace pgt
