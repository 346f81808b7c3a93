#include "sqlsmith.hpp"

#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "pg_cluster.hpp"

namespace pgt::fuzz {

std::vector<std::string> split_statements(const std::string& output) {
    std::vector<std::string> statements;
    std::istringstream in(output);
    std::string current;
    for (std::string line; std::getline(in, line);) {
        const auto end = line.find_last_not_of(" \t\r");
        if (end != std::string::npos && line[end] == ';') {
            current += line.substr(0, end);
            statements.push_back(current);
            current.clear();
        } else {
            current += line + "\n";
        }
    }
    return statements;
}

std::vector<std::string> sqlsmith_statements(const std::string& conninfo, std::uint64_t seed, std::size_t count) {
    const std::string command = "sqlsmith --target=" + testing::shell_quote(conninfo) + " --seed=" + std::to_string(seed) +
                                " --max-queries=" + std::to_string(count) + " --dry-run --exclude-catalog 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) throw std::runtime_error("cannot run: " + command);
    std::string output;
    char buffer[65536];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0;) output.append(buffer, n);
    if (pclose(pipe.release()) != 0) throw std::runtime_error("sqlsmith failed (is the sqlsmith package installed?): " + command);
    auto statements = split_statements(output);
    if (statements.size() != count)
        throw std::runtime_error("sqlsmith printed " + std::to_string(statements.size()) + " statements, not " +
                                 std::to_string(count));
    return statements;
}

} // namespace pgt::fuzz
