#pragma once
// Built-in set-returning functions callable in FROM: their output columns for the argument
// types of a call (the catalog interface describes scalar functions only).
#include <optional>
#include <string>
#include <vector>

#include "frontend/context.hpp"

namespace pgt::frontend {

struct table_function_signature {
    std::vector<ir::expr_ptr> args; ///< unknown literals coerced to the parameter types
    /// OUT parameters by name; a function returning a scalar has one column with an empty
    /// name (the caller names it after the alias or the function).
    std::vector<ir::column> columns;
};

/// pg_catalog's `name` applied to `args` in FROM, or nullopt when it is not one the front end
/// knows (or the arguments match none of its forms).
std::optional<table_function_signature> builtin_table_function(const std::string& name, std::vector<ir::expr_ptr> args);

} // namespace pgt::frontend
