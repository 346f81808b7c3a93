#pragma once
/// \file
/// `pgt::numeric`: PostgreSQL's `numeric` for the oracle — an exact decimal with a display scale
/// (dscale: `1.50` keeps two fractional digits), NaN and ±Infinity. Results follow PostgreSQL 15
/// digit for digit: the scale of every operation, rounding half away from zero, and the errors.
/// The coefficient is an arbitrary-precision integer kept behind a shared immutable pointer, so
/// copies are cheap and this header stays free of the big-integer library.

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/types.hpp"

namespace pgt {

class numeric {
public:
    /// Zero with dscale 0.
    numeric() = default;

    static numeric from_int64(std::int64_t v);
    /// float8 → numeric as PostgreSQL casts it: through `%.15g` text (0.1 stays 0.1, and
    /// 1.0000000000000002 becomes 1). NaN and ±Infinity map to their numeric counterparts.
    static numeric from_double(double v);
    /// float4 → numeric: through `%.6g` text.
    static numeric from_float4(float v);
    /// numeric_in: optional surrounding blanks and sign, digits with an optional point and
    /// exponent, `NaN`, `Infinity`/`inf` (any case). Bad input throws 22P02.
    static numeric parse(std::string_view text);
    static numeric nan();
    static numeric infinity(bool negative = false);

    bool is_nan() const { return kind_ == kind::nan; }
    bool is_infinite() const { return kind_ == kind::pos_inf || kind_ == kind::neg_inf; }
    bool is_finite() const { return kind_ == kind::finite; }
    /// -1, 0 or 1 (NaN: 0).
    int signum() const;
    /// Digits shown after the decimal point (0 for NaN and infinities).
    int dscale() const { return dscale_; }

    /// numeric_out: exactly `dscale()` fractional digits; `NaN`, `Infinity`, `-Infinity`.
    std::string to_string() const;
    /// numeric → float8 (through the text form, correctly rounded); overflow throws 22003.
    double to_double() const;
    /// numeric → float4; overflow throws 22003.
    float to_float4() const;
    /// numeric → int2/int4/int8 (`target`), rounding half away from zero. Out of range throws
    /// 22003 "smallint/integer/bigint out of range"; NaN and infinities throw 0A000.
    std::int64_t to_integer(type_kind target = type_kind::int8) const;

    numeric operator-() const;
    friend numeric operator+(const numeric& a, const numeric& b);
    friend numeric operator-(const numeric& a, const numeric& b);
    /// Exact; dscale is the sum of the operands' dscales.
    friend numeric operator*(const numeric& a, const numeric& b);
    /// Rounded to PostgreSQL's select_div_scale (at least 16 significant digits, never fewer
    /// fractional digits than either operand). Division by zero throws 22012.
    friend numeric operator/(const numeric& a, const numeric& b);
    /// Remainder of the truncated quotient (sign of the dividend); dscale is the larger one.
    friend numeric operator%(const numeric& a, const numeric& b);

    /// round(x, n): half away from zero at `scale` fractional digits (negative: left of the
    /// point); the result shows max(scale, 0) digits.
    numeric round(int scale = 0) const;
    /// trunc(x, n): like round, toward zero.
    numeric trunc(int scale = 0) const;
    numeric floor() const;
    numeric ceil() const;
    numeric abs() const;
    /// sign(x): -1, 0 or 1 with dscale 0; NaN stays NaN.
    numeric sign() const;
    /// sqrt(x) with PostgreSQL's result scale; a negative argument throws 2201F.
    numeric sqrt() const;
    /// sqrt(x) correctly rounded (half up) at `rscale` (>= 0) places, as sqrt_var computes it
    /// for the standard deviations.
    numeric sqrt_at(int rscale) const;
    /// power(x, y). An integral exponent is computed exactly and rounded to PostgreSQL's scale
    /// (max(16, dscale of x)); any other exponent throws 0A000 (the oracle cannot match
    /// PostgreSQL's ln/exp digits).
    numeric power(const numeric& exponent) const;
    /// The `numeric(precision, scale)` type modifier: rounds to `scale`, then throws 22003
    /// "numeric field overflow" if the integral part does not fit.
    numeric with_typmod(int precision, int scale) const;

    /// Value order: 1.5 == 1.50, -Infinity < numbers < Infinity < NaN, and NaN == NaN.
    friend std::strong_ordering operator<=>(const numeric& a, const numeric& b);
    friend bool operator==(const numeric& a, const numeric& b) {
        return (a <=> b) == std::strong_ordering::equal;
    }
    /// Consistent with ==: trailing fractional zeros do not count.
    std::uint64_t hash() const;

private:
    friend struct numeric_impl; // the arithmetic, which sees the coefficient
    struct rep;
    enum class kind : std::uint8_t { finite, nan, pos_inf, neg_inf };

    kind kind_ = kind::finite;
    int dscale_ = 0;
    /// The value is coefficient × 10^-dscale; nullptr for zero (and the non-finite kinds).
    std::shared_ptr<const rep> coef_;
};

} // namespace pgt
