// lower::options::uncorrelated_rescans: what a delta over Citus sources reads from a source's
// current rows, it reads by a grouped pass joined back, not by a subquery per changed row, which
// Citus does not run over a distributed table. (The live property cases run half their deltas
// so, against PostgreSQL's own answers.)
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

std::string delta_of(const std::string& query, bool uncorrelated) {
    const auto graph = circuit_of(query);
    pgt::lower::options opts;
    opts.uncorrelated_rescans = uncorrelated;
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", opts).statement;
}

} // namespace

TEST_CASE("lower: over Citus, INTERSECT and EXCEPT count a changed row's copies by a grouped pass", "[lower]") {
    for (const char* query : {"SELECT customer_id FROM orders EXCEPT SELECT id FROM customers",
                              "SELECT customer_id, status FROM orders INTERSECT ALL SELECT id, name FROM customers"}) {
        INFO(query);
        const std::string per_row = delta_of(query, false), grouped = delta_of(query, true);
        INFO(grouped);
        const std::string count_subquery = "(SELECT pg_catalog.count(*) FROM (";
        CHECK(per_row.find(count_subquery) != std::string::npos);
        CHECK(grouped.find(count_subquery) == std::string::npos);
        CHECK(grouped.find("pg_catalog.count(*) AS \"__pgt_n\"") != std::string::npos);
        CHECK(grouped.find(" LEFT JOIN ") != std::string::npos);
    }
}
