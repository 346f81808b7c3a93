#pragma once
// The column types of the fuzz schema, one or more per type family, with the values rows and
// DML draw from. Each pool holds few values, so that joins match, groups collide and duplicates
// occur; no two values of a pool are equal while printing differently ('1 day' and '24 hours'),
// since the invariant compares rows by their text. Floats are multiples of 1/4 (sums are exact
// whatever the order of addition), plus NaN and Infinity.

#include <string>
#include <vector>

#include "random.hpp"

namespace pgt::fuzz {

struct column_type {
    std::string sql;                 ///< as written in CREATE TABLE
    std::string family;              ///< integer, temporal, geometric, …
    std::vector<std::string> values; ///< the values' text forms
    std::vector<std::string> names;  ///< column names to choose from; shared across types, so
                                     ///< that tables have columns of one name and other types
    std::vector<std::string> refused = {}; ///< values the type refuses (a domain's check)
};

/// The enum, domain and composite the schema's columns use, created before the tables.
std::string user_types_ddl();

/// Every column type the schema draws from.
const std::vector<column_type>& column_types();

/// A random value of `type` as an SQL literal (`'…'::type`), NULL with probability `null_rate`.
std::string literal(const column_type& type, random& rng, double null_rate = 0.15);

/// As literal(), but now and then a value the type refuses: a write's own error.
std::string write_literal(const column_type& type, random& rng);

/// `s` as an SQL string literal.
std::string quote_literal(const std::string& s);

} // namespace pgt::fuzz
