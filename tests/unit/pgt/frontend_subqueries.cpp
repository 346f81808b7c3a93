// Front end: subqueries in expressions, LATERAL subqueries and INTERSECT/EXCEPT become sublink
// and set-operation nodes; correlated subqueries are pulled up or lifted over D.
#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

TEST_CASE("frontend: EXISTS and NOT EXISTS pull up their correlated conjuncts", "[frontend][subquery]") {
    const auto p = plan("SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND c.country = 'DE')");
    CHECK(contains(p, "Filter (NOT exists)"));
    CHECK(contains(p, "Sublink EXISTS WHERE (id = customer_id)"));
    // The subquery's own conjunct filters its rows; only the column the condition reads is kept.
    CHECK(contains(p, "Project id AS id"));
    CHECK(contains(p, "Filter (country = 'DE')"));
}

TEST_CASE("frontend: an EXISTS subquery's select list is dropped where PostgreSQL drops it", "[frontend][subquery]") {
    // simplify_EXISTS_query: nothing evaluates it, not even the planner folding a constant call
    // that would fail (a pseudo-type's input function, 1 / 0). Lifted here (a nested subquery).
    auto p = plan("SELECT id FROM orders o WHERE EXISTS (SELECT o.sku, 1 / 0, c.name FROM customers c "
                  "WHERE c.id > o.customer_id AND EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.id))");
    CHECK_FALSE(contains(p, "/"));
    CHECK(contains(p, "'1' AS ?column?"));
    // GROUP BY too (it changes how many rows, not whether there is one).
    p = plan("SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id > o.customer_id "
             "AND EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.id) GROUP BY 1 / 0)");
    CHECK_FALSE(contains(p, "/"));
    // With an aggregate its one row is evaluated: the select list stays.
    p = plan("SELECT id FROM orders o WHERE EXISTS (SELECT count(*), 1 / 0 FROM customers c WHERE c.id > o.customer_id "
             "AND EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.id))");
    CHECK(contains(p, "('1' / '0') AS ?column?"));
}

TEST_CASE("frontend: IN and NOT IN keep PostgreSQL's NULL semantics as ANY tests", "[frontend][subquery]") {
    const auto p = plan("SELECT id FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM events)");
    CHECK(contains(p, "Filter (NOT __sublink)"));
    CHECK(contains(p, "Sublink ANY TEST (customer_id = customer_id)"));
    CHECK(contains(plan("SELECT id FROM orders WHERE (customer_id, sku) IN (SELECT customer_id, kind FROM events)"),
                   "TEST ((customer_id = customer_id) AND (sku = kind))"));
    CHECK(contains(plan("SELECT id FROM orders WHERE amount > ALL (SELECT price FROM products)"), "Sublink ALL TEST (amount > price)"));
}

TEST_CASE("frontend: a correlated aggregate subquery is lifted over the distinct outer values", "[frontend][subquery]") {
    const auto p = plan("SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c");
    CHECK(contains(p, "Sublink SCALAR WHERE (id = __outer0) VALUE count"));
    // Every outer value gets a row, with count 0 where no row matches.
    CHECK(contains(p, "COALESCE(count, '0') AS count"));
    CHECK(contains(p, "Join left ON (__outer0 IS NOT DISTINCT FROM __outer0)"));
    CHECK(contains(p, "Aggregate GROUP BY __outer0 [count(*)]"));
    // The distinct outer values are read twice (the sublink's input and the join), printed once.
    CHECK(contains(p, "Distinct [shared #1]  → (__outer0)"));
    CHECK(contains(p, "Shared #1  → (__outer0)"));
}

TEST_CASE("frontend: subqueries in HAVING and in a grouped select list are evaluated per group", "[frontend][subquery]") {
    auto p = plan("SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id HAVING sum(amount) > (SELECT avg(amount) FROM orders)");
    CHECK(contains(p, "Filter (sum > __sublink)"));
    p = plan("SELECT customer_id, (SELECT name FROM customers c WHERE c.id = o.customer_id) FROM orders o GROUP BY customer_id");
    CHECK(contains(p, "Sublink SCALAR WHERE (customer_id = __outer0) VALUE name"));
    CHECK(failure("SELECT count(*), (SELECT name FROM customers c WHERE c.id = o.customer_id) FROM orders o") ==
          "42803: subquery uses ungrouped column \"o.customer_id\" from outer query");
}

TEST_CASE("frontend: LATERAL subqueries join the items to their left", "[frontend][subquery]") {
    auto p = plan("SELECT c.name, o.sku FROM customers c LEFT JOIN LATERAL (SELECT sku FROM orders o WHERE o.customer_id = c.id) o ON true");
    CHECK(contains(p, "Join left ON ((customer_id = id) AND 'true')"));
    p = plan("SELECT c.name, s.n FROM customers c, LATERAL (SELECT count(*) AS n FROM orders o WHERE o.customer_id = c.id) s");
    CHECK(contains(p, "Join inner ON (id = __outer0)"));
    CHECK(columns("SELECT c.name, s.n FROM customers c, LATERAL (SELECT count(*) AS n FROM orders o WHERE o.customer_id = c.id) s") ==
          "name pg_catalog.text not null, n pg_catalog.int8 not null");
}

TEST_CASE("frontend: INTERSECT and EXCEPT, with and without ALL", "[frontend][subquery]") {
    CHECK(contains(plan("SELECT customer_id FROM orders INTERSECT ALL SELECT customer_id FROM events"), "Intersect All"));
    CHECK(contains(plan("SELECT customer_id FROM orders EXCEPT SELECT customer_id FROM events UNION SELECT id FROM customers"),
                   "Except"));
}

TEST_CASE("frontend: a nested subquery imports outer values in the same order in every pass", "[frontend][subquery]") {
    // The IN's left-hand side reads an outer value before the nested subquery does: discovery
    // of the nested one must not reorder the lifted subquery's D.
    CHECK(plan("SELECT o.id FROM orders o, customers c WHERE o.customer_id NOT IN (SELECT e.customer_id FROM events e "
               "WHERE c.created_at NOT IN (SELECT c2.created_at FROM customers c2 WHERE c2.id = o.customer_id))")
              .size() > 0);
}

TEST_CASE("frontend: ORDER BY with a constant LIMIT is a TopK over the query's result", "[frontend][topk]") {
    auto q = query("SELECT id, customer_id FROM orders ORDER BY amount DESC, id LIMIT 5 OFFSET 2");
    REQUIRE(q.topk);
    CHECK(q.topk->limit == 5);
    CHECK(q.topk->offset == 2);
    CHECK(q.topk->visible == 2);
    // amount is not selected: a column after the visible ones carries it.
    REQUIRE(q.topk->keys.size() == 2);
    CHECK(q.topk->keys[0].expr->index == 2);
    CHECK(q.topk->keys[0].descending);
    CHECK(q.topk->keys[0].nulls_first);
    CHECK(q.topk->keys[1].expr->index == 0);
    CHECK_FALSE(q.topk->keys[1].descending);
    q = query("SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id ORDER BY count(*) DESC, 2 LIMIT 3");
    REQUIRE(q.topk);
    CHECK(q.topk->visible == 2);
    CHECK(q.topk->keys[0].expr->index == 2);
    CHECK(q.topk->keys[1].expr->index == 1);
    CHECK(query("SELECT id FROM orders ORDER BY id FETCH FIRST 5 ROWS WITH TIES").topk->with_ties);
    CHECK(query("SELECT id FROM customers UNION SELECT id FROM audit.log ORDER BY 1 LIMIT 3").topk->keys[0].expr->index == 0);
}

TEST_CASE("frontend: a WHERE subquery reading one input of an inner join is joined to that input", "[frontend][subquery]") {
    // Joined above the join, a change would be joined whole before the subquery rejects most
    // of it (TPC-H q18).
    auto below_join = [](const std::string& from, const std::string& where, const std::string& node) {
        const auto p = plan("SELECT c.name FROM " + from + " WHERE o.customer_id = c.id AND " + where);
        return p.find("Join inner") < p.find(node);
    };
    CHECK(below_join("customers c JOIN orders o ON true", "o.sku IN (SELECT kind FROM events)", "Sublink ANY"));
    // On the left input, the row is put back in its order above the join.
    CHECK(below_join("orders o, customers c", "o.amount > ALL (SELECT price FROM products)", "Sublink ALL"));
    // Not past a filtered input, whose join may reject most rows (TPC-H q20); one that reads
    // both inputs, or a correlated one, stays above the join too.
    CHECK_FALSE(below_join("customers c JOIN orders o ON true", "o.sku IN (SELECT kind FROM events) AND c.country = 'DE'",
                           "Sublink ANY"));
    CHECK_FALSE(below_join("orders o, customers c", "(o.sku, c.name) IN (SELECT sku, kind FROM events)", "Sublink ANY"));
    CHECK_FALSE(below_join("orders o, customers c", "EXISTS (SELECT 1 FROM events e WHERE e.customer_id = o.customer_id)",
                           "Sublink EXISTS"));
}
