// lower::options::few_changes: a refresh's plan for a change of a few dozen records reads the
// stored state of the groups it touches by their row ids (an index probe each), which the
// planner, seeing a storage of a few thousand rows, would otherwise scan whole; a plan for
// larger changes lets the planner join the storage as it sees fit.
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

std::string delta_of(const pgt::circuit& graph, bool few_changes) {
    pgt::lower::options opts;
    for (const auto& s : pgt::lower::aggregate_states(graph)) opts.aggregate_states[s.node] = "\"state_n" + std::to_string(s.node) + "\"";
    opts.few_changes = few_changes;
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", opts).statement;
}

/// The stored state of `table` is read only where its row id is one of an array's.
bool read_by_row_id(const std::string& sql, const std::string& table) {
    return sql.find("FROM " + table + " t WHERE t.\"__pgt_row_id\" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT ") != std::string::npos;
}

} // namespace

TEST_CASE("lower: a delta for a few changes reads the touched groups' stored state by row id", "[lower]") {
    SECTION("an aggregate stream table") {
        const auto graph = circuit_of("SELECT status, count(*) AS n, sum(amount) AS s FROM orders GROUP BY status");
        const std::string few = delta_of(graph, true);
        INFO(few);
        CHECK(read_by_row_id(few, "\"st\""));
        const std::string many = delta_of(graph, false);
        INFO(many);
        CHECK_FALSE(read_by_row_id(many, "\"st\""));
    }
    SECTION("an aggregate below a join, its state in a table of its own") {
        const auto graph = circuit_of("SELECT c.name, a.n FROM customers c JOIN (SELECT customer_id, count(*) AS n FROM orders "
                                      "GROUP BY customer_id) a ON a.customer_id = c.id");
        const auto states = pgt::lower::aggregate_states(graph);
        REQUIRE(states.size() == 1);
        const std::string state = "\"state_n" + std::to_string(states.front().node) + "\"";
        CHECK(read_by_row_id(delta_of(graph, true), state));
        CHECK_FALSE(read_by_row_id(delta_of(graph, false), state));
    }
    SECTION("but not a state whose groups are matched on their never-NULL keys, whose row ids equal keys need not share") {
        const auto graph = circuit_of("SELECT a.name, a.n FROM customers k JOIN (SELECT name, count(*) AS n FROM customers "
                                      "GROUP BY name) a ON a.name = k.name");
        const auto states = pgt::lower::aggregate_states(graph);
        REQUIRE(states.size() == 1);
        const std::string few = delta_of(graph, true);
        INFO(few);
        CHECK_FALSE(read_by_row_id(few, "\"state_n" + std::to_string(states.front().node) + "\""));
        CHECK(few.find("t.\"name\" OPERATOR(pg_catalog.=) ") != std::string::npos);
    }
}

TEST_CASE("lower: a distributed storage's delta reads and writes stored rows of the listed shard values alone", "[lower]") {
    for (const char* sql : {"SELECT customer_id, count(*) AS n, sum(amount) AS s FROM orders GROUP BY customer_id",
                            "SELECT id, customer_id, amount FROM orders WHERE amount > 10"}) {
        const auto graph = circuit_of(sql);
        pgt::lower::options opts;
        opts.distribution_column = "customer_id";
        std::vector<pgt::lower::source_changes> changes;
        for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
        const auto everywhere = pgt::lower::delta_sql(graph, changes, "\"st\"", opts);
        const std::string& all = everywhere.statement;
        opts.shard_values_param = 7;
        const auto listed = pgt::lower::delta_sql(graph, changes, "\"st\"", opts);
        const std::string& pruned = listed.statement;
        INFO(pruned);
        const std::string among = "((t.\"customer_id\" OPERATOR(pg_catalog.=) ANY ($7)) OR ($7 IS NULL))";
        CHECK(all.find("$7") == std::string::npos);
        // The DELETE, the UPDATE, and an aggregate's read of its touched groups.
        std::size_t n = 0;
        for (auto at = pruned.find(among); at != std::string::npos; at = pruned.find(among, at + 1)) ++n;
        CHECK(n == (std::string(sql).find("GROUP BY") != std::string::npos ? 3U : 2U));
        // New rows are found on the same shards, and inserted by a statement of their own: Citus
        // routes no INSERT CTE with the others.
        CHECK(pruned.find("((s.\"customer_id\" OPERATOR(pg_catalog.=) ANY ($7)) OR ($7 IS NULL))") != std::string::npos);
        CHECK(pruned.find("INSERT") == std::string::npos);
        CHECK(pruned.find("UPDATE \"st\" t SET") != std::string::npos);
        CHECK(listed.insert_rows.starts_with("INSERT INTO \"st\""));
        CHECK(listed.insert_rows_params == static_cast<int>(pgt::lower::storage_layout(graph, opts).columns.size()));
        CHECK(listed.insert_rows.find("$" + std::to_string(listed.insert_rows_params)) != std::string::npos);
        // Without the values: one upsert, run by Citus on every shard.
        CHECK(all.find("ON CONFLICT") != std::string::npos);
        CHECK(everywhere.insert_rows.empty());
    }
}
