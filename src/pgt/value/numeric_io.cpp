// numeric: text input and output (numeric_in, numeric_out) and the conversions PostgreSQL
// defines through text (float ↔ numeric).

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include "errors.hpp"
#include "float_io.hpp"
#include "numeric_impl.hpp"
#include "text.hpp"

namespace pgt {

namespace {
using impl = numeric_impl;
using detail::is_blank;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The special spellings numeric_in accepts, longest first where one prefixes another.
struct special_spelling {
    std::string_view text;
    bool nan, negative;
};
constexpr special_spelling specials[] = {
    {"nan", true, false},        {"infinity", false, false}, {"+infinity", false, false},
    {"-infinity", false, true}, {"inf", false, false},      {"+inf", false, false},
    {"-inf", false, true},
};

// set_var_from_str: [sign] digits [. digits] [e [sign] digits]; returns the position after it.
std::size_t parse_finite(std::string_view text, std::size_t pos, numeric& out) {
    auto fail = [&] { detail::throw_invalid_input("numeric", text); };
    bool negative = false;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) negative = text[pos++] == '-';
    std::string digits;
    long scale = 0;
    bool seen_point = false;
    for (; pos < text.size(); ++pos) {
        char c = text[pos];
        if (is_digit(c)) {
            digits.push_back(c);
            if (seen_point) ++scale;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (digits.empty()) fail();
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
        // strtol, which PostgreSQL uses here, skips blanks before the exponent's sign.
        while (pos < text.size() && is_blank(text[pos])) ++pos;
        bool exp_negative = false;
        if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
            exp_negative = text[pos++] == '-';
        long exponent = 0;
        std::size_t start = pos;
        for (; pos < text.size() && is_digit(text[pos]); ++pos)
            exponent = std::min(exponent * 10 + (text[pos] - '0'), 1000000000L);
        if (pos == start) fail();
        scale -= exp_negative ? -exponent : exponent;
    }
    if (scale > impl::max_dscale || scale < -impl::max_integral_digits)
        throw error(sqlstate::numeric_value_out_of_range, "value overflows numeric format");
    // Leading zeros would make boost read the digits as octal.
    std::size_t nonzero = digits.find_first_not_of('0');
    big_int coef(nonzero == std::string::npos ? std::string("0") : digits.substr(nonzero));
    if (negative) coef = -coef;
    // A negative scale (1e3) means trailing zeros of an integer, shown with dscale 0.
    if (scale < 0) out = impl::make(coef * impl::pow10(static_cast<int>(-scale)), 0);
    else out = impl::make(std::move(coef), static_cast<int>(scale));
    return pos;
}
} // namespace

numeric numeric::parse(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size() && is_blank(text[pos])) ++pos;
    numeric result;
    std::string_view rest = text.substr(pos);
    bool matched_special = false;
    for (const auto& sp : specials) {
        if (detail::starts_with_nocase(rest, sp.text)) {
            result = sp.nan ? nan() : infinity(sp.negative);
            pos += sp.text.size();
            matched_special = true;
            break;
        }
    }
    if (!matched_special) pos = parse_finite(text, pos, result);
    while (pos < text.size() && is_blank(text[pos])) ++pos;
    if (pos != text.size()) detail::throw_invalid_input("numeric", text);
    return result;
}

std::string numeric::to_string() const {
    switch (kind_) {
    case kind::nan: return "NaN";
    case kind::pos_inf: return "Infinity";
    case kind::neg_inf: return "-Infinity";
    case kind::finite: break;
    }
    const big_int& c = impl::coef(*this);
    std::string digits = boost::multiprecision::abs(c).str();
    auto width = static_cast<std::size_t>(dscale_) + 1;
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    if (dscale_ > 0) digits.insert(digits.size() - static_cast<std::size_t>(dscale_), ".");
    return c < 0 ? "-" + digits : digits;
}

numeric numeric::from_double(double v) {
    if (std::isnan(v)) return nan();
    if (std::isinf(v)) return infinity(v < 0);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v); // float8_numeric: DBL_DIG significant digits
    return parse(buf);
}

numeric numeric::from_float4(float v) {
    if (std::isnan(v)) return nan();
    if (std::isinf(v)) return infinity(v < 0);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(v)); // FLT_DIG
    return parse(buf);
}

double numeric::to_double() const { return detail::parse_float8(to_string()); }
float numeric::to_float4() const { return detail::parse_float4(to_string()); }

} // namespace pgt
