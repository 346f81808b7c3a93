#include "float_io.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "errors.hpp"

namespace pgt::detail {

namespace {

bool is_blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

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

// PostgreSQL's Ryu output: the shortest round-trip digits, written in fixed notation when the
// decimal exponent is in [-4, fixed_limit) and as d.ddde±XX otherwise.
template <class T>
std::string format_float(T v, int fixed_limit) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    std::string out;
    if (sci.front() == '-') {
        out.push_back('-');
        sci.remove_prefix(1);
    }
    std::size_t e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_pos))
        if (c != '.') digits.push_back(c);
    int exp = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
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
