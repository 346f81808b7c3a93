// Which output column splits a query's rows by the key values of its keyed tables
// (ir::partition_column): what lets a distributed stream table's refresh reach only the shards
// of the changed values.
#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {

/// Keyed as Citus would distribute them: orders by customer, customers by id; products unkeyed
/// (a reference table).
std::optional<int> split_column(const std::string& sql) {
    const auto q = query(sql);
    INFO(sql);
    return pgt::ir::partition_column(*q.root, [](const pgt::ir::table& t) -> std::optional<int> {
        const std::string key = t.name == "orders" ? "customer_id" : t.name == "customers" ? "id" : "";
        for (std::size_t i = 0; i < t.columns.size(); ++i)
            if (t.columns[i].name == key) return static_cast<int>(i);
        return std::nullopt;
    });
}

} // namespace

TEST_CASE("partition column: grouped, joined and filtered on the key", "[ir]") {
    CHECK(split_column("SELECT customer_id, count(*), sum(amount) FROM orders GROUP BY customer_id") == 0);
    CHECK(split_column("SELECT sku, customer_id, count(*) FROM orders WHERE quantity > 1 GROUP BY sku, customer_id") == 1);
    CHECK(split_column("SELECT c.name, c.id, sum(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name") == 1);
    CHECK(split_column("SELECT o.id, o.customer_id, p.title FROM orders o JOIN products p ON p.sku = o.sku") == 1);
    CHECK(split_column("SELECT c.id, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id") == 0);
    CHECK(split_column("SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 5)") == 0);
    CHECK(split_column("SELECT id, customer_id, rank() OVER (PARTITION BY customer_id ORDER BY amount) FROM orders") == 1);
    CHECK(split_column("SELECT customer_id FROM orders UNION ALL SELECT id FROM customers") == 0);
    CHECK(split_column("SELECT DISTINCT customer_id, sku FROM orders EXCEPT SELECT o.customer_id, p.sku FROM orders o, products p") == 0);
}

TEST_CASE("partition column: none where a row reads other key values", "[ir]") {
    // Not grouped by the key, a computed key, keys not equated.
    CHECK_FALSE(split_column("SELECT sku, count(*) FROM orders GROUP BY sku"));
    CHECK_FALSE(split_column("SELECT customer_id + 0 AS k, count(*) FROM orders GROUP BY 1"));
    CHECK_FALSE(split_column("SELECT c.id, o.amount FROM customers c JOIN orders o ON o.id = c.id"));
    // An unmatched row of an unkeyed table (or of either side of a FULL JOIN) has no key.
    CHECK_FALSE(split_column("SELECT o.customer_id, p.title FROM orders o RIGHT JOIN products p ON p.sku = o.sku"));
    CHECK_FALSE(split_column("SELECT c.id, o.customer_id FROM customers c FULL JOIN orders o ON o.customer_id = c.id"));
    // Every row reads all of a keyed table.
    CHECK_FALSE(split_column("SELECT o.customer_id, (SELECT count(*) FROM orders) FROM orders o"));
    CHECK_FALSE(split_column("SELECT a.customer_id, b.total FROM (SELECT customer_id FROM orders GROUP BY customer_id) a "
                             "CROSS JOIN (SELECT sum(amount) AS total FROM orders) b"));
    CHECK_FALSE(split_column("SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.amount > c.id)"));
    CHECK_FALSE(split_column("SELECT id, customer_id, rank() OVER (ORDER BY amount) FROM orders"));
    CHECK_FALSE(split_column("SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM orders o JOIN customers c ON c.id = o.id"));
}
