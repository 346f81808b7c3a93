// lower::options::data_exception_recomputes: a refresh, which recomputes the stream table when
// its delta raises a data exception, gets a delta that reads no source table for a group its
// stored state answers but in rare cases; IMMEDIATE maintenance, whose writes must not fail,
// keeps recomputing such groups from their rows.
#include <catch2/catch.hpp>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::circuit_of;

/// The delta of `graph` for a change of every source, with its aggregates' states stored.
std::string delta_of(const pgt::circuit& graph, bool recomputes, bool merge) {
    pgt::lower::options opts;
    for (const auto& s : pgt::lower::aggregate_states(graph)) opts.aggregate_states[s.node] = "\"state_n" + std::to_string(s.node) + "\"";
    opts.data_exception_recomputes = recomputes;
    opts.merge = merge;
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    return pgt::lower::delta_sql(graph, changes, "\"st\"", opts).statement;
}

bool reads_orders(const std::string& sql) { return sql.find("\"public\".\"orders\"") != std::string::npos; }

} // namespace

TEST_CASE("lower: a refresh's delta of a plain numeric's running sum reads no source, and IMMEDIATE's recomputes past the scale slots",
          "[lower]") {
    // (amount / 3 takes any scale: its inputs' scales are counted in slots, the last shared by
    // scales from 1000 up.)
    const auto graph = circuit_of("SELECT status, sum(amount / 3) AS s, avg(amount / 3) AS a FROM orders GROUP BY status");
    const std::string refresh = delta_of(graph, true, false);
    INFO(refresh);
    CHECK_FALSE(reads_orders(refresh));
    CHECK(refresh.find("pg_trickle: a running sum took an input of scale 1000 or more") != std::string::npos);
    for (const bool merge : {false, true}) {
        const std::string gated = delta_of(graph, false, merge);
        INFO(gated);
        CHECK(reads_orders(gated));
        CHECK(gated.find("pg_trickle: a running sum took") == std::string::npos);
    }
}
