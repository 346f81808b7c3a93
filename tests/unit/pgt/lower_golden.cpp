// Golden files pin the exact SQL lowering produces (full load and one refresh) for a few
// representative queries. PGT_UPDATE_GOLDEN=1 rewrites them; review the diff before committing.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::golden_dir;
using pgt_test::read_file;

/// With `stored`, aggregates below the top keep state tables, as in the extension.
std::string lowered(const std::string& query, bool stored) {
    auto catalog = pgt::offline::load_schema(read_file(golden_dir + "schema.sql"));
    auto compiled = pgt::offline::compile(query, *catalog);
    REQUIRE(compiled.query);
    const auto graph = pgt::build_circuit(*compiled.query);
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    std::string out = "-- " + query + "\n-- full load\n" + pgt::lower::full_load_sql(graph) + ";\n";
    pgt::lower::options opts;
    if (stored)
        for (const auto& s : pgt::lower::aggregate_states(graph)) {
            const std::string table = "\"state_n" + std::to_string(s.node) + "\"";
            opts.aggregate_states[s.node] = table;
            out += "-- state table " + table + "\n" + s.select + ";\n";
        }
    return out + "-- refresh\n" + pgt::lower::delta_sql(graph, changes, "\"st\"", opts).statement + ";\n";
}

void check_golden(const std::string& name, const std::string& query, bool stored = false) {
    const std::string path = golden_dir + name + ".sql";
    const std::string actual = lowered(query, stored);
    if (std::getenv("PGT_UPDATE_GOLDEN")) {
        std::ofstream(path) << actual;
        return;
    }
    const std::string expected = read_file(path);
    INFO("golden file " << path << " (PGT_UPDATE_GOLDEN=1 regenerates it)");
    CHECK(actual == expected);
}

} // namespace

TEST_CASE("golden: filter and projection over a keyed table", "[golden]") {
    check_golden("keyed_filter", "SELECT id, amount * 2 AS doubled FROM orders WHERE status = 'paid'");
}

TEST_CASE("golden: grouped aggregate with AVG, MIN and HAVING", "[golden]") {
    check_golden("aggregate", "SELECT status, count(*) AS n, avg(amount) AS a, min(amount) AS lo FROM orders "
                              "GROUP BY status HAVING count(*) > 1");
}

TEST_CASE("golden: aggregates of computed arguments, one under FILTER", "[golden]") {
    // The change summary computes amount * 2 and amount - 1 once a row, in a subquery beside
    // the change; the argument under FILTER stays where the FILTER guards it.
    check_golden("computed_arguments", "SELECT status, sum(amount * 2) AS doubled, avg(amount - 1) AS less, "
                                       "sum(amount * 2) FILTER (WHERE customer_id > 0) AS known FROM orders GROUP BY status");
}

TEST_CASE("golden: left join", "[golden]") {
    check_golden("left_join", "SELECT c.name, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id");
}

TEST_CASE("golden: distinct over a keyless table", "[golden]") {
    check_golden("distinct", "SELECT DISTINCT kind FROM events");
}

TEST_CASE("golden: union all of keyed and keyless", "[golden]") {
    check_golden("union_all", "SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM events");
}

TEST_CASE("golden: aggregate over an aggregate", "[golden]") {
    check_golden("nested_aggregate",
                 "SELECT n, count(*) AS c FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) s "
                 "GROUP BY n");
}

TEST_CASE("golden: aggregate over an aggregate whose groups are stored", "[golden]") {
    check_golden("nested_aggregate_stored",
                 "SELECT n, count(*) AS c FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) s "
                 "GROUP BY n",
                 true);
}

TEST_CASE("golden: WITH RECURSIVE paths of a tree (UNION ALL, counted) and reachability (UNION)", "[golden]") {
    check_golden("recursive_tree",
                 "WITH RECURSIVE tree AS (SELECT id, name, parent_id, name AS path, 0 AS depth FROM departments WHERE "
                 "parent_id IS NULL UNION ALL SELECT d.id, d.name, d.parent_id, tree.path || ' > ' || d.name, tree.depth + 1 "
                 "FROM departments d JOIN tree ON d.parent_id = tree.id) SELECT id, path, depth FROM tree",
                 true);
    check_golden("recursive_reach",
                 "WITH RECURSIVE up(id, ancestor) AS (SELECT id, parent_id FROM departments UNION SELECT up.id, d.parent_id "
                 "FROM up JOIN departments d ON d.id = up.ancestor) SELECT id, ancestor FROM up WHERE ancestor IS NOT NULL",
                 true);
}

namespace {

pgt::circuit circuit_of(const std::string& query) {
    auto catalog = pgt::offline::load_schema(read_file(golden_dir + "schema.sql"));
    auto compiled = pgt::offline::compile(query, *catalog);
    REQUIRE(compiled.query);
    return pgt::build_circuit(*compiled.query);
}

} // namespace

TEST_CASE("golden: one changed row merged into an aggregate without GROUP BY (IMMEDIATE)", "[golden]") {
    const std::string query = "SELECT upper(status) AS s, count(*) AS n, sum(amount) AS total, max(amount) AS top FROM orders "
                              "WHERE amount > 0 GROUP BY upper(status)";
    const auto graph = circuit_of(query);
    REQUIRE(pgt::lower::single_row_maintainable(graph, 0));
    pgt::lower::options opts;
    opts.merge = true;
    const std::string inserted = "(SELECT $1 AS id, $2 AS customer_id, $3 AS amount, $4 AS status, 1::pg_catalog.int8 AS __pgt_w)";
    const auto plan = pgt::lower::delta_sql(graph, {{inserted, true, true, 1}}, "\"st\"", opts);
    REQUIRE_FALSE(plan.update_first.empty());
    CHECK(plan.statement.find("GROUP BY") == std::string::npos);
    // A row whose weight only its __pgt_w tells (a product instead of the row's value).
    const auto weighted = pgt::lower::delta_sql(
        graph, {{"(SELECT $1 AS id, $2 AS customer_id, $3 AS amount, $4 AS status, $5 AS __pgt_w)", true, true}}, "\"st\"", opts);
    const std::string pair = pgt::lower::single_row_pair_update(
        graph, 0, "(SELECT $1 AS id, $2 AS customer_id, $3 AS amount, $4 AS status, -1::pg_catalog.int8 AS __pgt_w)",
        "(SELECT $5 AS id, $6 AS customer_id, $7 AS amount, $8 AS status, 1::pg_catalog.int8 AS __pgt_w)", "\"st\"", opts);
    const std::string actual = "-- " + query + "\n-- an inserted row: update of a stored group that stays\n" + plan.update_first +
                               ";\n-- otherwise\n" + plan.statement + ";\n-- a row of unknown weight: update\n" +
                               weighted.update_first + ";\n-- a row updated within its group\n" + pair + ";\n";
    const std::string path = golden_dir + "single_row_aggregate.sql";
    if (std::getenv("PGT_UPDATE_GOLDEN")) std::ofstream(path) << actual;
    else CHECK(actual == read_file(path));
}

TEST_CASE("lower: which stream tables absorb a change one row at a time", "[golden]") {
    CHECK(pgt::lower::single_row_maintainable(circuit_of("SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id"), 0));
    CHECK(pgt::lower::single_row_maintainable(circuit_of("SELECT count(*) AS n, min(amount) AS m FROM orders"), 0));
    // HAVING recomputes the groups it hides from the sources; a join multiplies a row; not a GROUP BY.
    CHECK_FALSE(pgt::lower::single_row_maintainable(
        circuit_of("SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id HAVING count(*) > 1"), 0));
    const auto joined = circuit_of("SELECT c.name, count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.name");
    CHECK_FALSE(pgt::lower::single_row_maintainable(joined, 0));
    CHECK_FALSE(pgt::lower::single_row_maintainable(joined, 1));
    // Rows of one table through filters and projections: as rows, or counted under DISTINCT.
    CHECK(pgt::lower::single_row_maintainable(circuit_of("SELECT id, amount * 2 AS a FROM orders WHERE amount > 0"), 0));
    CHECK(pgt::lower::single_row_maintainable(circuit_of("SELECT kind FROM events WHERE customer_id > 1"), 0));
    CHECK(pgt::lower::single_row_maintainable(circuit_of("SELECT DISTINCT status FROM orders"), 0));
    CHECK_FALSE(pgt::lower::single_row_maintainable(
        circuit_of("SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id"), 0));
    CHECK_FALSE(pgt::lower::single_row_maintainable(circuit_of("SELECT id FROM orders ORDER BY amount LIMIT 3"), 0));
}
