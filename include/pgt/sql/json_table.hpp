#pragma once
/// \file
/// `JSON_TABLE(…)` of a table_call as the defining query wrote it, its context item and PASSING
/// values spelled by `value` (over the input row), part of the renderer of generated SQL.

#include <functional>
#include <string>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt::sql {

std::string json_table(const ir::table_call& call, const std::function<std::string(const ir::expr&)>& value);

} // namespace pgt::sql
