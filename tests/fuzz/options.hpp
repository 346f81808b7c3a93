#pragma once
// The fuzzer's command line.

#include <cstdint>
#include <string>
#include <vector>

namespace pgt::fuzz {

struct options {
    std::uint64_t seed = 1;        ///< seeds sqlsmith's batches and the writes
    std::uint64_t schema_seed = 1; ///< the schema and its rows
    std::size_t queries = 100;     ///< kept queries to try
    std::vector<std::string> modes{"AUTO", "DIFFERENTIAL", "IMMEDIATE"};
    int rounds = 3;
    int jobs = 2;
    std::string report_file;       ///< also written here when set
    std::string repro_dir = "fuzz-repro";
    int query_timeout_ms = 2000;
    long max_rows = 2000;
    std::string command_line;      ///< as given, for the report and repro files
};

/// Parses argv; prints the usage and exits on --help or a bad argument.
options parse_options(int argc, char** argv);

} // namespace pgt::fuzz
