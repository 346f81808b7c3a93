#pragma once
// The schema sqlsmith writes queries against, generated from a seed: tables that together hold a
// column of every type family, keyed and keyless, column names shared between tables (with
// other types), NULL-heavy rows, and one view. Another seed gives a held-out schema.

#include <cstdint>
#include <string>
#include <vector>

#include "types.hpp"

namespace pgt::fuzz {

struct column {
    std::string name;
    const column_type* type;
};

struct table {
    std::string name;
    std::vector<column> columns;
    std::vector<std::string> key; ///< primary key columns; empty for a keyless table

    const column* find(const std::string& column_name) const;
};

struct view {
    std::string name;
    std::string base; ///< the one table it reads
    std::string sql;  ///< its defining query
};

struct schema {
    std::uint64_t seed = 0;
    std::vector<table> tables;
    view v;
    std::string rows_sql; ///< INSERTs of the initial rows

    /// CREATE TYPE / DOMAIN / TABLE / VIEW statements.
    std::string ddl() const;
    const table* find(const std::string& table_name) const;
    /// The tables a relation of the schema reads: itself, or the view's base.
    std::vector<std::string> base_tables(const std::string& relation) const;
};

schema generate_schema(std::uint64_t seed);

} // namespace pgt::fuzz
