// Which queries may form a cycle of stream tables (pgt/monotone.hpp): monotone ones only, and
// a refusal names the operator.
#include <catch2/catch.hpp>

#include "frontend_fixture.hpp"
#include "pgt/monotone.hpp"

namespace {

std::optional<std::string> why(const std::string& sql) {
    const auto r = frontend_test::compile(sql);
    REQUIRE(r.query);
    return pgt::non_monotone_operator(*r.query);
}

} // namespace

TEST_CASE("scans, filters, projections, inner joins, UNION, INTERSECT and DISTINCT are monotone") {
    CHECK_FALSE(why("SELECT id, name FROM customers WHERE id > 3"));
    CHECK_FALSE(why("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id"));
    CHECK_FALSE(why("SELECT id FROM customers UNION SELECT customer_id FROM orders"));
    CHECK_FALSE(why("SELECT id FROM customers UNION ALL SELECT customer_id FROM orders"));
    CHECK_FALSE(why("SELECT id FROM customers INTERSECT SELECT customer_id FROM orders"));
    CHECK_FALSE(why("SELECT DISTINCT customer_id FROM orders"));
}

TEST_CASE("aggregates, negation, outer joins, windows, subqueries and LIMIT are not, and are named") {
    CHECK(why("SELECT customer_id, count(*) FROM orders GROUP BY customer_id") ==
          "an aggregate (GROUP BY or an aggregate function)");
    CHECK(why("SELECT id FROM customers EXCEPT SELECT customer_id FROM orders") == "EXCEPT");
    CHECK(why("SELECT c.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id") == "LEFT JOIN");
    CHECK(why("SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)")
              ->find("subquery") != std::string::npos);
    CHECK(why("SELECT id, row_number() OVER (ORDER BY id) FROM customers") == "a window function");
    CHECK(why("SELECT id FROM customers ORDER BY id LIMIT 3") == "LIMIT");
}
