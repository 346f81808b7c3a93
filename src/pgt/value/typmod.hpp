#pragma once
/// \file
/// Private: the type modifier a type's spelling carries (`numeric(12,2)`, `varchar(20)`,
/// `timestamp(3)`), which the input functions and casts apply.

#include <optional>
#include <utility>

#include "pgt/types.hpp"

namespace pgt::detail {

/// numeric(p, s) → {p, s}; numeric(p) → {p, 0}; plain numeric → nullopt.
std::optional<std::pair<int, int>> numeric_typmod(const sql_type& t);
/// varchar(n) / bpchar(n) length, timestamp(p) precision; nullopt when absent.
std::optional<int> single_typmod(const sql_type& t);

} // namespace pgt::detail
