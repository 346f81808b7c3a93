// rowless_nodes: a part of the query that can hold no row is not differentiated. Its change is
// nothing, so the joins above it are not computed for a change only to be filtered away.
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

bool output_rowless(const std::string& query) {
    const auto graph = circuit_of(query);
    return pgt::rowless_nodes(graph)[static_cast<std::size_t>(graph.output)];
}

/// The delta statement for a change of every source.
pgt::lower::refresh_plan delta_of(const std::string& query) {
    const auto graph = circuit_of(query);
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", {});
}

/// Checks that the output of `query` is rowless as `expected` says, and that its delta is
/// computed only when it is not.
pgt::lower::refresh_plan check_rowless(const std::string& query, bool expected) {
    INFO(query);
    CHECK(output_rowless(query) == expected);
    auto plan = delta_of(query);
    INFO(plan.statement);
    CHECK(plan.has_delta == !expected);
    return plan;
}

} // namespace

TEST_CASE("rowless: conditions that are never true hold no row", "[lower]") {
    for (const char* query : {
             "SELECT id FROM orders WHERE amount > NULL",
             "SELECT id FROM orders WHERE status = 'x' AND CAST(NULL AS int) <> customer_id + 1",
             "SELECT id FROM orders WHERE NOT (CAST(NULL AS text) = status)",
             "SELECT id FROM orders WHERE false",
             "SELECT id FROM orders WHERE status > NULL OR (amount < NULL AND amount > 0) OR false",
             "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id AND CAST(NULL AS bool)",
             // An EXISTS or IN over no row is FALSE; a scalar subquery over none is NULL.
             "SELECT o.id FROM orders o, customers c WHERE EXISTS (SELECT 1 FROM events e WHERE CAST(NULL AS timestamptz) <> now() "
             "AND e.customer_id = c.id)",
             "SELECT id FROM orders WHERE customer_id IN (SELECT customer_id FROM events WHERE kind < NULL)",
             "SELECT id FROM orders WHERE amount > (SELECT max(amount) FROM orders o2 WHERE o2.id = orders.id AND o2.status > NULL)",
             // Rowless inputs make joins, groups, DISTINCT and set operations rowless.
             "SELECT c.name, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.amount > NULL GROUP BY c.name",
             "SELECT DISTINCT status FROM orders WHERE NULL",
             "SELECT id FROM customers WHERE id > NULL INTERSECT SELECT customer_id FROM orders",
             "SELECT id FROM customers WHERE id > NULL UNION ALL SELECT customer_id FROM orders WHERE NULL::bool",
         }) {
        const auto plan = check_rowless(query, true);
        CHECK(plan.statement == "SELECT 0 AS \"inserted\", 0 AS \"deleted\", 0 AS \"updated\"");
    }
}

TEST_CASE("rowless: conditions that may be true, and operators that keep rows, are differentiated", "[lower]") {
    for (const char* query : {
             "SELECT id FROM orders WHERE amount > 5 OR amount > NULL",
             "SELECT id FROM orders WHERE status > NULL OR (amount < NULL OR amount > 0)",
             "SELECT id FROM orders WHERE COALESCE(CAST(NULL AS numeric), amount) > 5",
             "SELECT id FROM orders WHERE (amount > NULL) IS NULL",
             // NOT EXISTS and ALL over no row are TRUE; the outer join keeps its left rows.
             "SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount < NULL)",
             "SELECT id FROM orders WHERE amount > ALL (SELECT amount FROM orders WHERE status > NULL)",
             "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND c.name > NULL",
             "SELECT id FROM customers WHERE id > NULL UNION ALL SELECT customer_id FROM orders",
             "SELECT id FROM customers EXCEPT SELECT customer_id FROM orders WHERE NULL",
         }) {
        check_rowless(query, false);
    }
}

TEST_CASE("rowless: a scalar aggregate over no row keeps its one row, which no change moves", "[lower]") {
    const char* query = "SELECT count(*), sum(amount) FROM orders WHERE amount > NULL";
    CHECK_FALSE(output_rowless(query));
    CHECK_FALSE(delta_of(query).has_delta);
}
