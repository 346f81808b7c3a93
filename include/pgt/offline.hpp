#pragma once
/// \file
/// Offline compilation (pgtc, tests): PostgreSQL's grammar through libpg_query, and a catalog
/// read from a schema file of CREATE TABLE / CREATE VIEW statements. Link `pgt_offline`.

#include <memory>
#include <string>
#include <vector>

#include "pgt/catalog.hpp"
#include "pgt/detail/no_postgres.hpp"
#include "pgt/frontend.hpp"

namespace pgt::offline {

/// Parses with libpg_query. Parse trees stay valid until the parser is destroyed. Syntax errors throw
/// `pgt::error` (42601) with libpg_query's message and cursor position.
class parser {
public:
    parser();
    ~parser();
    parser(const parser&) = delete;
    parser& operator=(const parser&) = delete;
    const void* parse(const std::string& sql);
    /// A `frontend::parse_fn` calling this parser.
    frontend::parse_fn as_parse_fn();

private:
    std::vector<void*> contexts_; ///< libpg_query memory contexts, one per parse
};

/// A catalog built from `CREATE TABLE` (columns, types, NOT NULL, PRIMARY KEY — column or
/// table constraint) and `CREATE VIEW` statements; other statements are refused. Unqualified
/// names go into schema `public`; lookups without a schema search `public`.
std::unique_ptr<catalog> load_schema(const std::string& ddl);

/// Convenience: compile `sql` against `cat` with a fresh offline parser.
frontend::compile_result compile(const std::string& sql, const catalog& cat);

} // namespace pgt::offline
