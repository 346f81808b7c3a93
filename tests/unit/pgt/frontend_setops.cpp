// Front end: UNION ALL / UNION and the unification of branch types.
#include "frontend_fixture.hpp"

using namespace frontend_test;

TEST_CASE("frontend: UNION ALL is n-ary", "[frontend]") {
    CHECK(plan("SELECT id FROM audit.log UNION ALL SELECT customer_id FROM events UNION ALL SELECT id FROM customers") ==
          "UnionAll  → (id)\n"
          "  Project id AS id  → (id)\n"
          "    Scan audit.log  → (id, customer_id, note)\n"
          "  Project customer_id AS customer_id  → (customer_id)\n"
          "    Scan public.events [keyless]  → (customer_id, kind, payload, at)\n"
          "  Project id AS id  → (id)\n"
          "    Scan public.customers  → (id, name, email, country, created_at)\n");
    // Parenthesised on the right, too.
    auto q = query("SELECT id FROM audit.log UNION ALL (SELECT customer_id FROM events UNION ALL SELECT id FROM customers)");
    CHECK(q.root->inputs.size() == 3);
}

TEST_CASE("frontend: UNION is DISTINCT over UNION ALL", "[frontend]") {
    CHECK(plan("SELECT kind FROM events UNION SELECT name FROM customers") ==
          "Distinct  → (kind)\n"
          "  UnionAll  → (kind)\n"
          "    Project kind AS kind  → (kind)\n"
          "      Scan public.events [keyless]  → (customer_id, kind, payload, at)\n"
          "    Project name AS name  → (name)\n"
          "      Scan public.customers  → (id, name, email, country, created_at)\n");
    // Nested UNIONs share one DISTINCT; UNION ALL under UNION is absorbed too.
    auto q = query("SELECT kind FROM events UNION SELECT name FROM customers UNION SELECT sku FROM orders");
    REQUIRE(std::holds_alternative<pgt::ir::distinct>(q.root->node));
    CHECK(q.root->inputs[0]->inputs.size() == 3);
    // UNION ALL over a UNION keeps the inner DISTINCT.
    auto mixed = query("SELECT kind FROM events UNION SELECT name FROM customers UNION ALL SELECT sku FROM orders");
    REQUIRE(std::holds_alternative<pgt::ir::union_all>(mixed.root->node));
    CHECK(std::holds_alternative<pgt::ir::distinct>(mixed.root->inputs[0]->node));
    // NOT NULL survives only when every branch has it.
    CHECK(columns("SELECT name FROM customers UNION SELECT title FROM products") == "name pg_catalog.text not null");
    CHECK(columns("SELECT name FROM customers UNION SELECT kind FROM events") == "name pg_catalog.text");
}

TEST_CASE("frontend: UNION branch types are unified, branches converted", "[frontend]") {
    CHECK(plan("SELECT id FROM orders UNION ALL SELECT customer_id FROM events") ==
          "UnionAll  → (id)\n"
          "  Project id AS id  → (id)\n"
          "    Scan public.orders  → (id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)\n"
          "  Project CAST(customer_id AS pg_catalog.int8) AS customer_id  → (customer_id)\n"
          "    Scan public.events [keyless]  → (customer_id, kind, payload, at)\n");
    CHECK(types("SELECT amount FROM orders UNION SELECT discount FROM orders") == "pg_catalog.float8");
    CHECK(types("SELECT quantity FROM orders UNION ALL SELECT amount FROM orders") == "pg_catalog.numeric");
    // Unknown literals take the other branch's type; all unknown is text.
    CHECK(plan("SELECT NULL AS x FROM orders UNION ALL SELECT quantity FROM orders") ==
          "UnionAll  → (x)\n"
          "  Project NULL AS x  → (x)\n"
          "    Scan public.orders  → (id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)\n"
          "  Project quantity AS quantity  → (quantity)\n"
          "    Scan public.orders  → (id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)\n");
    CHECK(types("SELECT NULL AS x FROM orders UNION ALL SELECT quantity FROM orders") == "pg_catalog.int2");
    CHECK(types("SELECT 'a' AS x FROM orders UNION SELECT 'b' FROM orders") == "pg_catalog.text");
    CHECK(types("SELECT email FROM customers UNION ALL SELECT name FROM customers") == "pg_catalog.varchar");
    CHECK(failure("SELECT id FROM orders UNION SELECT sku FROM orders") == "42804: UNION types bigint and text cannot be matched");
    CHECK(failure("SELECT id FROM orders UNION SELECT id, id FROM audit.log") ==
          "42601: each UNION query must have the same number of columns");
    CHECK(failure("SELECT '1' AS x FROM orders UNION ALL SELECT 1 FROM orders UNION ALL SELECT 'a' FROM orders") ==
          "22P02: invalid input syntax for type integer: \"a\"");
}

TEST_CASE("frontend: ORDER BY of a UNION", "[frontend]") {
    auto r = compile("SELECT id FROM customers UNION SELECT id FROM audit.log ORDER BY id");
    REQUIRE(r.query);
    CHECK(r.ignored_order_by);
    CHECK(failure("SELECT id FROM customers UNION SELECT id FROM audit.log ORDER BY name") ==
          "42703: column \"name\" does not exist");
    CHECK(failure("SELECT id FROM customers UNION SELECT id FROM audit.log ORDER BY id + 1") ==
          "0A000: invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
    CHECK(unsupported("SELECT id FROM customers UNION SELECT id FROM audit.log ORDER BY 1 LIMIT $1 + 1") ==
          "LIMIT or OFFSET that is not a constant");
}
