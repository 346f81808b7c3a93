// lower::query_load_sql: the full load computed from the defining query as written (what a
// full load that fails on data falls back to) gives each row the same storage columns as the
// circuit's full load, and exists only where the storage holds the query's rows as they are
// (state tables of aggregates inside the query are loaded apart).
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

/// The select list of a `SELECT … FROM` statement.
std::string select_list(const std::string& sql) { return sql.substr(0, sql.find(" FROM ")); }

} // namespace

TEST_CASE("lower: a full load from the query as written has the circuit's storage columns", "[lower]") {
    for (const char* query : {"SELECT id, customer_id, amount FROM orders WHERE status = 'paid'", // keyed
                              "SELECT customer_id, status FROM orders",                           // bag
                              "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id",
                              // (the aggregate's state table is loaded apart from the rows)
                              "SELECT c.name, t.total FROM customers c JOIN (SELECT customer_id, sum(amount) AS total FROM orders "
                              "GROUP BY customer_id) t ON t.customer_id = c.id"}) {
        const auto graph = circuit_of(query);
        const auto from_query = pgt::lower::query_load_sql(graph, query);
        INFO(query);
        REQUIRE(from_query);
        CHECK(select_list(*from_query) == select_list(pgt::lower::full_load_sql(graph)));
        CHECK(from_query->find(std::string("FROM (") + query + ") q(") != std::string::npos);
    }
}

TEST_CASE("lower: no full load from the query where storage keeps state beside the rows", "[lower]") {
    for (const char* query : {"SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id",
                              "SELECT DISTINCT status FROM orders",
                              "SELECT id, amount FROM orders ORDER BY amount DESC LIMIT 3"}) {
        INFO(query);
        CHECK_FALSE(pgt::lower::query_load_sql(circuit_of(query), query));
    }
}

TEST_CASE("lower: the row identity is 128 bits wide, and 64 for storage made before 0.2.0", "[lower]") {
    for (const char* query : {"SELECT status, count(*) AS n FROM orders GROUP BY status", "SELECT customer_id, status FROM orders",
                              "SELECT DISTINCT status FROM orders", "SELECT status FROM orders ORDER BY status LIMIT 3"}) {
        const auto graph = circuit_of(query);
        INFO(query);
        pgt::lower::options narrow, of_images;
        narrow.wide_row_id = false;
        of_images.row_id_of_values = false;
        const auto wide_layout = graph.query.topk ? pgt::lower::topk_layout(graph) : pgt::lower::storage_layout(graph);
        CHECK(wide_layout.columns.front().type.name == "pg_catalog.uuid");
        CHECK(pgt::lower::storage_layout(graph, narrow).columns.front().type.name == "pg_catalog.int8");
        const std::string wide_load = pgt::lower::full_load_sql(graph), narrow_load = pgt::lower::full_load_sql(graph, narrow),
                          images_load = pgt::lower::full_load_sql(graph, of_images);
        CHECK(wide_load.find("pgtrickle.pg_trickle_row_id_of(") != std::string::npos);
        CHECK(wide_load.find("pg_trickle_hash_multi") == std::string::npos);
        CHECK(images_load.find("pgtrickle.pg_trickle_row_id(") != std::string::npos);
        CHECK(images_load.find("pg_trickle_row_id_of") == std::string::npos);
        CHECK(narrow_load.find("pgtrickle.pg_trickle_hash_multi(") != std::string::npos);
        CHECK(narrow_load.find("pg_trickle_row_id") == std::string::npos);
    }
}

TEST_CASE("lower: pg_trickle_row_id_of takes integers and text as they are, other types as their images", "[lower]") {
    const std::vector<std::string> values{"a", "b", "c", "d", "e", "f"};
    const std::vector<pgt::sql_type> types{pgt::make_type(pgt::type_kind::int4), pgt::make_type(pgt::type_kind::varchar),
                                           {pgt::type_kind::other, "uuid"}, pgt::make_type(pgt::type_kind::numeric),
                                           pgt::make_type(pgt::type_kind::bpchar), {pgt::type_kind::other, "public.mood"}};
    CHECK(pgt::lower::row_id_call({}, values, types) ==
          "pgtrickle.pg_trickle_row_id_of(CAST(a AS pg_catalog.int4), CAST(b AS pg_catalog.text), CAST(c AS pg_catalog.text), "
          "CAST(pg_catalog.trim_scale(d) AS pg_catalog.text), CAST(e AS pg_catalog.text), CAST(f AS pg_catalog.text))");
}

TEST_CASE("lower: storage made before the infinity counts is among the earlier layouts", "[lower]") {
    // (sum(amount / 3) takes any scale: a running sum with its scales encoded, which storage
    // made before those counts recomputes; numeric(12,2)'s sum knows its scale.)
    for (const char* query : {"SELECT status, sum(amount / 3) AS s FROM orders GROUP BY status",
                              "SELECT status, sum(amount) AS s, avg(amount) AS a FROM orders GROUP BY status"}) {
        INFO(query);
        const auto graph = circuit_of(query);
        std::vector<std::string> before;
        bool counted = false;
        for (const auto& col : pgt::lower::storage_layout(graph).columns) {
            const bool infinity = col.name.ends_with("_pinf") || col.name.ends_with("_ninf") || col.name.ends_with("_finite");
            counted = counted || infinity;
            if (!infinity) before.push_back(col.name);
        }
        REQUIRE(counted);
        const auto earlier = pgt::lower::earlier_storage_layouts(graph);
        CHECK(std::ranges::any_of(earlier, [&](const pgt::lower::layout& lay) {
            std::vector<std::string> names;
            for (const auto& col : lay.columns) names.push_back(col.name);
            return names == before;
        }));
    }
}

TEST_CASE("circuit: a subquery evaluated per distinct outer value is lifted, one pulled up is not", "[lower]") {
    // (Where one is, a full load runs the query as written unless PostgreSQL prices that far
    // above the circuit's load: loads_as_written in the extension.)
    for (const char* query : {"SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND "
                              "o.amount > (SELECT avg(amount) FROM orders))",
                              "SELECT c.id, (SELECT count(DISTINCT o.amount) FROM orders o WHERE o.customer_id = c.id GROUP BY o.status "
                              "ORDER BY 1 LIMIT 1) AS n FROM customers c",
                              "SELECT c.id, (SELECT sum(o.amount) FROM orders o WHERE o.customer_id = c.id) AS total FROM customers c"}) {
        INFO(query);
        CHECK(pgt::lifts_subquery(circuit_of(query)));
    }
    // (A subquery of rows whose outer references stand in its WHERE only is pulled up.)
    for (const char* query : {"SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
                              "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id",
                              "SELECT a.id, b.id AS other FROM orders a JOIN orders b ON b.customer_id = a.customer_id",
                              "SELECT id, (SELECT max(amount) FROM orders) AS top FROM customers"}) {
        INFO(query);
        CHECK_FALSE(pgt::lifts_subquery(circuit_of(query)));
    }
}
