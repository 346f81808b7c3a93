#pragma once
// Where the golden schema and SQL files are, how the tests read them, and the circuit of a
// query over the golden schema.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "pgt/circuit.hpp"
#include "pgt/offline.hpp"

namespace pgt_test {

inline const std::string golden_dir = std::string(PGT_TEST_DATA_DIR) + "/../golden/";

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

inline pgt::circuit circuit_of(const std::string& query) {
    auto catalog = pgt::offline::load_schema(read_file(golden_dir + "schema.sql"));
    auto compiled = pgt::offline::compile(query, *catalog);
    INFO(query);
    REQUIRE(compiled.query);
    return pgt::build_circuit(*compiled.query);
}

} // namespace pgt_test
