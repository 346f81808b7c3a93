#pragma once
// PostgreSQL's parser, as plain C++.

#include <string>

namespace pgt::server {

/// PostgreSQL's own grammar: the raw parse tree (List * of RawStmt) of `sql`, allocated in the
/// current memory context. Syntax errors arrive as pgt::error 42601 with a position.
const void* parse(const std::string& sql);

} // namespace pgt::server
