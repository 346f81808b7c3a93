#pragma once
/// \file
/// Private: float4/float8 text conversion exactly as PostgreSQL 15's float4in/float8in and
/// float4out/float8out (extra_float_digits = 1: shortest text that reads back the same value).

#include <string>
#include <string_view>

namespace pgt::detail {

/// float8in: strtod syntax plus NaN/Infinity spellings, surrounding blanks. Throws 22P02 on bad
/// syntax and 22003 when the value over- or underflows.
double parse_float8(std::string_view text);
/// float4in.
float parse_float4(std::string_view text);

/// float8out: `0.1`, `1e+20`, `1.5e-05`, `-0`, `NaN`, `Infinity`.
std::string format_float8(double v);
/// float4out.
std::string format_float4(float v);

} // namespace pgt::detail
