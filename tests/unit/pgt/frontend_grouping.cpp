// Front end: aggregates, GROUP BY, HAVING and PostgreSQL's grouping rules.
#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {
const std::string orders_cols = "(id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)";
} // namespace

TEST_CASE("frontend: GROUP BY with aggregates and HAVING", "[frontend]") {
    CHECK(plan("SELECT customer_id, count(*), sum(amount), round(avg(amount), 2) FROM orders "
               "GROUP BY customer_id HAVING count(*) > 1") ==
          "Project customer_id AS customer_id, count AS count, sum AS sum, round(avg, '2') AS round  → (customer_id, count, sum, round)\n"
          "  Filter (count > '1')  → (customer_id, count, sum, avg)\n"
          "    Aggregate GROUP BY customer_id [count(*), sum(amount), avg(amount)]  → (customer_id, count, sum, avg)\n"
          "      Scan public.orders  → " + orders_cols + "\n");
    CHECK(columns("SELECT customer_id, count(*), sum(amount), round(avg(amount), 2) FROM orders GROUP BY customer_id") ==
          "customer_id pg_catalog.int4 not null, count pg_catalog.int8 not null, sum pg_catalog.numeric, round pg_catalog.numeric");
}

TEST_CASE("frontend: scalar aggregate", "[frontend]") {
    CHECK(plan("SELECT count(*) FROM orders") ==
          "Project count AS count  → (count)\n"
          "  Aggregate [count(*)]  → (count)\n"
          "    Scan public.orders  → " + orders_cols + "\n");
    CHECK(plan("SELECT sum(quantity) / count(*) AS mean FROM orders WHERE express") ==
          "Project (sum / count) AS mean  → (mean)\n"
          "  Aggregate [sum(quantity), count(*)]  → (sum, count)\n"
          "    Filter express  → " + orders_cols + "\n"
          "      Scan public.orders  → " + orders_cols + "\n");
    // HAVING alone makes an aggregate query.
    CHECK(plan("SELECT 1 AS one FROM orders HAVING count(*) > 0") ==
          "Project '1' AS one  → (one)\n"
          "  Filter (count > '0')  → (count)\n"
          "    Aggregate [count(*)]  → (count)\n"
          "      Scan public.orders  → " + orders_cols + "\n");
}

TEST_CASE("frontend: aggregate result types", "[frontend]") {
    CHECK(types("SELECT sum(quantity), avg(quantity), min(sku), max(ordered_on), bool_and(express), "
                "every(express), bool_or(express), count(discount) FROM orders") ==
          "pg_catalog.int8, pg_catalog.numeric, pg_catalog.text, pg_catalog.date, pg_catalog.bool, pg_catalog.bool, "
          "pg_catalog.bool, pg_catalog.int8");
    CHECK(types("SELECT sum(discount) AS a, avg(discount) AS b, sum(id) AS c, sum(amount) AS d, max(amount) AS e FROM orders") ==
          "pg_catalog.float8, pg_catalog.float8, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric");
    CHECK(types("SELECT sum(weight) AS a, avg(weight) AS b, max(email) AS c, min(country) AS d FROM products, customers") ==
          "pg_catalog.float4, pg_catalog.float8, pg_catalog.text, pg_catalog.bpchar");
    CHECK(types("SELECT min('a'), count('x'), sum(1) FROM orders") == "pg_catalog.text, pg_catalog.int8, pg_catalog.int8");
}

TEST_CASE("frontend: FILTER and repeated aggregates", "[frontend]") {
    CHECK(plan("SELECT o.customer_id, count(*) FILTER (WHERE express) AS e, sum(amount) AS s FROM orders o "
               "GROUP BY 1 HAVING sum(amount) > 10") ==
          "Project customer_id AS customer_id, count AS e, sum AS s  → (customer_id, e, s)\n"
          "  Filter (sum > '10')  → (customer_id, count, sum)\n"
          "    Aggregate GROUP BY customer_id [count(*) FILTER (WHERE express), sum(amount)]  → (customer_id, count, sum)\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n");
}

TEST_CASE("frontend: GROUP BY forms", "[frontend]") {
    const std::string by_name =
        "Project name AS name, count AS count  → (name, count)\n"
        "  Aggregate GROUP BY name [count(*)]  → (name, count)\n"
        "    Scan public.customers  → (id, name, email, country, created_at)\n";
    CHECK(plan("SELECT name, count(*) FROM customers GROUP BY name") == by_name);
    CHECK(plan("SELECT name, count(*) FROM customers GROUP BY 1") == by_name);
    CHECK(plan("SELECT name, count(*) FROM customers GROUP BY name, name") == by_name);
    // An output alias, when no FROM column has that name.
    CHECK(columns("SELECT upper(name) AS n, count(*) FROM customers GROUP BY n") ==
          "n pg_catalog.text, count pg_catalog.int8 not null");
    // A FROM column wins over an output alias of the same name.
    CHECK(plan("SELECT upper(name) AS name FROM customers GROUP BY name") ==
          "Project upper(name) AS name  → (name)\n"
          "  Aggregate GROUP BY name []  → (name)\n"
          "    Scan public.customers  → (id, name, email, country, created_at)\n");
    // Expressions match the select list structurally.
    CHECK(plan("SELECT id + 1, count(*) FROM customers GROUP BY id + 1") ==
          "Project ?column? AS ?column?, count AS count  → (?column?, count)\n"
          "  Aggregate GROUP BY (id + '1') [count(*)]  → (?column?, count)\n"
          "    Scan public.customers  → (id, name, email, country, created_at)\n");
    CHECK(plan("SELECT id * 2 FROM customers GROUP BY id") ==
          "Project (id * '2') AS ?column?  → (?column?)\n"
          "  Aggregate GROUP BY id []  → (id)\n"
          "    Scan public.customers  → (id, name, email, country, created_at)\n");
    // GROUP BY () is a scalar aggregate.
    CHECK(plan("SELECT count(*) FROM orders GROUP BY ()") ==
          "Project count AS count  → (count)\n"
          "  Aggregate [count(*)]  → (count)\n"
          "    Scan public.orders  → " + orders_cols + "\n");
}

TEST_CASE("frontend: columns functionally dependent on a grouped primary key", "[frontend]") {
    CHECK(plan("SELECT c.id, c.name, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id") ==
          "Project id AS id, name AS name, count AS count  → (id, name, count)\n"
          "  Aggregate GROUP BY id, name [count(*)]  → (id, name, count)\n"
          "    Join inner ON (customer_id = id)  → (id, name, email, country, created_at, " + orders_cols.substr(1) + "\n"
          "      Scan public.customers AS c  → (id, name, email, country, created_at)\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n");
    // Only the grouped table's columns: another table's are still an error.
    CHECK(failure("SELECT o.sku FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id") ==
          "42803: column \"o.sku\" must appear in the GROUP BY clause or be used in an aggregate function");
    // A keyless table has no dependency.
    CHECK(error("SELECT kind FROM events GROUP BY customer_id").code() == "42803");
}

TEST_CASE("frontend: aggregates read only by ORDER BY are dropped", "[frontend]") {
    CHECK(plan("SELECT customer_id FROM orders GROUP BY customer_id ORDER BY max(amount)") ==
          "Project customer_id AS customer_id  → (customer_id)\n"
          "  Aggregate GROUP BY customer_id []  → (customer_id)\n"
          "    Scan public.orders  → " + orders_cols + "\n");
}

TEST_CASE("frontend: grouping errors", "[frontend]") {
    auto e = error("SELECT name, sum(amount) FROM customers c JOIN orders o ON o.customer_id = c.id");
    CHECK(e.code() == "42803");
    CHECK(std::string(e.what()) ==
          "column \"c.name\" must appear in the GROUP BY clause or be used in an aggregate function");
    CHECK(e.position() == 7);
    CHECK(failure("SELECT id, name FROM events e, customers c GROUP BY kind") ==
          "42803: column \"c.id\" must appear in the GROUP BY clause or be used in an aggregate function");
    CHECK(failure("SELECT kind FROM events HAVING count(*) > 1") ==
          "42803: column \"events.kind\" must appear in the GROUP BY clause or be used in an aggregate function");
    CHECK(failure("SELECT customer_id FROM orders GROUP BY customer_id ORDER BY amount") ==
          "42803: column \"orders.amount\" must appear in the GROUP BY clause or be used in an aggregate function");
    CHECK(failure("SELECT sum(count(*)) FROM orders") == "42803: aggregate function calls cannot be nested");
    CHECK(failure("SELECT id FROM orders WHERE count(*) > 1") == "42803: aggregate functions are not allowed in WHERE");
    CHECK(failure("SELECT count(*) FROM orders GROUP BY count(*)") == "42803: aggregate functions are not allowed in GROUP BY");
    CHECK(failure("SELECT count(*) AS n FROM orders GROUP BY n") == "42803: aggregate functions are not allowed in GROUP BY");
    CHECK(failure("SELECT o.id FROM orders o JOIN customers c ON count(*) > 0") ==
          "42803: aggregate functions are not allowed in JOIN conditions");
    CHECK(failure("SELECT count(*) FILTER (WHERE sum(amount) > 1) FROM orders") ==
          "42803: aggregate functions are not allowed in FILTER");
    CHECK(failure("SELECT count(*) FROM orders GROUP BY 3") == "42P10: GROUP BY position 3 is not in select list");
    CHECK(failure("SELECT count(*) FROM orders GROUP BY 'a'") == "42601: non-integer constant in GROUP BY");
    CHECK(failure("SELECT sum(sku) FROM orders") == "42883: function sum(text) does not exist");
    CHECK(failure("SELECT min(express) FROM orders") == "42883: function min(boolean) does not exist");
    CHECK(failure("SELECT sum('1') FROM orders") == "42725: function sum(unknown) is not unique");
    CHECK(failure("SELECT sum(amount, 1) FROM orders") == "42883: function sum(numeric, integer) does not exist");
}

TEST_CASE("frontend: GROUPING SETS, ROLLUP and CUBE become one aggregate per set", "[frontend][grouping_sets]") {
    const auto branches = [](const std::string& sql) {
        const auto p = plan(sql);
        std::size_t n = 0;
        for (auto pos = p.find("Aggregate"); pos != std::string::npos; pos = p.find("Aggregate", pos + 1)) ++n;
        return n;
    };
    CHECK(branches("SELECT customer_id, sku, count(*) FROM orders GROUP BY ROLLUP (customer_id, sku)") == 3);
    CHECK(branches("SELECT customer_id, sku, count(*) FROM orders GROUP BY CUBE (customer_id, sku)") == 4);
    CHECK(branches("SELECT customer_id, sku, count(*) FROM orders GROUP BY GROUPING SETS ((customer_id), (sku), ())") == 3);
    // Elements multiply: a × ROLLUP(b) = (a, b), (a).
    CHECK(branches("SELECT express, customer_id, count(*) FROM orders GROUP BY express, ROLLUP (customer_id)") == 2);
    // One set is a plain GROUP BY.
    CHECK(branches("SELECT customer_id, count(*) FROM orders GROUP BY GROUPING SETS ((customer_id))") == 1);
    const auto p = plan("SELECT customer_id, GROUPING(customer_id, sku) AS g FROM orders GROUP BY ROLLUP (customer_id, sku)");
    CHECK(p.find("CASE WHEN (__grouping_set = '0') THEN '0' WHEN (__grouping_set = '1') THEN '1' WHEN (__grouping_set = '2') "
                 "THEN '3' END AS g") != std::string::npos);
    CHECK(p.find("NULL AS sku") != std::string::npos);
    CHECK(plan("SELECT customer_id, GROUPING(customer_id) FROM orders GROUP BY customer_id").find("'0' AS grouping") !=
          std::string::npos);
}

TEST_CASE("frontend: GROUPING errors as PostgreSQL reports them", "[frontend][grouping_sets]") {
    CHECK(failure("SELECT GROUPING(id) FROM orders GROUP BY ROLLUP (customer_id)") ==
          "42803: arguments to GROUPING must be grouping expressions of the associated query level");
    CHECK(failure("SELECT id FROM orders WHERE GROUPING(id) = 0") == "42803: grouping operations are not allowed in WHERE");
    CHECK(unsupported("SELECT count(*) FROM orders GROUP BY CUBE (id, customer_id, sku, quantity, amount, discount, ordered_on)") ==
          "more than 64 grouping sets");
}
