// Rows computed twice by a query, once: a correlated subquery's decorrelation reads the outer
// rows again (the distinct outer values D), and a node equal to an earlier one shares its change
// (circuit_node::same_as). A DISTINCT, and a MIN/MAX rescan, compare a never-NULL column by `=`,
// which an index answers.
#include <catch2/catch.hpp>

#include <algorithm>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

std::string delta_of(const pgt::circuit& graph) {
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", {}).statement;
}

std::vector<int> joins_sharing(const pgt::circuit& graph) {
    std::vector<int> ids;
    for (std::size_t i = 0; i < graph.nodes.size(); ++i)
        if (graph.nodes[i].op == pgt::circuit_op::join && graph.nodes[i].same_as >= 0) ids.push_back(static_cast<int>(i));
    return ids;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

} // namespace

TEST_CASE("circuit: a correlated subquery's outer join is one node, its change computed once", "[lower]") {
    const auto graph = circuit_of("SELECT sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
                                  "WHERE o.amount < (SELECT avg(o2.amount) FROM orders o2 WHERE o2.customer_id = c.id)");
    const auto shared = joins_sharing(graph);
    REQUIRE(shared.size() == 1);
    const auto& dup = graph.nodes[static_cast<std::size_t>(shared[0])];
    const auto& first = graph.nodes[static_cast<std::size_t>(dup.same_as)];
    CHECK(dup.same_as < shared[0]);
    CHECK(first.op == pgt::circuit_op::join);
    CHECK(first.same_as == -1);
    const std::string sql = delta_of(graph);
    INFO(sql);
    CHECK(occurrences(sql, "\"d" + std::to_string(dup.same_as) + "_join\" AS") == 1);
    CHECK(occurrences(sql, "\"d" + std::to_string(shared[0]) + "_join\"") == 0);
}

TEST_CASE("circuit: joins of the same inputs on other conditions stay apart", "[lower]") {
    const auto graph = circuit_of("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
                                  "UNION ALL SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id AND o.amount > 5");
    CHECK(joins_sharing(graph).empty());
    // (The second scan of each table shares the first's change.)
    CHECK(std::ranges::count_if(graph.nodes, [](const pgt::circuit_node& n) { return n.op == pgt::circuit_op::source && n.same_as >= 0; }) == 2);
}

TEST_CASE("lower: a DISTINCT's changed rows are counted by equality on a never-NULL column", "[lower]") {
    const std::string key = delta_of(circuit_of("SELECT count(*) FROM (SELECT DISTINCT id FROM orders) x"));
    const std::string nullable = delta_of(circuit_of("SELECT count(*) FROM (SELECT DISTINCT customer_id FROM orders) x"));
    INFO(key);
    CHECK(key.find("(c.\"id\" OPERATOR(pg_catalog.=) d.\"id\")") != std::string::npos);
    CHECK(key.find("(c.\"id\" IS NULL)") == std::string::npos);
    CHECK(nullable.find("(c.\"customer_id\" IS NULL)") != std::string::npos);
}

TEST_CASE("lower: a MIN/MAX rescan matches a never-NULL group key by equality alone", "[lower]") {
    // (An index on the key and the argument answers `key = $1` for max(); not the NULL-safe OR.)
    const std::string key = delta_of(circuit_of("SELECT c.id, max(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id"));
    const std::string nullable = delta_of(circuit_of("SELECT customer_id, max(amount) FROM orders GROUP BY customer_id"));
    INFO(key);
    CHECK(key.find("WHERE (s.\"id\" OPERATOR(pg_catalog.=) c.\"__pgt_g0\")") != std::string::npos);
    CHECK(nullable.find("OR ((s.\"customer_id\" IS NULL) AND (c.\"__pgt_g0\" IS NULL))") != std::string::npos);
}
