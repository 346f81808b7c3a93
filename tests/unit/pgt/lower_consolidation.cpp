// Where a source's change is consolidated (its rows grouped and their weights netted): only
// for a rule that reads net weights (DISTINCT, a sublink, a set operation), and after the
// filters and projections it passes through alone, which leave fewer rows and columns to group.
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

std::string delta_of(const std::string& query) {
    const auto graph = circuit_of(query);
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", {}).statement;
}

bool has_line(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }

} // namespace

TEST_CASE("consolidation: a DISTINCT's change is grouped after its filter and projection", "[lower]") {
    const auto sql = delta_of("SELECT customer_id, count(*) FROM (SELECT DISTINCT customer_id, status FROM orders WHERE amount > 10) d "
                              "GROUP BY customer_id");
    CHECK(has_line(sql, "-- Δpublic.orders: captured changes"));
    CHECK(has_line(sql, "-- n3: map — π(Δ), consolidated"));
    // Grouped by the two columns the projection keeps, not by the table's four.
    CHECK(sql.find("GROUP BY c.\"customer_id\", c.\"status\" HAVING") != std::string::npos);
    CHECK(sql.find("GROUP BY c.\"id\"") == std::string::npos);
}

TEST_CASE("consolidation: a sublink's inner change is grouped after its projection", "[lower]") {
    const auto sql = delta_of("SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 0)");
    CHECK(has_line(sql, "-- Δpublic.orders: captured changes"));
    CHECK(sql.find("Δpublic.orders: captured changes, consolidated") == std::string::npos);
    CHECK(sql.find("π(Δ), consolidated") != std::string::npos);
}

TEST_CASE("consolidation: a change a join reads first is grouped before the join", "[lower]") {
    const auto sql = delta_of("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
                              "WHERE EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.id)");
    // Each table is read for the columns the query uses (column pruning), and its change is
    // grouped by them as they are read.
    CHECK(has_line(sql, "-- Δpublic.orders: captured changes"));
    CHECK(has_line(sql, "-- n1: map — π(Δ), consolidated"));
    CHECK(has_line(sql, "-- Δpublic.customers: captured changes"));
    CHECK(has_line(sql, "-- n3: map — π(Δ), consolidated"));
    CHECK(sql.find("GROUP BY c.\"id\", c.\"customer_id\" HAVING") != std::string::npos);
}

TEST_CASE("consolidation: a change that only sums is grouped nowhere", "[lower]") {
    const auto sql = delta_of("SELECT customer_id, sum(amount) FROM orders WHERE amount > 10 GROUP BY customer_id");
    CHECK(sql.find(", consolidated") == std::string::npos);
}
