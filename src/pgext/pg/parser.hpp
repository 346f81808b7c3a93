#pragma once
// PostgreSQL's parser, as plain C++.

#include <string>

namespace pgt::server {

/// PostgreSQL's own grammar: the raw parse tree (List * of RawStmt) of `sql`, allocated in the
/// current memory context. Syntax errors arrive as pgt::error 42601 with a position.
const void* parse(const std::string& sql);

/// A defining query as the user wrote it, made fit to be embedded in larger statements: the text
/// of its one statement without the `;` and what follows it, and a line break after a trailing
/// `--` comment (which would otherwise swallow what is appended). `sql` unchanged when it is not
/// one statement or does not parse: the compiler then reports that.
std::string statement_text(const std::string& sql);

} // namespace pgt::server
