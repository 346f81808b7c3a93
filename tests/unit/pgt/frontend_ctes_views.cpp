// Front end: WITH (inlined at each reference) and views (expanded from their definition).
#include <map>

#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {
const std::string orders_cols = "(id, customer_id, sku, quantity, amount, discount, ordered_on, shipped_at, express)";

// A catalog over the shop schema that adds views defined in the test.
class with_views : public pgt::catalog {
public:
    explicit with_views(std::map<std::string, std::string> views) : views_(std::move(views)) {}
    std::optional<pgt::relation_info> find_relation(const std::string& schema, const std::string& name) const override {
        if (auto it = views_.find(name); it != views_.end()) {
            auto t = std::make_shared<pgt::ir::table>();
            t->schema = "public";
            t->name = name;
            return pgt::relation_info{pgt::relation_kind::view, t, it->second, false};
        }
        return shop().find_relation(schema, name);
    }
    std::optional<pgt::function_info> find_function(const std::string& schema, const std::string& name,
                                                    const std::vector<pgt::sql_type>& args) const override {
        return shop().find_function(schema, name, args);
    }

private:
    std::map<std::string, std::string> views_;
};
} // namespace

TEST_CASE("frontend: a CTE is inlined", "[frontend]") {
    CHECK(plan("WITH t AS (SELECT customer_id, amount FROM orders) "
               "SELECT customer_id, sum(amount) FROM t GROUP BY customer_id") ==
          "Project customer_id AS customer_id, sum AS sum  → (customer_id, sum)\n"
          "  Aggregate GROUP BY customer_id [sum(amount)]  → (customer_id, sum)\n"
          "    Project customer_id AS customer_id, amount AS amount  → (customer_id, amount)\n"
          "      Scan public.orders  → " + orders_cols + "\n");
    // Column aliases, a CTE reading an earlier one, a CTE read twice.
    auto q = query("WITH a(x) AS (SELECT id FROM customers), b AS (SELECT x FROM a WHERE x > 1) "
                   "SELECT b1.x FROM b b1 JOIN b b2 ON b1.x = b2.x");
    CHECK(q.root->columns[0].name == "x");
    const auto& join = *q.root->inputs[0];
    REQUIRE(join.inputs.size() == 2);
    CHECK(pgt::ir::to_string(*join.inputs[0]) == pgt::ir::to_string(*join.inputs[1]));
    // A CTE shadows a table of the same name.
    CHECK(columns("WITH orders AS (SELECT 1 AS one FROM customers) SELECT * FROM orders") == "one pg_catalog.int4 not null");
    // A nested WITH sees the outer one.
    CHECK(columns("WITH a AS (SELECT id FROM customers) SELECT * FROM (WITH b AS (SELECT id FROM a) SELECT id FROM b) s") ==
          "id pg_catalog.int4 not null");
}

TEST_CASE("frontend: CTE errors", "[frontend]") {
    CHECK(failure("WITH x AS (SELECT * FROM x) SELECT * FROM x") == "42P01: relation \"x\" does not exist");
    CHECK(failure("WITH x AS (SELECT id FROM customers), x AS (SELECT 1) SELECT * FROM x") ==
          "42712: WITH query name \"x\" specified more than once");
    CHECK(failure("WITH x(a, b) AS (SELECT id FROM customers) SELECT * FROM x") ==
          "42P10: WITH query \"x\" has 1 columns available but 2 columns specified");
    CHECK(error("WITH x AS (DELETE FROM orders RETURNING id) SELECT * FROM x").code() == "0A000");
    // An unused CTE is still checked.
    CHECK(failure("WITH x AS (SELECT nosuch FROM customers) SELECT id FROM customers") ==
          "42703: column \"nosuch\" does not exist");
}

TEST_CASE("frontend: views are expanded", "[frontend]") {
    auto q = query("SELECT * FROM big_orders");
    CHECK(pgt::ir::to_string(*q.root) ==
          "Project id AS id, customer_id AS customer_id, amount AS amount  → (id, customer_id, amount)\n"
          "  Filter (amount > '100')  → " + orders_cols + "\n"
          "    Scan public.orders  → " + orders_cols + "\n");
    REQUIRE(q.sources.size() == 1);
    CHECK(q.sources[0]->name == "orders");
    // The view's column names (CREATE VIEW v (customer, total)) win.
    CHECK(columns("SELECT * FROM customer_totals") == "customer pg_catalog.int4 not null, total pg_catalog.numeric");
    CHECK(columns("SELECT t.total FROM public.customer_totals t WHERE t.customer = 1") == "total pg_catalog.numeric");
}

TEST_CASE("frontend: views from the catalog: nesting, sharing, recursion", "[frontend]") {
    with_views cat({{"v1", "SELECT id, name FROM customers WHERE id > 10"},
                    {"v2", "SELECT a.id FROM v1 a JOIN v1 b ON a.id = b.id"},
                    {"loop", "SELECT * FROM loop2"},
                    {"loop2", "SELECT * FROM loop"},
                    {"broken", "SELEKT 1"},
                    {"bad_column", "SELECT nosuch FROM customers"}});
    auto r = pgt::offline::compile("SELECT id FROM v2", cat);
    REQUIRE(r.query);
    REQUIRE(r.sources.size() == 1);
    CHECK(r.sources[0]->name == "customers");
    auto e = [&](const std::string& sql) { return thrown([&] { pgt::offline::compile(sql, cat); }, sql); };
    CHECK(e("SELECT * FROM loop").code() == "42P17");
    CHECK(std::string(e("SELECT * FROM loop").what()) == "infinite recursion detected in rules for relation \"public.loop\"");
    CHECK(e("SELECT * FROM broken").code() == "42601");
    CHECK(e("SELECT * FROM broken").position() == -1);
    // Errors inside a view's text have no position in the query.
    auto bad = e("SELECT * FROM bad_column");
    CHECK(bad.code() == "42703");
    CHECK(bad.position() == -1);
}

TEST_CASE("frontend: WITH RECURSIVE", "[frontend]") {
    // The recursive term reads the CTE through a RecursiveRef with the first term's columns.
    CHECK(plan("WITH RECURSIVE r(n) AS (SELECT id FROM customers UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r") ==
          "Project n AS n  → (n)\n"
          "  Recursive r UNION ALL  → (n)\n"
          "    Project id AS n  → (n)\n"
          "      Scan public.customers  → (id, name, email, country, created_at)\n"
          "    Project (n + '1') AS ?column?  → (?column?)\n"
          "      Filter (n < '3')  → (n)\n"
          "        RecursiveRef r  → (n)\n");
    // Without a reference to itself it is a plain union.
    CHECK(plan("WITH RECURSIVE r(n) AS (SELECT id FROM customers UNION SELECT id FROM orders) SELECT n FROM r").find("Recursive") ==
          std::string::npos);
    CHECK(failure("WITH RECURSIVE r(n) AS (SELECT n FROM r UNION ALL SELECT 1) SELECT n FROM r") ==
          "42P19: recursive reference to query \"r\" must not appear within its non-recursive term");
}
