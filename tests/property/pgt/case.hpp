#pragma once
// A randomized end-to-end case: a schema, its initial rows, one defining query and rounds of
// DML. Generated from a seed; every part is plain SQL so that a failing case can be printed,
// replayed and shrunk.

#include <cstdint>
#include <string>
#include <vector>

namespace pgt::testing {

struct table_spec {
    std::string name;
    std::string ddl;                 ///< CREATE TABLE …
    std::vector<std::string> rows;   ///< initial rows, each an INSERT statement
};

struct case_spec {
    std::uint64_t seed = 0;
    std::vector<table_spec> tables;
    std::string query;
    std::vector<std::vector<std::string>> rounds; ///< DML statements per round
};

/// The case of a seed (deterministic).
case_spec generate_case(std::uint64_t seed);

/// Printable reproduction of a case.
std::string describe(const case_spec& c);

} // namespace pgt::testing
