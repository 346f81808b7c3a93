#pragma once
// Where the golden schema and SQL files are, and how the tests read them.
#include <fstream>
#include <sstream>
#include <string>

namespace pgt_test {

inline const std::string golden_dir = std::string(PGT_TEST_DATA_DIR) + "/../golden/";

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace pgt_test
