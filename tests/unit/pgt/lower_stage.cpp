// lower::options::stage_table: a bag's delta as two statements, the net change computed into a
// stage table and applied from it, for Citus, which refuses the bag's delete by ctid in a
// statement that also reads its tables. Other stream tables keep one statement.
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

pgt::lower::refresh_plan staged(const pgt::circuit& graph) {
    pgt::lower::options opts;
    opts.stage_table = "pg_temp.\"stage\"";
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", opts);
}

} // namespace

TEST_CASE("lower: a bag's delta computed into a stage table, then applied from it alone", "[lower]") {
    SECTION("a bag") {
        const auto plan = staged(circuit_of("SELECT customer_id, amount FROM orders WHERE amount > 5 UNION ALL SELECT id, 0 FROM customers"));
        INFO(plan.stage_fill);
        INFO(plan.statement);
        CHECK(plan.stage_fill.find("INSERT INTO pg_temp.\"stage\" SELECT * FROM \"__pgt_delta\"") != std::string::npos);
        CHECK(plan.stage_fill.find("\"changes\".\"orders\"") != std::string::npos);
        CHECK(plan.stage_fill.find("DELETE") == std::string::npos);
        CHECK(plan.stage_select.find("SELECT * FROM \"__pgt_delta\"") != std::string::npos);
        CHECK(plan.stage_select.find("INSERT") == std::string::npos);
        // The apply reads the stage and the stream table, nothing else.
        CHECK(plan.statement.find("\"changes\"") == std::string::npos);
        CHECK(plan.statement.find("SELECT * FROM pg_temp.\"stage\"") != std::string::npos);
        CHECK(plan.statement.find("\"ctid\"") != std::string::npos);
        CHECK(plan.counted);
    }
    SECTION("not an aggregate, a keyed table or a DISTINCT") {
        for (const char* query : {"SELECT status, count(*) AS n FROM orders GROUP BY status", "SELECT id, amount FROM orders WHERE amount > 5",
                                  "SELECT DISTINCT status FROM orders"}) {
            INFO(query);
            const auto plan = staged(circuit_of(query));
            CHECK(plan.stage_fill.empty());
            CHECK(plan.statement.find("\"changes\".\"orders\"") != std::string::npos);
        }
    }
}
