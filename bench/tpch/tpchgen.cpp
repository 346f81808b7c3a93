// tpchgen: TPC-H data and refresh functions as psql scripts (see tpch_data.hpp).
//
//   tpchgen [--sf X] [--seed N] load          schema, every table (COPY … FROM STDIN), indexes, ANALYZE
//   tpchgen [--sf X] [--seed N] refresh R     round R: RF1 (COPY), RF2 (DELETE), updates, ANALYZE
//   tpchgen [--sf X] [--seed N] table NAME    the rows of one table, COPY text format
#include <cstdlib>
#include <iostream>
#include <string>

#include "tpch_data.hpp"

namespace {

void copy_block(std::ostream& out, const std::string& table, const auto& write) {
    out << "COPY " << table << " FROM STDIN;\n";
    write(out);
    out << "\\.\n";
}

int usage() {
    std::cerr << "usage: tpchgen [--sf X] [--seed N] load | refresh ROUND | table NAME\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    tpch::config c;
    int i = 1;
    for (; i + 1 < argc && std::string(argv[i]).starts_with("--"); i += 2) {
        const std::string opt = argv[i];
        if (opt == "--sf") c.sf = std::atof(argv[i + 1]);
        else if (opt == "--seed") c.seed = std::strtoull(argv[i + 1], nullptr, 10);
        else return usage();
    }
    if (i >= argc || c.sf <= 0) return usage();
    const std::string command = argv[i];
    std::ios::sync_with_stdio(false);
    if (command == "load") {
        std::cout << tpch::schema_sql();
        for (const auto& t : tpch::tables())
            copy_block(std::cout, t, [&](std::ostream& o) { tpch::write_table(o, t, c); });
        std::cout << tpch::index_sql() << "ANALYZE;\n";
    } else if (command == "refresh" && i + 1 < argc) {
        const int round = std::atoi(argv[i + 1]);
        if (round < 1) return usage();
        for (const char* t : {"orders", "lineitem"})
            copy_block(std::cout, t, [&](std::ostream& o) { tpch::write_new_orders(o, t, c, round); });
        std::cout << tpch::delete_sql(c, round) << tpch::update_sql(c, round) << "ANALYZE;\n";
    } else if (command == "table" && i + 1 < argc) {
        tpch::write_table(std::cout, argv[i + 1], c);
    } else {
        return usage();
    }
    return std::cout.good() ? 0 : 1;
}
