#pragma once
/// \file
/// Private: the errors the value model and the evaluator share, worded as PostgreSQL words them.

#include <cstdint>
#include <string>

#include "pgt/error.hpp"
#include "pgt/types.hpp"

namespace pgt::detail {

/// SQLSTATEs the shared list in pgt/error.hpp does not have (yet).
inline constexpr const char* string_data_right_truncation = "22001";
inline constexpr const char* invalid_argument_for_power_function = "2201F";
inline constexpr const char* invalid_escape_sequence = "22025";

/// "smallint", "integer" or "bigint": how PostgreSQL names an integer kind in messages.
const char* integer_type_label(type_kind k);

/// 22003 "smallint out of range" / "integer out of range" / "bigint out of range".
[[noreturn]] void throw_integer_out_of_range(type_kind k);

/// `v` if it fits integer kind `k`, else throw_integer_out_of_range(k).
std::int64_t check_integer_range(std::int64_t v, type_kind k);

/// 22P02 invalid input syntax for type `type_label`: "`text`".
[[noreturn]] void throw_invalid_input(const char* type_label, std::string_view text);

} // namespace pgt::detail
