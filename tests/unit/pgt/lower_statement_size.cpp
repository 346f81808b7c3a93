// lower::options::max_statement_bytes: lowering stops with statement_too_large as soon as the
// statement passes the limit (a query of deeply nested subqueries, each repeating its input's
// SQL, would otherwise take minutes and gigabytes to build one that AUTO then refuses), and
// builds the same statement as without a limit when it stays under it.
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

TEST_CASE("lower: a statement past max_statement_bytes stops the lowering", "[lower]") {
    auto catalog = pgt::offline::load_schema(pgt_test::read_file(pgt_test::golden_dir + "schema.sql"));
    for (const char* query : {"SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id",
                              "SELECT o.id FROM orders o WHERE o.amount > (SELECT avg(p.amount) FROM orders p WHERE p.customer_id = "
                              "o.customer_id AND p.id IN (SELECT q.id FROM orders q WHERE q.status = o.status))"}) {
        INFO(query);
        auto compiled = pgt::offline::compile(query, *catalog);
        REQUIRE(compiled.query);
        const auto graph = pgt::build_circuit(*compiled.query);
        const std::vector<pgt::lower::source_changes> changes(graph.sources.size(), {"changes", true});
        const std::string unlimited = pgt::lower::delta_sql(graph, changes, "st").statement;
        pgt::lower::options opts;
        opts.max_statement_bytes = unlimited.size() / 2;
        CHECK_THROWS_AS(pgt::lower::delta_sql(graph, changes, "st", opts), pgt::lower::statement_too_large);
        opts.max_statement_bytes = unlimited.size() * 2;
        CHECK(pgt::lower::delta_sql(graph, changes, "st", opts).statement == unlimited);
    }
}

TEST_CASE("lower: a full load or a state table's load past max_statement_bytes stops the lowering too", "[lower]") {
    // Each correlated subquery is lifted over the rows below it, which its own input reads too:
    // spelled out in full, the load doubles at each of them (2^40 times the table's SQL here),
    // and so do the loads of the subqueries' counts, each kept in a state table.
    auto catalog = pgt::offline::load_schema(pgt_test::read_file(pgt_test::golden_dir + "schema.sql"));
    std::string query = "SELECT o.id";
    for (int i = 0; i < 40; ++i)
        query += ", (SELECT count(*) FROM customers c WHERE c.id = o.customer_id AND c.id > " + std::to_string(i) + ") AS n" + std::to_string(i);
    auto compiled = pgt::offline::compile(query + " FROM orders o", *catalog);
    REQUIRE(compiled.query);
    const auto graph = pgt::build_circuit(*compiled.query);
    pgt::lower::options opts;
    opts.max_statement_bytes = 1 << 20;
    CHECK_THROWS_AS(pgt::lower::full_load_sql(graph, opts), pgt::lower::statement_too_large);
    CHECK_THROWS_AS(pgt::lower::aggregate_states(graph, opts), pgt::lower::statement_too_large);
}
