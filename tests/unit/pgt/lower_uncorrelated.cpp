// lower::options::uncorrelated_rescans: what a delta over Citus sources reads from a source's
// current rows, it reads by a grouped pass joined back, not by a subquery per changed row, which
// Citus does not run over a distributed table. (The live property cases run half their deltas
// so, against PostgreSQL's own answers.)
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

std::string delta_of(const std::string& query, bool uncorrelated) {
    const auto graph = circuit_of(query);
    pgt::lower::options opts;
    opts.uncorrelated_rescans = uncorrelated;
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", opts).statement;
}

/// The body of the join's CTE in `sql` (the apply after it probes the stream table, a local one).
std::string join_cte(const std::string& sql) {
    const auto start = sql.find("_join\" AS (");
    if (start == std::string::npos) return {};
    return sql.substr(start, sql.find("\n),", start) - start);
}

} // namespace

TEST_CASE("lower: over Citus, INTERSECT and EXCEPT count a changed row's copies by a grouped pass", "[lower]") {
    for (const char* query : {"SELECT customer_id FROM orders EXCEPT SELECT id FROM customers",
                              "SELECT customer_id, status FROM orders INTERSECT ALL SELECT id, name FROM customers"}) {
        INFO(query);
        const std::string per_row = delta_of(query, false), grouped = delta_of(query, true);
        INFO(grouped);
        const std::string count_subquery = "(SELECT pg_catalog.count(*) FROM (";
        CHECK(per_row.find(count_subquery) != std::string::npos);
        CHECK(grouped.find(count_subquery) == std::string::npos);
        CHECK(grouped.find("pg_catalog.count(*) AS \"__pgt_n\"") != std::string::npos);
        CHECK(grouped.find(" LEFT JOIN ") != std::string::npos);
    }
}

TEST_CASE("lower: over Citus, an outer join counts a preserved row's matches by a join grouped back", "[lower]") {
    for (const char* query : {"SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id",
                              "SELECT o.id, c.name FROM orders o FULL JOIN customers c ON c.id = o.customer_id",
                              "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND c.name > o.status"}) {
        INFO(query);
        const std::string per_row = join_cte(delta_of(query, false)), grouped = join_cte(delta_of(query, true));
        INFO(grouped);
        CHECK(per_row.find("EXISTS (SELECT 1 FROM ") != std::string::npos);
        CHECK(grouped.find("EXISTS (SELECT 1 FROM ") == std::string::npos);
        CHECK(grouped.find("pg_catalog.count(o.\"__pgt_one\") AS \"__pgt_n\"") != std::string::npos);
        // The other side read for the values the counted rows equate it with (Citus would bring
        // all of it to the coordinator for the join).
        CHECK(per_row.find("ANY (ARRAY(SELECT ") == std::string::npos);
        CHECK(grouped.find("ANY (ARRAY(SELECT ") != std::string::npos);
    }
}

TEST_CASE("lower: over Citus, EXISTS counts a row's matches by a join grouped back", "[lower]") {
    // (The apply's probe of the stream table itself, a local table, stays.)
    auto probes = [](const std::string& sql) {
        int n = 0;
        for (auto at = sql.find("EXISTS (SELECT 1 FROM "); at != std::string::npos; at = sql.find("EXISTS (SELECT 1 FROM ", at + 1))
            if (sql.compare(at + 22, 4, "\"st\"") != 0) ++n;
        return n;
    };
    for (const char* query : {"SELECT c.id, c.name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
                              "SELECT c.id, c.name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 5)"}) {
        INFO(query);
        const std::string per_row = delta_of(query, false), grouped = delta_of(query, true);
        INFO(grouped);
        CHECK(probes(per_row) > 0);
        CHECK(probes(grouped) == 0);
        CHECK(grouped.find("pg_catalog.count(r.\"__pgt_one\") AS \"__pgt_n\"") != std::string::npos);
    }
}

TEST_CASE("lower: over Citus, rows counted by a grouped pass keep values that print apart apart", "[lower]") {
    // (1.0 and 1.00 are equal, and a change from one to the other is a change: the counted rows
    // are grouped by scale too, as consolidation groups them.)
    for (const char* query : {"SELECT x.k, x.v, c.name FROM (SELECT customer_id AS k, amount / 3 AS v FROM orders) x LEFT JOIN customers c ON c.id = x.k",
                              "SELECT x.k, x.v FROM (SELECT customer_id AS k, amount / 3 AS v FROM orders) x WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = x.k)"}) {
        INFO(query);
        const std::string grouped = delta_of(query, true);
        INFO(grouped);
        CHECK(grouped.find("GROUP BY x.\"k\", x.\"v\", pg_catalog.scale(x.\"v\")") != std::string::npos);
    }
}

TEST_CASE("lower: EXISTS groups the change's matches per touched row once, but over Citus", "[lower]") {
    // Inlined, the grouped matches were joined to the touched rows (whose count the planner
    // does not know) by a nested loop that grouped them again for each row: TPC-H q22's delta
    // at SF 1 spent 80 of its 130 ms there. Citus plans a MATERIALIZED CTE as a subplan.
    for (const char* query : {"SELECT c.id, c.name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
                              "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 5)"}) {
        INFO(query);
        const std::string local = delta_of(query, false), citus = delta_of(query, true);
        INFO(local);
        CHECK(local.find("_matches\" AS MATERIALIZED (") != std::string::npos);
        CHECK(citus.find("_matches\" AS (") != std::string::npos);
        CHECK(citus.find("AS MATERIALIZED") == std::string::npos);
    }
}
