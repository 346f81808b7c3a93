// Front end: valid SQL that DIFFERENTIAL cannot maintain. The query stays usable for FULL
// refresh: it is refused with the construct named, and its sources are still reported.
#include "frontend_fixture.hpp"

using namespace frontend_test;

TEST_CASE("frontend: unsupported constructs are named", "[frontend]") {
    const std::pair<const char*, const char*> cases[] = {
        {"WITH RECURSIVE r(n) AS (SELECT 1 FROM orders UNION ALL SELECT n + 1 FROM r WHERE n < 3 AND EXISTS (SELECT 1 FROM "
         "customers c WHERE c.id = r.n)) SELECT n FROM r",
         "recursive term of WITH query \"r\" reading the CTE under a subquery, DISTINCT or a second time"},
        {"WITH RECURSIVE a(n) AS (SELECT 1 FROM orders UNION ALL SELECT n + 1 FROM b WHERE n < 3), b AS (SELECT n FROM a) "
         "SELECT n FROM a",
         "WITH RECURSIVE query \"a\" read by another WITH query of its list"},
        {"SELECT ARRAY(SELECT id FROM customers) AS a FROM orders", "ARRAY (subquery)"},
        // max(o.amount) is the outer level's aggregate in PostgreSQL, which makes that level one
        // group: one row, the largest amount of all orders (not one row per order).
        {"SELECT (SELECT max(o.amount) FROM customers c WHERE c.id = 1) AS m FROM orders o",
         "aggregate max() of an enclosing query's columns"},
        {"SELECT range_agg(CAST('[1,2)' AS int4range)) FROM orders", "aggregate range_agg() over types int4range"},
        {"SELECT id FROM orders WHERE (customer_id, id) < ALL (SELECT id, id FROM customers)", "row comparison < with a subquery"},
        {"SELECT count(*) FROM orders GROUP BY EXISTS (SELECT 1 FROM customers)", "EXISTS (subquery) in GROUP BY"},
        {"SELECT id FROM orders o WHERE EXISTS (WITH w AS (SELECT * FROM events e WHERE e.customer_id = o.customer_id) "
         "SELECT 1 FROM w)",
         "correlated reference from a subquery in FROM or WITH"},
        {"SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM customers c JOIN (events e JOIN customers c2 ON c2.id = e.customer_id "
         "AND e.customer_id = o.customer_id) ON c.id = c2.id)",
         "correlated reference in the FROM clause of a subquery"},
        {"SELECT DISTINCT ON (customer_id) customer_id, count(*) FROM orders GROUP BY customer_id",
         "DISTINCT ON with GROUP BY, aggregates, window functions or in a correlated subquery"},
        {"SELECT count(*) FROM orders GROUP BY CUBE (id, customer_id, amount, sku, quantity, shipped_at, id + 1)",
         "more than 64 grouping sets"},
        {"SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(x, y)", "a query that reads no table"},
        {"VALUES (1), (2)", "a query that reads no table"},
        {"SELECT * FROM generate_series(1, 10) AS g(n)", "a query that reads no table"},
        {"SELECT o.id, g FROM orders o, pg_ls_dir(o.sku) g", "function pg_ls_dir() in FROM"},
        {"SELECT o.id FROM orders o, generate_series(1, 3) g RIGHT JOIN customers c ON true", "function generate_series() on the left of a JOIN"},
        {"SELECT o.id FROM orders o LEFT JOIN LATERAL generate_series(1, o.quantity) g ON g > 1", "LEFT JOIN LATERAL function with a join condition other than true"},
        {"SELECT generate_series(1, quantity) FROM orders", "set-returning function generate_series()"},
        {"SELECT unnest(ARRAY[1, 2]) FROM orders", "set-returning function unnest()"},
        {"SELECT random() FROM orders", "volatile function random()"},
        {"SELECT id FROM orders WHERE clock_timestamp() > shipped_at", "volatile function clock_timestamp()"},
        {"SELECT gen_random_uuid() FROM orders", "volatile function gen_random_uuid()"},
        {"SELECT nextval('seq') FROM orders", "volatile function nextval()"},
        {"SELECT ctid FROM orders", "system column ctid"},
        {"SELECT o.xmin FROM orders o", "system column xmin"},
        {"SELECT o FROM orders o", "whole-row reference o"},
        {"SELECT count(o.*) FROM orders o", "whole-row reference o.*"},
        {"SELECT 1 AS one", "a query that reads no table"},
        {"SELECT d, count(o.id) FROM generate_series(now(), now() + interval '2 days', interval '1 day') d LEFT JOIN orders o "
         "ON o.shipped_at = d GROUP BY d",
         "a stable function over constant rows (VALUES, a query level without FROM)"},
        {"SELECT o.id, x.g FROM orders o, LATERAL (SELECT g FROM generate_series(1, o.quantity) g) x",
         "correlated reference in the FROM clause of a subquery"},
        {"SELECT o.id, x.g, x.i FROM orders o, LATERAL (SELECT g, o.id AS i FROM generate_series(1, o.quantity) g) x",
         "correlated reference in the FROM clause of a subquery"},
        {"SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 FROM generate_series(1, 3) g WHERE g = o.quantity)",
         "function generate_series() in FROM without a table before it, in a correlated subquery"},
        {"SELECT sku COLLATE \"de-x-icu\" FROM orders", "COLLATE"},
        {"SELECT ROW(id, sku) FROM orders", "ROW constructor"},
        {"SELECT (ARRAY[id, customer_id])[2:] FROM orders", "an array slice with a bound left out"},
        {"SELECT id FROM orders WHERE (id, sku) IS DISTINCT FROM (1, 'a')", "ROW constructor"},
        {"SELECT id FROM orders WHERE (id, sku) < (1, 'a')", "row comparison with operator <"},
        {"SELECT round(amount, n => 2) FROM orders", "named argument"},
        {"SELECT id FROM orders WHERE id @> 1", "operator @> on types bigint and integer"},
        {"SELECT ~quantity FROM orders", "operator ~ on type smallint"},
        {"SELECT B'101' FROM orders", "bit-string literal"},
        {"SELECT id FROM orders WHERE sku::jsonb ? 'a'", "operator ? on types jsonb and unknown"},
        {"SELECT sku::jsonb + 1 FROM orders", "operator + on types jsonb and integer"},
        {"SELECT id FROM (SELECT id FROM orders LIMIT 3) s", "LIMIT in a subquery without ORDER BY"},
        {"SELECT id FROM orders ORDER BY id LIMIT (SELECT 3)", "LIMIT or OFFSET that is not a constant"},
    };
    for (const auto& [sql, construct] : cases) CHECK(unsupported(sql) == construct);
}

TEST_CASE("frontend: the refusal carries PostgreSQL's position and upstream's wording", "[frontend]") {
    auto r = compile("SELECT id, random() FROM orders");
    REQUIRE(r.unsupported);
    CHECK(r.unsupported->position() == 11);
    CHECK(std::string(r.unsupported->what()) == "unsupported operator for DIFFERENTIAL mode: volatile function random()");
    CHECK(r.unsupported->hint().find("refresh_mode = 'FULL'") != std::string::npos);
}

TEST_CASE("frontend: refused queries still list their sources", "[frontend]") {
    auto r = compile("SELECT o.id, (SELECT count(*) FROM audit.log l WHERE l.customer_id = o.customer_id) AS n, "
                     "random() FROM big_orders o WHERE EXISTS (SELECT 1 FROM events e WHERE e.customer_id = o.customer_id)");
    REQUIRE(r.unsupported);
    CHECK(r.unsupported->construct() == "volatile function random()");
    std::vector<std::string> names;
    for (const auto& t : r.sources) names.push_back(t->schema + "." + t->name);
    CHECK(names == std::vector<std::string>{"public.orders", "audit.log", "public.events"});
}

TEST_CASE("frontend: errors elsewhere in a refused query still surface", "[frontend]") {
    CHECK(failure("SELECT row_number() OVER (), nosuch FROM orders") == "42703: column \"nosuch\" does not exist");
    CHECK(failure("SELECT id FROM orders WHERE EXISTS (SELECT nosuch FROM customers)") ==
          "42703: column \"nosuch\" does not exist");
    CHECK(failure("SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM nosuch)") == "42P01: relation \"nosuch\" does not exist");
    CHECK(error("SELECT random() FROM orders LIMIT 1").code() == "0A000");
    CHECK(failure("SELECT kind, string_agg(payload, ',') FROM events") ==
          "42803: column \"events.kind\" must appear in the GROUP BY clause or be used in an aggregate function");
    CHECK(failure("SELECT id FROM orders WHERE row_number() OVER () > 1") == "42P20: window functions are not allowed in WHERE");
    CHECK(failure("SELECT sum(row_number() OVER ()) FROM orders") ==
          "42803: aggregate function calls cannot contain window function calls");
    CHECK(failure("SELECT (SELECT id, sku FROM orders) AS x FROM orders") == "42601: subquery must return only one column");
    CHECK(failure("WITH RECURSIVE r AS (SELECT * FROM r) SELECT * FROM r") ==
          "42P19: recursive query \"r\" does not have the form non-recursive-term UNION [ALL] recursive-term");
}

TEST_CASE("frontend: materialized views and foreign tables are refused in every mode, partitioned tables read", "[frontend]") {
    auto cat = pgt::offline::load_schema(
        "CREATE TABLE t (a int PRIMARY KEY);"
        "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t WITH NO DATA;"
        "CREATE FOREIGN TABLE ft (a int) SERVER remote;"
        "CREATE TABLE p (a int) PARTITION BY RANGE (a);");
    auto refusal = [&](const std::string& sql) {
        auto e = thrown([&] { pgt::offline::compile(sql, *cat); }, sql);
        return e.code() + ": " + e.what();
    };
    CHECK(refusal("SELECT a FROM mv") ==
          "0A000: stream tables cannot read materialized view mv: changes to it cannot be captured (capture needs "
          "triggers with transition tables)");
    CHECK(refusal("SELECT a FROM ft") ==
          "0A000: stream tables cannot read foreign table ft: changes to it cannot be captured (capture needs "
          "triggers with transition tables)");
    CHECK_FALSE(pgt::offline::compile("SELECT a FROM p", *cat).unsupported);
    // ONLY reads the table's own rows: maintained by FULL refresh only.
    auto only = pgt::offline::compile("SELECT a FROM ONLY t", *cat);
    REQUIRE(only.unsupported);
    CHECK(only.unsupported->construct() == "FROM ONLY t");
}
