// Column pruning (ir::prune_columns, applied as the circuit is built): each table is read for
// the columns the query uses, and what a join carries up is no wider than that.
#include <catch2/catch.hpp>

#include <algorithm>

#include "pgt/circuit.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

const pgt::circuit_node& only_join(const pgt::circuit& graph) {
    const auto joins = std::ranges::count_if(graph.nodes, [](const pgt::circuit_node& n) { return n.op == pgt::circuit_op::join; });
    REQUIRE(joins == 1);
    return *std::ranges::find_if(graph.nodes, [](const pgt::circuit_node& n) { return n.op == pgt::circuit_op::join; });
}

std::vector<std::string> names(const pgt::circuit_node& n) {
    std::vector<std::string> out;
    for (const auto& c : n.rel->columns) out.push_back(c.name);
    return out;
}

} // namespace

TEST_CASE("column pruning: a join carries the columns the query uses", "[prune]") {
    const auto graph = circuit_of("SELECT c.name, sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.name");
    CHECK(names(only_join(graph)) == std::vector<std::string>{"customer_id", "amount", "id", "name"});
    CHECK(graph.nodes[static_cast<std::size_t>(graph.output)].rel->columns.size() == 2);
}

TEST_CASE("column pruning: a column only a filter below a join tests stops at the filter", "[prune]") {
    const auto graph = circuit_of("SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid'");
    CHECK(names(only_join(graph)) == std::vector<std::string>{"customer_id", "id", "name"});
}

TEST_CASE("column pruning: an outer join's nullable side stays nullable", "[prune]") {
    const auto graph = circuit_of("SELECT c.name, o.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id");
    const auto& join = only_join(graph);
    REQUIRE(names(join) == std::vector<std::string>{"id", "name", "id", "customer_id"});
    CHECK(join.rel->columns[0].not_null);  // customers.id, the preserved side's key
    CHECK(!join.rel->columns[2].not_null); // orders.id: NULL where a customer has no order
}

TEST_CASE("column pruning: under a DISTINCT, a join carries what the DISTINCT compares", "[prune]") {
    const auto graph = circuit_of("SELECT DISTINCT o.status, c.name FROM orders o JOIN customers c ON c.id = o.customer_id");
    CHECK(names(only_join(graph)) == std::vector<std::string>{"customer_id", "status", "id", "name"});
}

TEST_CASE("column pruning: equal subtrees are pruned alike and still computed once", "[prune]") {
    // The subquery repeats the outer FROM but reads other columns of it: pruned for their own
    // readers the two joins would differ, and the circuit would compute both.
    const auto graph = circuit_of("SELECT c.name, sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.name "
                                  "HAVING sum(o.amount) > (SELECT count(o.status) FROM orders o JOIN customers c ON c.id = o.customer_id)");
    const auto joins = std::ranges::count_if(graph.nodes, [](const pgt::circuit_node& n) { return n.op == pgt::circuit_op::join; });
    const auto shared = std::ranges::count_if(graph.nodes, [](const pgt::circuit_node& n) {
        return n.op == pgt::circuit_op::join && n.same_as >= 0;
    });
    CHECK(joins == 2);
    CHECK(shared == 1);
}

TEST_CASE("column pruning: subqueries lifted one over another are told apart without spelling their inputs out", "[prune]") {
    // Each correlated subquery is lifted over the rows below it, which its own input reads a
    // copy of: a subtree's key spelled out with its inputs' would double at each of them (2^40
    // characters here, a compilation that never ends).
    std::string query = "SELECT o.id";
    for (int i = 0; i < 40; ++i)
        query += ", (SELECT count(*) FROM customers c WHERE c.id = o.customer_id AND c.id > " + std::to_string(i) + ") AS n" + std::to_string(i);
    query += " FROM orders o";
    const auto graph = circuit_of(query);
    CHECK(graph.nodes[static_cast<std::size_t>(graph.output)].rel->columns.size() == 41);
}
