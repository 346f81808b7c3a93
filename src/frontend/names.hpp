#pragma once
// Names PostgreSQL gives things: output columns without an alias, statement kinds and
// expression nodes in messages.
#include <string>

#include "frontend/pg.hpp"

namespace pgt::frontend {

/// PostgreSQL's FigureColname(): the column name, the function name, `case`, the type name
/// of a cast, …, `?column?` when nothing better.
std::string figure_column_name(const Node* expr);

/// `INSERT`, `CREATE TABLE`, … for "must be a SELECT" messages.
std::string statement_kind(const Node* stmt);

/// A readable name for an expression node the front end does not translate.
std::string expression_kind(const Node* n);

} // namespace pgt::frontend
