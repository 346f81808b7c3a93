// lower::options::stage_table: a delta as two statements for Citus, which runs each CTE of a
// statement reading its tables and writing a local one apart, and refuses a bag's delete by ctid
// there. A bag's net change, or an aggregate's change per touched group, is computed into a
// stage table, and the rest reads only the stage and the stream table. Others keep one statement.
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
        // (The CTEs within the INSERT's query: Citus plans that query as one.)
        CHECK(plan.stage_fill.starts_with("INSERT INTO pg_temp.\"stage\" WITH"));
        CHECK(plan.stage_fill.ends_with("SELECT * FROM \"__pgt_delta\""));
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
    SECTION("an aggregate: the change per touched group") {
        for (const char* query : {"SELECT status, count(*) AS n, sum(amount) AS s FROM orders GROUP BY status",
                                  "SELECT c.name, count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.name",
                                  "SELECT status, min(amount) AS m FROM orders GROUP BY status HAVING count(*) > 1"}) {
            INFO(query);
            const auto plan = staged(circuit_of(query));
            INFO(plan.stage_fill);
            INFO(plan.statement);
            CHECK(plan.stage_fill.starts_with("INSERT INTO pg_temp.\"stage\" WITH"));
            CHECK(plan.stage_fill.ends_with("SELECT * FROM \"changed_groups\""));
            CHECK(plan.stage_fill.find("\"st\"") == std::string::npos);
            CHECK(plan.stage_select.find("SELECT * FROM \"changed_groups\"") != std::string::npos);
            CHECK(plan.statement.find("\"changes\"") == std::string::npos);
            CHECK(plan.statement.find("\"changed_groups\" AS (\nSELECT * FROM pg_temp.\"stage\"") != std::string::npos);
            CHECK(plan.statement.find("\"st\"") != std::string::npos);
            CHECK(plan.counted);
        }
    }
    SECTION("not a keyed table or a DISTINCT") {
        for (const char* query : {"SELECT id, amount FROM orders WHERE amount > 5", "SELECT DISTINCT status FROM orders"}) {
            INFO(query);
            const auto plan = staged(circuit_of(query));
            CHECK(plan.stage_fill.empty());
            CHECK(plan.statement.find("\"changes\".\"orders\"") != std::string::npos);
        }
    }
}
