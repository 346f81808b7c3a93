// pgtc: the stream-table compiler, offline. `pgtc explain --schema FILE --query SQL` prints the
// relational IR, the DBSP circuit and the delta SQL a stream table over that query would use.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "pgt/circuit.hpp"
#include "pgt/error.hpp"
#include "pgt/ir/rel.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

namespace {

constexpr const char* usage = R"(pgtc — the pg_trickle stream-table compiler (offline)

Usage:
  pgtc explain --schema FILE --query SQL
  pgtc explain --schema FILE --query-file FILE
  pgtc --help

explain   Compiles the defining query SQL against the tables and views of the schema FILE
          (CREATE TABLE / CREATE VIEW statements) and prints:
            - the relational IR (operator tree with output columns),
            - the DBSP circuit (one node per operator, with its delta rule),
            - the stream table's storage layout and full-load SQL,
            - the delta SQL of one incremental refresh, for changes read from relations named
              "changes"."<table>" (the source's columns plus a bigint __pgt_w, +1 per inserted
              row and -1 per deleted row).

Exit status:
  0  the query is maintained incrementally; everything was printed
  1  the query is malformed or does not match the schema (the message names the problem
     and, for syntax errors, its position)
  2  the query is valid but uses a construct DIFFERENTIAL maintenance does not support
     (the message names it); pg_trickle maintains such queries by full refresh
  64 bad command line
)";

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// "line L, column C" of a 0-based byte offset.
std::string where(const std::string& text, int position) {
    int line = 1, column = 1;
    for (int i = 0; i < position && i < static_cast<int>(text.size()); ++i) {
        if (text[static_cast<std::size_t>(i)] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

int explain(const std::string& schema_text, const std::string& query) {
    auto catalog = pgt::offline::load_schema(schema_text);
    auto result = pgt::offline::compile(query, *catalog);
    if (!result.query) {
        std::cerr << "pgtc: " << result.unsupported->what() << "\n";
        if (result.unsupported->position() >= 0)
            std::cerr << "  at " << where(query, result.unsupported->position()) << "\n";
        std::cerr << "  (" << result.unsupported->hint() << ")\n";
        return 2;
    }
    const auto graph = pgt::build_circuit(*result.query);
    std::cout << "== relational IR\n" << pgt::ir::to_string(*result.query->root) << "\n";
    std::cout << "== DBSP circuit\n" << pgt::to_string(graph) << "\n";
    const auto layout = pgt::lower::storage_layout(graph);
    std::cout << "== storage (" << pgt::to_string(layout.strategy) << ", row id "
              << (layout.unique_row_id ? "unique" : "shared by duplicates") << ")\n";
    for (const auto& c : layout.columns)
        std::cout << "  " << c.name << " " << c.type.name << (c.hidden ? "  -- " + c.purpose : "") << "\n";
    if (!layout.lookup_columns.empty()) {
        std::cout << "  index on (";
        for (std::size_t i = 0; i < layout.lookup_columns.size(); ++i) std::cout << (i ? ", " : "") << layout.lookup_columns[i];
        std::cout << ")  -- rows looked up by a refresh\n";
    }
    if (const int r = pgt::lower::recursion_stored_as_result(graph); r >= 0)
        std::cout << "  (the rows of WITH RECURSIVE node n" << r << ": its state, a row's copies its derivations)\n";
    std::cout << "\n== full load\n" << pgt::lower::full_load_sql(graph) << ";\n\n";
    // The extension keeps each stored aggregate's groups in a state table: so does this refresh.
    pgt::lower::options opts;
    for (const auto& s : pgt::lower::aggregate_states(graph)) {
        const std::string table = "\"state_n" + std::to_string(s.node) + "\"";
        opts.aggregate_states[s.node] = table;
        std::cout << "== state table " << table << " (node n" << s.node << ")\n" << s.select << ";\n\n";
    }
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    std::cout << "== delta SQL (one refresh of \"stream_table\")\n"
              << pgt::lower::delta_sql(graph, changes, "\"stream_table\"", opts).statement << ";\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << usage;
        return args.empty() ? 64 : 0;
    }
    if (args[0] != "explain") {
        std::cerr << "pgtc: unknown command '" << args[0] << "' (see pgtc --help)\n";
        return 64;
    }
    std::string schema_file, query;
    bool have_query = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto& a = args[i];
        if ((a == "--schema" || a == "--query" || a == "--query-file") && i + 1 < args.size()) {
            const auto& v = args[++i];
            if (a == "--schema") schema_file = v;
            if (a == "--query") query = v;
            if (a == "--query-file") query = read_file(v);
            have_query |= a != "--schema";
        } else {
            std::cerr << "pgtc: unexpected argument '" << a << "' (see pgtc --help)\n";
            return 64;
        }
    }
    if (schema_file.empty() || !have_query) {
        std::cerr << "pgtc: explain needs --schema FILE and --query SQL (see pgtc --help)\n";
        return 64;
    }
    try {
        return explain(read_file(schema_file), query);
    } catch (const pgt::error& e) {
        std::cerr << "pgtc: ERROR " << e.code() << ": " << e.what() << "\n";
        if (e.position() >= 0) std::cerr << "  at " << where(e.query().empty() ? query : e.query(), e.position()) << "\n";
        if (!e.detail().empty()) std::cerr << "  DETAIL: " << e.detail() << "\n";
        if (!e.hint().empty()) std::cerr << "  HINT: " << e.hint() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "pgtc: " << e.what() << "\n";
        return 1;
    }
}
