#pragma once
// Runs sqlsmith to write queries. sqlsmith reads the schema (tables, columns, types, operators,
// functions) from the target database and, with --dry-run, prints each statement it generates
// followed by ';' instead of running it.

#include <cstdint>
#include <string>
#include <vector>

namespace pgt::fuzz {

/// `count` statements sqlsmith generates for the database `conninfo` with `seed`, in order
/// (deterministic for one seed and schema). Throws when sqlsmith cannot run.
std::vector<std::string> sqlsmith_statements(const std::string& conninfo, std::uint64_t seed, std::size_t count);

/// The statements of sqlsmith's --dry-run output: each ends with a line ending in ';'.
std::vector<std::string> split_statements(const std::string& output);

} // namespace pgt::fuzz
