#include "options.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace pgt::fuzz {

namespace {

[[noreturn]] void usage(int status) {
    (status ? std::cerr : std::cout)
        << "Usage: pgt_fuzz [options]\n"
           "Generates queries with sqlsmith over a schema of every type family, keeps those PostgreSQL runs\n"
           "deterministically, creates each as a stream table in every mode, applies random writes and checks\n"
           "that each stream table equals its query run afresh. Exit status 1 when a result was wrong, a refresh\n"
           "or write failed because of a stream table, or the server crashed.\n\n"
           "  --seed N           seeds sqlsmith's batches and the writes (default 1)\n"
           "  --schema-seed N    seed of the schema and its rows (default 1)\n"
           "  --queries N        kept queries to try (default 100)\n"
           "  --modes LIST       comma-separated refresh modes (default AUTO,DIFFERENTIAL,IMMEDIATE)\n"
           "  --rounds N         rounds of writes per query (default 3)\n"
           "  --jobs N           queries tried at once, each in its own database (default 2)\n"
           "  --report FILE      also write the report to FILE\n"
           "  --repro-dir DIR    where repro files of findings go, and outcomes.tsv: every kept\n"
           "                     query's outcome per mode (default ./fuzz-repro)\n"
           "  --query-timeout MS a kept query runs within this time in PostgreSQL (default 2000)\n"
           "  --max-rows N       a kept query returns at most N rows (default 2000)\n";
    std::exit(status);
}

long long number(const std::string& flag, const std::string& value, long long min) {
    char* end = nullptr;
    const long long n = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end || n < min) {
        std::cerr << "pgt_fuzz: " << flag << " needs a number >= " << min << ", not '" << value << "'\n";
        usage(2);
    }
    return n;
}

std::vector<std::string> modes(const std::string& list) {
    std::vector<std::string> r;
    std::istringstream in(list);
    for (std::string m; std::getline(in, m, ',');) {
        if (m != "AUTO" && m != "DIFFERENTIAL" && m != "IMMEDIATE" && m != "FULL") {
            std::cerr << "pgt_fuzz: unknown mode '" << m << "'\n";
            usage(2);
        }
        r.push_back(m);
    }
    if (r.empty()) usage(2);
    return r;
}

} // namespace

options parse_options(int argc, char** argv) {
    options o;
    o.command_line = "pgt_fuzz";
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") usage(0);
        if (i + 1 == argc) usage(2);
        const std::string value = argv[++i];
        o.command_line += " " + flag + " " + value;
        if (flag == "--seed") o.seed = static_cast<std::uint64_t>(number(flag, value, 0));
        else if (flag == "--schema-seed") o.schema_seed = static_cast<std::uint64_t>(number(flag, value, 0));
        else if (flag == "--queries") o.queries = static_cast<std::size_t>(number(flag, value, 1));
        else if (flag == "--modes") o.modes = modes(value);
        else if (flag == "--rounds") o.rounds = static_cast<int>(number(flag, value, 0));
        else if (flag == "--jobs") o.jobs = static_cast<int>(number(flag, value, 1));
        else if (flag == "--report") o.report_file = value;
        else if (flag == "--repro-dir") o.repro_dir = value;
        else if (flag == "--query-timeout") o.query_timeout_ms = static_cast<int>(number(flag, value, 1));
        else if (flag == "--max-rows") o.max_rows = static_cast<long>(number(flag, value, 1));
        else usage(2);
    }
    return o;
}

} // namespace pgt::fuzz
