// Front end: single-table queries — shape of the operator tree, output names and types.
#include "frontend_fixture.hpp"

using namespace frontend_test;

TEST_CASE("frontend: scan, filter, project", "[frontend]") {
    CHECK(plan("SELECT id, name FROM customers WHERE country = 'DE'") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Filter (country = 'DE')  → (id, name, email, country, created_at)\n"
          "    Scan public.customers  → (id, name, email, country, created_at)\n");
    CHECK(columns("SELECT id, name FROM customers") == "id pg_catalog.int4 not null, name pg_catalog.text not null");
    // Modifiers survive a plain column reference.
    CHECK(columns("SELECT email, country, amount FROM customers, orders WHERE false") ==
          "email pg_catalog.varchar(100), country pg_catalog.bpchar(2), amount pg_catalog.numeric(12,2)");
}

TEST_CASE("frontend: schema-qualified tables, aliases and column aliases", "[frontend]") {
    CHECK(plan("SELECT l.note FROM audit.log AS l") ==
          "Project note AS note  → (note)\n"
          "  Scan audit.log AS l  → (id, customer_id, note)\n");
    CHECK(columns("SELECT a, b FROM public.customers c (a, b)") == "a pg_catalog.int4 not null, b pg_catalog.text not null");
    CHECK(columns("SELECT c.a, c.email FROM customers c (a)") == "a pg_catalog.int4 not null, email pg_catalog.varchar(100)");
    CHECK(columns("SELECT audit.log.id FROM audit.log") == "id pg_catalog.int4 not null");
    CHECK(columns("SELECT public.customers.id FROM customers") == "id pg_catalog.int4 not null");
}

TEST_CASE("frontend: keyless tables are fine", "[frontend]") {
    CHECK(plan("SELECT kind FROM events") ==
          "Project kind AS kind  → (kind)\n"
          "  Scan public.events [keyless]  → (customer_id, kind, payload, at)\n");
}

TEST_CASE("frontend: star expansion", "[frontend]") {
    CHECK(columns("SELECT * FROM audit.log") ==
          "id pg_catalog.int4 not null, customer_id pg_catalog.int4, note pg_catalog.text");
    CHECK(columns("SELECT l.*, 1 AS one FROM audit.log l") ==
          "id pg_catalog.int4 not null, customer_id pg_catalog.int4, note pg_catalog.text, one pg_catalog.int4 not null");
    CHECK(columns("TABLE audit.log") == "id pg_catalog.int4 not null, customer_id pg_catalog.int4, note pg_catalog.text");
}

TEST_CASE("frontend: output names follow PostgreSQL", "[frontend]") {
    CHECK(columns("SELECT count(*), sum(amount), round(avg(amount), 2) FROM orders") ==
          "count pg_catalog.int8 not null, sum pg_catalog.numeric, round pg_catalog.numeric");
    auto names = [](const std::string& select_list) {
        const auto q = query("SELECT " + select_list + " FROM orders");
        std::string out;
        for (const auto& c : q.root->columns)
            out += (out.empty() ? "" : " ") + c.name;
        return out;
    };
    CHECK(names("coalesce(discount, 0), greatest(quantity, 1), least(quantity, 2), nullif(sku, '')") ==
          "coalesce greatest least nullif");
    CHECK(names("CASE WHEN express THEN 1 ELSE 2 END") == "case");
    // CASE takes its ELSE branch's name when that is a column, like PostgreSQL.
    CHECK(names("CASE WHEN express THEN 1 ELSE quantity END") == "quantity");
    CHECK(names("1::int") == "int4");
    CHECK(names("'1'::integer") == "int4");
    CHECK(names("date '2024-01-01'") == "date");
    CHECK(names("id::text") == "id");
    CHECK(names("upper(sku)") == "upper");
    CHECK(names("extract(year from ordered_on)") == "extract");
    CHECK(names("substring(sku from 1 for 2)") == "substring");
    CHECK(names("trim(sku)") == "btrim");
    CHECK(names("current_date") == "current_date");
    CHECK(names("id + 1") == "?column?");
    CHECK(names("quantity AS q") == "q");
}

TEST_CASE("frontend: DISTINCT", "[frontend]") {
    CHECK(plan("SELECT DISTINCT kind FROM events") ==
          "Distinct  → (kind)\n"
          "  Project kind AS kind  → (kind)\n"
          "    Scan public.events [keyless]  → (customer_id, kind, payload, at)\n");
}

TEST_CASE("frontend: ORDER BY without LIMIT is ignored and flagged", "[frontend]") {
    auto r = compile("SELECT id FROM orders ORDER BY ordered_on DESC, 1");
    REQUIRE(r.query);
    CHECK(r.ignored_order_by);
    CHECK(r.query->has_order_by);
    CHECK(pgt::ir::to_string(*r.query->root) ==
          "Project id AS id  → (id)\n"
          "  Scan public.orders  → (id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)\n");
    CHECK_FALSE(compile("SELECT id FROM orders").ignored_order_by);
    // LIMIT ALL limits nothing.
    CHECK(compile("SELECT id FROM orders LIMIT ALL").query);
    CHECK(compile("SELECT id FROM orders ORDER BY id LIMIT ALL").ignored_order_by);
    // DISTINCT ON keeps the first row of each key in ORDER BY order: the ORDER BY counts.
    CHECK_FALSE(compile("SELECT DISTINCT ON (customer_id) id FROM orders ORDER BY customer_id, id DESC").ignored_order_by);
    CHECK(compile("SELECT DISTINCT customer_id FROM orders ORDER BY customer_id").ignored_order_by);
}

TEST_CASE("frontend: sources and volatility", "[frontend]") {
    auto q = query("SELECT o.id, now() FROM orders o JOIN customers c ON c.id = o.customer_id JOIN orders o2 ON o2.id = o.id");
    REQUIRE(q.sources.size() == 2);
    CHECK(q.sources[0]->name == "orders");
    CHECK(q.sources[1]->name == "customers");
    CHECK(q.sources[0]->oid >= 16384);
    CHECK(q.max_volatility == pgt::ir::volatility::stable);
    CHECK(query("SELECT id FROM orders").max_volatility == pgt::ir::volatility::immutable);
    auto r = compile("SELECT id FROM orders");
    CHECK(r.sources.size() == 1);
}

TEST_CASE("frontend: subqueries in FROM", "[frontend]") {
    // The outer projection merges with the subquery's, and the filter moves below both.
    CHECK(plan("SELECT s.amount FROM (SELECT id, amount FROM orders) AS s WHERE s.amount > 5") ==
          "Project amount AS amount  → (amount)\n"
          "  Filter (amount > '5')  → (id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)\n"
          "    Scan public.orders  → (id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)\n");
    CHECK(columns("SELECT * FROM (SELECT id AS x, amount * 2 AS y FROM orders) s (a)") ==
          "a pg_catalog.int8 not null, y pg_catalog.numeric");
    // Merging stops where it would repeat an expression: the tree stays linear in the query.
    std::string nested = "SELECT amount AS x FROM orders";
    for (int i = 0; i < 25; ++i) nested = "SELECT x + x AS x FROM (" + nested + ") s" + std::to_string(i) + " WHERE x > 0";
    std::string tree = plan(nested);
    CHECK(tree.size() < 20000);
}

TEST_CASE("frontend: window functions, frames and named windows", "[frontend]") {
    const std::string p = plan("SELECT id, rank() OVER w AS r, sum(amount) OVER (w ORDER BY id ROWS BETWEEN 1 PRECEDING AND "
                               "CURRENT ROW EXCLUDE TIES) AS s FROM orders WINDOW w AS (PARTITION BY customer_id)");
    CHECK(p.find("Window [rank() OVER (PARTITION BY customer_id), sum(amount) OVER (PARTITION BY customer_id ORDER BY id "
                 "ROWS BETWEEN '1' PRECEDING AND CURRENT ROW EXCLUDE TIES)]") != std::string::npos);
    CHECK(columns("SELECT id, row_number() OVER (ORDER BY id) AS n, lag(amount, 1, 0) OVER (ORDER BY id) AS prev FROM orders") ==
          "id pg_catalog.int8 not null, n pg_catalog.int8, prev pg_catalog.numeric");
    CHECK(failure("SELECT rank() OVER nosuch FROM orders") == "42704: window \"nosuch\" does not exist");
    // Over groups: after GROUP BY and HAVING, reading keys and aggregates.
    CHECK(plan("SELECT customer_id, rank() OVER (ORDER BY count(*) DESC) AS r FROM orders GROUP BY customer_id HAVING count(*) > 1")
              .find("Window [rank() OVER (ORDER BY count DESC)]") != std::string::npos);
    CHECK(failure("SELECT customer_id, rank() OVER (ORDER BY amount) FROM orders GROUP BY customer_id") ==
          "42803: column \"orders.amount\" must appear in the GROUP BY clause or be used in an aggregate function");
    CHECK(failure("SELECT rank() OVER (w ORDER BY id) FROM orders WINDOW w AS (ORDER BY amount)") ==
          "42P20: cannot override ORDER BY clause of window \"w\"");
}

TEST_CASE("frontend: constant rows: VALUES, SELECT without FROM, a function with no table before it", "[frontend]") {
    // A VALUES list is a leaf of constant rows, each column cast to its values' common type.
    CHECK(plan("SELECT o.id, m.label FROM orders o JOIN (VALUES (1, 'one'), (2.5, 'two')) m (k, label) ON m.k = o.quantity") ==
          "Project id AS id, column2 AS label  → (id, label)\n"
          "  Join inner ON (column1 = quantity)  → (id, customer_id, sku, quantity, amount, discount, "
          "ordered_on, shipped_at, express, column1, column2)\n"
          "    Scan public.orders AS o  → (id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)\n"
          "    Values (CAST('1' AS pg_catalog.numeric), 'one'), ('2.5', 'two')  → (column1, column2)\n");
    // A scalar subquery without FROM reads the one row without columns.
    CHECK(plan("SELECT id FROM orders WHERE quantity > (SELECT 5)").find("Values ()") != std::string::npos);
    // A set-returning function with no table before it, on the left of a JOIN.
    CHECK(plan("SELECT g, count(o.id) FROM generate_series(1, 3) g LEFT JOIN orders o ON o.quantity = g GROUP BY g")
              .find("TableFunction generate_series('1', '3')") != std::string::npos);
    // A correlated subquery without FROM, pulled up: its FROM row has no columns to keep.
    CHECK(query("SELECT id, (SELECT o.amount * 2) AS dbl FROM orders o").sources.size() == 1);
    CHECK(query("SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 WHERE o.quantity > 2)").sources.size() == 1);
    // A recursive CTE seeded by a constant row.
    CHECK(query("WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r JOIN orders o ON o.id = r.n) SELECT n FROM r")
              .sources.size() == 1);
}
