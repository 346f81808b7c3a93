#pragma once
/// \file
/// Private to the numeric implementation: the coefficient type and the few primitives every
/// numeric source file shares.

// GCC 16 reports out-of-bounds copies in cpp_int's resize inlined into our code, a false
// positive (boostorg/multiprecision#434) that -isystem does not silence in inlined code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#include <boost/multiprecision/cpp_int.hpp>
#pragma GCC diagnostic pop

#include "pgt/numeric.hpp"

namespace pgt {

// Without expression templates: every intermediate is a plain value.
using big_int = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<>,
                                              boost::multiprecision::et_off>;

struct numeric::rep {
    big_int coef;
};

struct numeric_impl {
    using kind = numeric::kind;

    /// Largest display scale and integral digit count PostgreSQL's storage format holds.
    static constexpr int max_dscale = 16383;
    static constexpr int max_integral_digits = 131072;
    /// Result scales of computed values (division, sqrt) stay within this.
    static constexpr int max_display_scale = 1000;
    /// PostgreSQL's NUMERIC_MIN_SIG_DIGITS.
    static constexpr int min_sig_digits = 16;

    static const big_int& coef(const numeric& n);
    static kind kind_of(const numeric& n) { return n.kind_; }
    /// coefficient × 10^-dscale; throws 22003 beyond the storage format's range.
    static numeric make(big_int coef, int dscale);
    static numeric special(kind k);

    static big_int pow10(int n);
    /// The coefficient of `n` expressed with `scale` ≥ dscale fractional digits.
    static big_int coef_at(const numeric& n, int scale);
    /// Number of decimal digits of |c| (0 for zero).
    static int digit_count(const big_int& c);
    /// n / d rounded half away from zero.
    static big_int div_round(const big_int& n, const big_int& d);
    /// a / b rounded half away from zero to `rscale` fractional digits (finite, b ≠ 0).
    static numeric divide(const numeric& a, const numeric& b, int rscale);
    /// The value rounded (half away from zero) or truncated to `scale` fractional digits,
    /// shown with `dscale` ≥ scale digits; `scale` may be negative.
    static numeric rescale(const numeric& n, int scale, int dscale, bool round);
};

} // namespace pgt
