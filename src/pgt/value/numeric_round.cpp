// numeric: rounding to a scale (round, trunc, floor, ceil, the numeric(p,s) type modifier) and
// conversion to integers.

#include <algorithm>
#include <limits>

#include "errors.hpp"
#include "numeric_impl.hpp"

namespace pgt {

namespace {
using impl = numeric_impl;

// round()/trunc() clamp their scale argument to PostgreSQL's NUMERIC_MAX_RESULT_SCALE.
constexpr int max_result_scale = 2000;

// Floor or ceiling: the integral neighbour of `n` in the direction of `direction` (±1).
numeric to_integral(const numeric& n, int direction) {
    if (!n.is_finite()) return n;
    numeric t = n.trunc();
    if (t == n || n.signum() != direction) return t;
    return t + numeric::from_int64(direction);
}
} // namespace

numeric numeric_impl::rescale(const numeric& n, int scale, int dscale, bool round) {
    if (!n.is_finite()) return n;
    const big_int& c = coef(n);
    big_int q; // the value in units of 10^-scale
    if (scale >= n.dscale()) q = c * pow10(scale - n.dscale());
    else if (round) q = div_round(c, pow10(n.dscale() - scale));
    else q = c / pow10(n.dscale() - scale); // truncates toward zero
    return make(q * pow10(dscale - scale), dscale);
}

numeric numeric::round(int scale) const {
    scale = std::clamp(scale, -max_result_scale, max_result_scale);
    return impl::rescale(*this, scale, std::max(scale, 0), true);
}

numeric numeric::trunc(int scale) const {
    scale = std::clamp(scale, -max_result_scale, max_result_scale);
    return impl::rescale(*this, scale, std::max(scale, 0), false);
}

numeric numeric::floor() const { return to_integral(*this, -1); }
numeric numeric::ceil() const { return to_integral(*this, 1); }

numeric numeric::with_typmod(int precision, int scale) const {
    if (is_nan()) return *this;
    auto overflow = [&](const std::string& what) {
        return error(sqlstate::numeric_value_out_of_range, "numeric field overflow",
                     "A field with precision " + std::to_string(precision) + ", scale " +
                         std::to_string(scale) + " " + what + ".");
    };
    if (is_infinite()) throw overflow("cannot hold an infinite value");
    numeric r = impl::rescale(*this, scale, std::max(scale, 0), true);
    // Digits left of the point (negative for leading fractional zeros) must fit p - s.
    const big_int& c = impl::coef(r);
    int max_digits = precision - scale;
    if (c != 0 && impl::digit_count(c) - r.dscale() > max_digits)
        throw overflow("must round to an absolute value less than " +
                       (max_digits == 0 ? std::string("1") : "10^" + std::to_string(max_digits)));
    return r;
}

std::int64_t numeric::to_integer(type_kind target) const {
    if (!is_finite())
        throw error(sqlstate::feature_not_supported,
                    std::string("cannot convert ") + (is_nan() ? "NaN" : "infinity") + " to " +
                        detail::integer_type_label(target));
    big_int q = impl::coef(round());
    if (q > std::numeric_limits<std::int64_t>::max() || q < std::numeric_limits<std::int64_t>::min())
        detail::throw_integer_out_of_range(target);
    return detail::check_integer_range(q.convert_to<std::int64_t>(), target);
}

} // namespace pgt
