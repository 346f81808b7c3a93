// Front end: joins — inner joins and comma joins with their conditions placed in the join,
// outer joins left as written unless a condition above rejects their padded rows, USING/NATURAL
// column merging.
#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {
const std::string orders_cols = "(id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)";
const std::string customers_cols = "(id, name, email, country, created_at)";
const std::string both_cols = "(id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express, id, name, email, country, created_at)";
} // namespace

TEST_CASE("frontend: inner join ON, one-sided conjuncts move into their input", "[frontend]") {
    CHECK(plan("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id AND c.country = 'DE'") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "    Scan public.orders AS o  → " + orders_cols + "\n"
          "    Filter (country = 'DE')  → " + customers_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n");
}

TEST_CASE("frontend: comma joins get their WHERE conjuncts as join conditions", "[frontend]") {
    const std::string expected =
        "Project id AS id, name AS name  → (id, name)\n"
        "  Join inner ON (id = customer_id)  → " + both_cols + "\n"
        "    Filter (amount > '5')  → " + orders_cols + "\n"
        "      Scan public.orders AS o  → " + orders_cols + "\n"
        "    Filter (country = 'DE')  → " + customers_cols + "\n"
        "      Scan public.customers AS c  → " + customers_cols + "\n";
    CHECK(plan("SELECT o.id, c.name FROM orders o, customers c WHERE c.id = o.customer_id AND c.country = 'DE' AND o.amount > 5") == expected);
    // The same query written with JOIN … ON compiles to the same tree.
    CHECK(plan("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'DE' AND o.amount > 5") == expected);
}

TEST_CASE("frontend: three-way comma join uses the lowest join covering each condition", "[frontend]") {
    CHECK(plan("SELECT o.id, c.name, p.title FROM orders o, customers c, products p "
               "WHERE o.customer_id = c.id AND o.sku = p.sku AND 1 = 1") ==
          "Project id AS id, name AS name, title AS title  → (id, name, title)\n"
          "  Filter ('1' = '1')  → " + both_cols.substr(0, both_cols.size() - 1) + ", sku, title, price, weight)\n"
          "    Join inner ON (sku = sku)  → " + both_cols.substr(0, both_cols.size() - 1) + ", sku, title, price, weight)\n"
          "      Join inner ON (customer_id = id)  → " + both_cols + "\n"
          "        Scan public.orders AS o  → " + orders_cols + "\n"
          "        Scan public.customers AS c  → " + customers_cols + "\n"
          "      Scan public.products AS p  → (sku, title, price, weight)\n");
}

TEST_CASE("frontend: CROSS JOIN has no condition", "[frontend]") {
    CHECK(plan("SELECT o.id, p.title FROM orders o CROSS JOIN products p") ==
          "Project id AS id, title AS title  → (id, title)\n"
          "  Join inner  → " + orders_cols.substr(0, orders_cols.size() - 1) + ", sku, title, price, weight)\n"
          "    Scan public.orders AS o  → " + orders_cols + "\n"
          "    Scan public.products AS p  → (sku, title, price, weight)\n");
}

TEST_CASE("frontend: outer joins keep WHERE above the nullable side", "[frontend]") {
    // LEFT: the preserved side may take a filter; a conjunct true for the padded rows stays above.
    CHECK(plan("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "WHERE c.country IS NULL AND o.quantity > 1") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Filter (country IS NULL)  → " + both_cols + "\n"
          "    Join left ON (id = customer_id)  → " + both_cols + "\n"
          "      Filter (quantity > '1')  → " + orders_cols + "\n"
          "        Scan public.orders AS o  → " + orders_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n");
    // An OR rejects NULL only in what every arm rejects it in; a function is not assumed strict.
    CHECK(plan("SELECT o.id, c.name FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id "
               "WHERE (o.quantity > 1 OR c.country = 'FR') AND coalesce(o.sku, 'x') = 'x'") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Filter (((quantity > '1') OR (country = 'FR')) AND (COALESCE(sku, 'x') = 'x'))  → " + both_cols + "\n"
          "    Join right ON (id = customer_id)  → " + both_cols + "\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n");
    // Below NOT, a conjunct proves nothing: NOT (a AND b) holds when b is false and a NULL.
    CHECK(plan("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "WHERE NOT (c.country = 'DE' AND o.quantity > 1)") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Filter (NOT ((country = 'DE') AND (quantity > '1')))  → " + both_cols + "\n"
          "    Join left ON (id = customer_id)  → " + both_cols + "\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n");
    // The nullable side loses NOT NULL.
    CHECK(columns("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id") ==
          "id pg_catalog.int8 not null, name pg_catalog.text");
    CHECK(columns("SELECT o.id, c.name FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id") ==
          "id pg_catalog.int8, name pg_catalog.text not null");
}

TEST_CASE("frontend: a WHERE that rejects the padded rows makes an outer join inner", "[frontend]") {
    // As PostgreSQL's planner does (reduce_outer_joins): the conjuncts then go down both sides.
    CHECK(plan("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "WHERE c.country = 'DE' AND o.quantity > 1") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "    Filter (quantity > '1')  → " + orders_cols + "\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n"
          "    Filter (country = 'DE')  → " + customers_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n");
    CHECK(plan("SELECT o.id, c.name FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id "
               "WHERE NOT (o.quantity > 1) AND o.sku IS NOT NULL") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "    Filter ((NOT (quantity > '1')) AND (sku IS NOT NULL))  → " + orders_cols + "\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n"
          "    Scan public.customers AS c  → " + customers_cols + "\n");
    // An OR whose every arm rejects the padded side's NULLs, each in its own column.
    CHECK(plan("SELECT o.id, c.name FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id "
               "WHERE o.quantity > 1 OR o.sku IS NOT NULL") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "    Filter ((quantity > '1') OR (sku IS NOT NULL))  → " + orders_cols + "\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n"
          "    Scan public.customers AS c  → " + customers_cols + "\n");
    // IN lists and = ANY of a padded column; x <> ALL ('{}') is true for a NULL x.
    CHECK(plan("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "WHERE c.country IN ('DE', 'FR')") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "    Scan public.orders AS o  → " + orders_cols + "\n"
          "    Filter (country IN ('DE', 'FR'))  → " + customers_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n");
    CHECK(plan("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "WHERE c.country = ANY (ARRAY['DE'])").find("Join inner") != std::string::npos);
    CHECK(plan("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "WHERE c.country <> ALL (ARRAY['DE'])").find("Join left") != std::string::npos);
    // FULL: rejecting one side's padding leaves the other side preserved.
    CHECK(plan("SELECT o.id, c.name FROM orders o FULL JOIN customers c ON c.id = o.customer_id AND c.country = 'DE' "
               "WHERE c.country = 'DE'") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Join right ON ((id = customer_id) AND (country = 'DE'))  → " + both_cols + "\n"
          "    Scan public.orders AS o  → " + orders_cols + "\n"
          "    Filter (country = 'DE')  → " + customers_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n");
    // An inner join's condition above rejects the padding of an outer join below it.
    CHECK(plan("SELECT o.id, p.title FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "JOIN products p ON p.title = c.name") ==
          "Project id AS id, title AS title  → (id, title)\n"
          "  Join inner ON (title = name)  → " + both_cols.substr(0, both_cols.size() - 1) + ", sku, title, price, weight)\n"
          "    Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "      Scan public.orders AS o  → " + orders_cols + "\n"
          "      Scan public.customers AS c  → " + customers_cols + "\n"
          "    Scan public.products AS p  → (sku, title, price, weight)\n");
    // A conjunct that also reads a subquery's value stays above it, and still rejects NULL below.
    CHECK(plan("SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
               "WHERE c.name = (SELECT max(title) FROM products)") ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Filter (name = __sublink)  → " + both_cols.substr(0, both_cols.size() - 1) + ", __sublink)\n"
          "    Sublink SCALAR VALUE max  → " + both_cols.substr(0, both_cols.size() - 1) + ", __sublink)\n"
          "      Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "        Scan public.orders AS o  → " + orders_cols + "\n"
          "        Scan public.customers AS c  → " + customers_cols + "\n"
          "      Project max AS max  → (max)\n"
          "        Aggregate [max(title)]  → (max)\n"
          "          Scan public.products  → (sku, title, price, weight)\n");
    // Below a filter placed before: an inner join's condition on a subquery's column.
    CHECK(plan("SELECT s.id, p.title FROM (SELECT o.id, o.sku, c.name FROM orders o LEFT JOIN customers c "
               "ON c.id = o.customer_id WHERE c.email IS NULL OR o.quantity > 1) s JOIN products p ON p.title = s.name") ==
          "Project id AS id, title AS title  → (id, title)\n"
          "  Join inner ON (title = name)  → (id, sku, name, sku, title, price, weight)\n"
          "    Project id AS id, sku AS sku, name AS name  → (id, sku, name)\n"
          "      Filter ((email IS NULL) OR (quantity > '1'))  → " + both_cols + "\n"
          "        Join inner ON (id = customer_id)  → " + both_cols + "\n"
          "          Scan public.orders AS o  → " + orders_cols + "\n"
          "          Scan public.customers AS c  → " + customers_cols + "\n"
          "    Scan public.products AS p  → (sku, title, price, weight)\n");
    // A LEFT join's ON clause rejects the padding of an outer join on its padded side: the rows
    // it never matches add nothing.
    CHECK(plan("SELECT p.sku, x.name FROM products p LEFT JOIN "
               "(SELECT c.name, o.sku FROM customers c LEFT JOIN orders o ON o.customer_id = c.id) x ON x.sku = p.sku") ==
          "Project sku AS sku, name AS name  → (sku, name)\n"
          "  Join left ON (sku = sku)  → (sku, title, price, weight, name, sku)\n"
          "    Scan public.products AS p  → (sku, title, price, weight)\n"
          "    Project name AS name, sku AS sku  → (name, sku)\n"
          "      Join inner ON (customer_id = id)  → " + customers_cols.substr(0, customers_cols.size() - 1) + ", " +
              orders_cols.substr(1) + "\n"
          "        Scan public.customers AS c  → " + customers_cols + "\n"
          "        Scan public.orders AS o  → " + orders_cols + "\n");
}

TEST_CASE("frontend: USING and NATURAL merge the join columns", "[frontend]") {
    CHECK(plan("SELECT * FROM customers JOIN audit.log USING (id)") ==
          "Project id AS id, name AS name, email AS email, country AS country, created_at AS created_at, "
          "customer_id AS customer_id, note AS note  → (id, name, email, country, created_at, customer_id, note)\n"
          "  Join inner ON (id = id)  → (id, name, email, country, created_at, id, customer_id, note)\n"
          "    Scan public.customers  → " + customers_cols + "\n"
          "    Scan audit.log  → (id, customer_id, note)\n");
    CHECK(columns("SELECT * FROM events NATURAL JOIN audit.log") ==
          "customer_id pg_catalog.int4, kind pg_catalog.text, payload pg_catalog.text, at pg_catalog.timestamp, "
          "id pg_catalog.int4 not null, note pg_catalog.text");
    // No common column: a cross join.
    CHECK(plan("SELECT c.id FROM customers c NATURAL JOIN products p") ==
          "Project id AS id  → (id)\n"
          "  Join inner  → (id, name, email, country, created_at, sku, title, price, weight)\n"
          "    Scan public.customers AS c  → " + customers_cols + "\n"
          "    Scan public.products AS p  → (sku, title, price, weight)\n");
    // The merged column comes from the preserved side; the side's own column stays qualified.
    CHECK(columns("SELECT id, l.id AS log_id FROM customers LEFT JOIN audit.log l USING (id)") ==
          "id pg_catalog.int4 not null, log_id pg_catalog.int4");
    CHECK(columns("SELECT id FROM customers RIGHT JOIN audit.log USING (id)") == "id pg_catalog.int4 not null");
    CHECK(columns("SELECT id, e.kind FROM audit.log l JOIN events e USING (customer_id) JOIN customers c USING (id)") ==
          "id pg_catalog.int4 not null, kind pg_catalog.text");
}

TEST_CASE("frontend: FULL JOIN USING merges with COALESCE", "[frontend]") {
    CHECK(plan("SELECT id, note FROM customers c FULL JOIN audit.log l USING (id)") ==
          "Project COALESCE(id, id) AS id, note AS note  → (id, note)\n"
          "  Join full ON (id = id)  → (id, name, email, country, created_at, id, customer_id, note)\n"
          "    Scan public.customers AS c  → " + customers_cols + "\n"
          "    Scan audit.log AS l  → (id, customer_id, note)\n");
    // Different types meet in their common type.
    auto q = query("SELECT customer_id FROM events FULL JOIN orders USING (customer_id)");
    CHECK(q.root->columns[0].type.name == "pg_catalog.int4");
}

TEST_CASE("frontend: join aliases", "[frontend]") {
    CHECK(columns("SELECT j.id, j.note FROM (customers c JOIN audit.log l USING (id)) AS j") ==
          "id pg_catalog.int4 not null, note pg_catalog.text");
    CHECK(columns("SELECT x.id FROM customers c JOIN audit.log l USING (id) AS x") == "id pg_catalog.int4 not null");
    // The alias hides the tables inside the join.
    CHECK(failure("SELECT c.id FROM (customers c JOIN audit.log l USING (id)) j") ==
          "42P01: missing FROM-clause entry for table \"c\"");
}

TEST_CASE("frontend: self join", "[frontend]") {
    auto q = query("SELECT a.id, b.name FROM customers a JOIN customers b ON a.id = b.id");
    CHECK(q.sources.size() == 1);
    CHECK(pgt::ir::to_string(*q.root) ==
          "Project id AS id, name AS name  → (id, name)\n"
          "  Join inner ON (id = id)  → (id, name, email, country, created_at, id, name, email, country, created_at)\n"
          "    Scan public.customers AS a  → " + customers_cols + "\n"
          "    Scan public.customers AS b  → " + customers_cols + "\n");
    // The condition reads the left input's column 0 and the right input's column 0.
    const auto& join = std::get<pgt::ir::join>(q.root->inputs[0]->node);
    CHECK(pgt::ir::referenced_columns(*join.condition) == std::vector<int>{0, 5});
}
