#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "dbsp/operator/fixpoint.hpp"
#include "drive.hpp"

using dbsp_test::izset;
using dbsp_test::pair_zset;

namespace {
const auto extend = dbsp_test::extend_paths;
const auto step_from = dbsp_test::successors;
} // namespace

TEST_CASE("fixpoint: transitive closure of a chain", "[fixpoint]") {
    const pair_zset edges{{{1, 2}, 1}, {{2, 3}, 1}, {{3, 4}, 1}};
    CHECK(dbsp::fixpoint(edges, edges, extend) ==
          pair_zset{{{1, 2}, 1}, {{2, 3}, 1}, {{3, 4}, 1}, {{1, 3}, 1}, {{2, 4}, 1}, {{1, 4}, 1}});
}

TEST_CASE("fixpoint: transitive closure of a cycle terminates", "[fixpoint]") {
    const pair_zset edges{{{1, 2}, 1}, {{2, 1}, 1}};
    CHECK(dbsp::fixpoint(edges, edges, extend) ==
          pair_zset{{{1, 2}, 1}, {{2, 1}, 1}, {{1, 1}, 1}, {{2, 2}, 1}});
}

TEST_CASE("fixpoint: inputs are read as sets", "[fixpoint]") {
    // Weight 3 counts as present, weight -1 as absent; the result has weights one.
    const pair_zset edges{{{1, 2}, 3}, {{2, 3}, -1}};
    CHECK(dbsp::fixpoint(edges, edges, extend) == pair_zset{{{1, 2}, 1}});
}

TEST_CASE("fixpoint: base facts and parameters may differ in type", "[fixpoint]") {
    const pair_zset edges{{{1, 2}, 1}, {{2, 3}, 1}, {{4, 5}, 1}};
    CHECK(dbsp::fixpoint(izset{{1, 1}}, edges, step_from) == izset{{1, 1}, {2, 1}, {3, 1}});
}

TEST_CASE("fixpoint: the incremental form maintains a closure under inserts and deletes",
          "[fixpoint]") {
    const std::vector<pair_zset> edges{
        {{{1, 2}, 1}, {{2, 3}, 1}}, // a path 1 → 2 → 3
        {{{3, 4}, 1}},              // extended to 4
        {{{1, 3}, 1}},              // a second derivation of (1, 3)
        {{{2, 3}, -1}},             // (1, 3) and (1, 4) survive through the direct edge
        {{{1, 3}, -1}},             // now they go
        {{{1, 3}, 1}, {{3, 1}, 1}}, // a cycle
    };
    auto out = dbsp_test::run([](auto e) { return dbsp::fixpoint(e, e, extend); }, edges);
    CHECK(out ==
          std::vector<pair_zset>{
              {{{1, 2}, 1}, {{2, 3}, 1}, {{1, 3}, 1}},
              {{{3, 4}, 1}, {{2, 4}, 1}, {{1, 4}, 1}},
              {},
              {{{2, 3}, -1}, {{2, 4}, -1}},
              {{{1, 3}, -1}, {{1, 4}, -1}},
              {{{1, 3}, 1}, {{1, 4}, 1}, {{3, 1}, 1}, {{3, 2}, 1}, {{3, 3}, 1}, {{1, 1}, 1}}});
}

TEST_CASE("fixpoint: the incremental form with base facts and parameters apart", "[fixpoint]") {
    const std::vector<izset> sources{{{1, 1}}, {}, {{1, -1}, {4, 1}}};
    const std::vector<pair_zset> edges{{{{1, 2}, 1}}, {{{2, 3}, 1}, {{4, 5}, 1}}, {}};
    auto out = dbsp_test::run([](auto b, auto e) { return dbsp::fixpoint(b, e, step_from); },
                              sources, edges);
    CHECK(out == std::vector<izset>{
                     {{1, 1}, {2, 1}}, {{3, 1}}, {{1, -1}, {2, -1}, {3, -1}, {4, 1}, {5, 1}}});
}

TEST_CASE("fixpoint: stream_fixpoint iterates on each tick's values", "[fixpoint]") {
    const std::vector<pair_zset> edges{{{{1, 2}, 1}, {{2, 3}, 1}}, {{{3, 4}, 1}}};
    auto out = dbsp_test::run([](auto e) { return dbsp::stream_fixpoint(e, e, extend); }, edges);
    CHECK(out == std::vector<pair_zset>{{{{1, 2}, 1}, {{2, 3}, 1}, {{1, 3}, 1}}, {{{3, 4}, 1}}});
}
