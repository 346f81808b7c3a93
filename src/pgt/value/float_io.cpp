#include "float_io.hpp"

#include <cctype>
#include <cerrno>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <boost/multiprecision/cpp_int.hpp>

#include "errors.hpp"
#include "text.hpp"

namespace pgt::detail {

namespace {

template <class T>
T parse_float(std::string_view text, const char* type_label) {
    std::string s(text);
    const char* num = s.c_str();
    while (*num && is_blank(*num)) ++num;
    if (*num == '\0') throw_invalid_input(type_label, text);
    errno = 0;
    char* end = nullptr;
    T val;
    if constexpr (std::is_same_v<T, float>) val = std::strtof(num, &end);
    else val = std::strtod(num, &end);
    if (end == num) throw_invalid_input(type_label, text);
    // glibc reports ERANGE for subnormal results too; only zero and infinity are out of range.
    if (errno == ERANGE && (val == 0 || std::isinf(val)))
        throw error(sqlstate::numeric_value_out_of_range,
                    "\"" + std::string(num, static_cast<std::size_t>(end - num)) + "\" is out of range for type " + type_label);
    while (*end && is_blank(*end)) ++end;
    if (*end != '\0') throw_invalid_input(type_label, text);
    return val;
}

// ---- shortest digits -----------------------------------------------------------------------
// PostgreSQL prints floats with its copy of Ryu, which picks the fewest significant digits
// whose value lies strictly inside the rounding interval of the float (it never accepts the
// interval's bounds, unlike std::to_chars and most shortest-round-trip printers), and among
// those the one closest to the float. This reproduces that choice with exact integers.

using big = boost::multiprecision::number<boost::multiprecision::cpp_int_backend<>,
                                          boost::multiprecision::et_off>;

big pow_big(unsigned base, int exponent) {
    return boost::multiprecision::pow(big(base), static_cast<unsigned>(exponent));
}

// Compares c·10^k with n·2^e exactly.
int compare_scaled(const big& c, int k, const big& n, int e) {
    big lhs = c, rhs = n;
    if (k >= 0) lhs *= pow_big(10, k);
    else rhs *= pow_big(10, -k);
    if (e >= 0) rhs *= pow_big(2, e);
    else lhs *= pow_big(2, -e);
    return lhs.compare(rhs);
}

struct decimal_digits {
    std::string digits; // no trailing zeros
    int exponent;       // decimal exponent of the first digit
};

// The float is mv·2^e; its rounding interval is (mm·2^e, mp·2^e).
decimal_digits shortest_digits(std::uint64_t mantissa, int exponent, bool lower_gap_halved) {
    const big mv = big(mantissa) * 4, mp = mv + 2, mm = mv - (lower_gap_halved ? 1 : 2);
    const int e = exponent - 2;
    // d with 10^d ≤ value < 10^(d+1)
    int d = static_cast<int>(std::floor(std::log10(static_cast<double>(mantissa)) + e * std::log10(2.0)));
    while (compare_scaled(1, d, mv, e) > 0) --d;
    while (compare_scaled(1, d + 1, mv, e) <= 0) ++d;
    for (int p = 1;; ++p) {
        int k = d - p + 1;
        // floor(value / 10^k) and the next multiple up.
        big num = mv, den = 1;
        if (e >= 0) num *= pow_big(2, e);
        else den *= pow_big(2, -e);
        if (k >= 0) den *= pow_big(10, k);
        else num *= pow_big(10, -k);
        big low = num / den, high = low + 1;
        auto inside = [&](const big& c) {
            return compare_scaled(c, k, mm, e) > 0 && compare_scaled(c, k, mp, e) < 0;
        };
        bool low_ok = inside(low), high_ok = inside(high);
        if (!low_ok && !high_ok) continue;
        big chosen = low_ok ? low : high;
        if (low_ok && high_ok) {
            // Closest to the value; a tie goes to the even candidate.
            big twice_rem = 2 * (num - low * den);
            int cmp = twice_rem.compare(den);
            if (cmp > 0 || (cmp == 0 && low % 2 != 0)) chosen = high;
        }
        std::string digits = chosen.str();
        int first_exponent = k + static_cast<int>(digits.size()) - 1;
        digits.erase(digits.find_last_not_of('0') + 1);
        return {digits, first_exponent};
    }
}

template <class T>
decimal_digits shortest_digits(T v) {
    using bits_t = std::conditional_t<std::is_same_v<T, float>, std::uint32_t, std::uint64_t>;
    constexpr int mantissa_bits = std::numeric_limits<T>::digits - 1;
    constexpr int bias = std::numeric_limits<T>::max_exponent - 1;
    bits_t bits = std::bit_cast<bits_t>(v);
    bits_t fraction = bits & ((bits_t(1) << mantissa_bits) - 1);
    int biased = static_cast<int>((bits >> mantissa_bits) & ((bits_t(1) << (sizeof(T) * 8 - 1 - mantissa_bits)) - 1));
    if (biased == 0) return shortest_digits(fraction, 1 - bias - mantissa_bits, false);
    return shortest_digits(fraction | (std::uint64_t(1) << mantissa_bits), biased - bias - mantissa_bits,
                           fraction == 0 && biased > 1);
}

// Fixed notation when the decimal exponent is in [-4, fixed_limit), else d.ddde±XX.
template <class T>
std::string format_float(T v, int fixed_limit) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
    std::string out = std::signbit(v) ? "-" : "";
    if (v == 0) return out + "0";
    auto [digits, exp] = shortest_digits(std::fabs(v));
    int n = static_cast<int>(digits.size());
    if (exp >= -4 && exp < fixed_limit) {
        if (exp < 0) {
            out += "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
        } else if (n <= exp + 1) {
            out += digits + std::string(static_cast<std::size_t>(exp + 1 - n), '0');
        } else {
            out += digits.substr(0, static_cast<std::size_t>(exp + 1)) + "." +
                   digits.substr(static_cast<std::size_t>(exp + 1));
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    std::string e = std::to_string(std::abs(exp));
    if (e.size() < 2) e.insert(0, "0");
    return out + (exp < 0 ? "e-" : "e+") + e;
}

} // namespace

double parse_float8(std::string_view text) { return parse_float<double>(text, "double precision"); }
float parse_float4(std::string_view text) { return parse_float<float>(text, "real"); }

std::string format_float8(double v) { return format_float(v, std::numeric_limits<double>::digits10); }
std::string format_float4(float v) { return format_float(v, std::numeric_limits<float>::digits10); }

} // namespace pgt::detail
