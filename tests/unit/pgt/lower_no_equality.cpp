// A correlated subquery reading an outer value of a type without equality (json, point) is run
// once per distinct value D, and D's aggregates group by it: GROUP BY, DISTINCT and `=` would
// need the type's equality, so its copies are grouped and matched by their images instead (an
// INTERSECT or EXCEPT of such rows counts them), and its stored groups are not indexed on it.
// (The regress suite issue_25 keeps such stream tables exact through writes.)
#include <catch2/catch.hpp>

#include <regex>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

namespace {

const char* schema = "CREATE TABLE a (id int PRIMARY KEY, j json);\n"
                     "CREATE TABLE b (id int PRIMARY KEY, j json, v int);\n";

pgt::circuit circuit_of(const std::string& query) {
    auto catalog = pgt::offline::load_schema(schema);
    auto compiled = pgt::offline::compile(query, *catalog);
    INFO(query);
    REQUIRE(compiled.query);
    return pgt::build_circuit(*compiled.query);
}

/// Every statement maintenance runs: the full load, the state tables' loads and the delta.
std::vector<std::string> statements(const pgt::circuit& graph, std::vector<std::string>& state_keys) {
    std::vector<std::string> out{pgt::lower::full_load_sql(graph)};
    pgt::lower::options opts;
    for (const auto& s : pgt::lower::aggregate_states(graph)) {
        out.push_back(s.select);
        for (const auto& k : s.key_columns) state_keys.push_back(k);
        opts.aggregate_states.emplace(s.node, "\"state_n" + std::to_string(s.node) + "\"");
    }
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    out.push_back(pgt::lower::delta_sql(graph, changes, "\"st\"", opts).statement);
    return out;
}

} // namespace

TEST_CASE("lower: a subquery's json outer value is grouped and matched by its image", "[lower]") {
    for (const char* query : {"SELECT a.id, (SELECT sum(b.v) FROM b WHERE b.j::text = a.j::text) AS s FROM a",
                              "SELECT a.id, (SELECT max(b.v) FROM b WHERE b.j::text = a.j::text) AS s FROM a",
                              "SELECT a.id, (SELECT count(DISTINCT b.v) FROM b WHERE b.j::text = a.j::text) AS s FROM a",
                              "SELECT a.id FROM a WHERE EXISTS (SELECT b.v FROM b WHERE b.j::text = a.j::text "
                              "INTERSECT SELECT b.v FROM b WHERE b.v > 5)"}) {
        INFO(query);
        std::vector<std::string> state_keys;
        const auto all = statements(circuit_of(query), state_keys);
        CHECK(state_keys.empty());
        // D's column is "__outer0": grouped, selected as distinct or compared only by its text.
        const std::regex by_value(R"((GROUP BY|DISTINCT) [a-z]+\."__outer0"( |,|\)|$))"),
            equal_values(R"([a-z]+\."__outer0" (=|OPERATOR\(pg_catalog\.=\)) [a-z]+\."__outer0")");
        for (const auto& sql : all) {
            INFO(sql);
            CHECK_FALSE(std::regex_search(sql, by_value));
            CHECK_FALSE(std::regex_search(sql, equal_values));
            // (A set operation's rows are counted per image in each input instead.)
            CHECK(sql.find("INTERSECT SELECT") == std::string::npos);
            CHECK(sql.find("CAST(s.\"__outer0\" AS pg_catalog.text)") != std::string::npos);
        }
    }
}
