#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "dbsp/operator/aggregate.hpp"
#include "drive.hpp"

using dbsp_test::by_key;
using dbsp_test::make_index;
using dbsp_test::pair_zset;
using ij = dbsp_test::int_index;

namespace {
// SUM(v) per key, written as a general aggregate...
auto sum_of = [](int k, const dbsp::zset<int>& g) {
    long long s = 0;
    for (const auto& [v, w] : g) s += v * w;
    return std::pair{k, static_cast<int>(s)};
};
// ...and as a linear one.
auto lift_sum = [](int v, long long w) { return v * w; };
auto finish = [](int k, long long s) { return std::pair{k, static_cast<int>(s)}; };
auto lift_count = [](int, long long w) { return w; };
} // namespace

TEST_CASE("aggregate: emits f(key, group) once per non-empty group", "[aggregate]") {
    const auto g = make_index({{1, 10, 1}, {1, 20, 2}, {2, 5, -1}});
    CHECK(dbsp::aggregate(g, sum_of) == pair_zset{{{1, 50}, 1}, {{2, -5}, 1}});
    CHECK(dbsp::aggregate(ij{}, sum_of).empty());
}

TEST_CASE("aggregate: groups with equal results add up", "[aggregate]") {
    const auto g = make_index({{1, 10, 1}, {2, 5, -1}});
    auto any = [](int, const dbsp::zset<int>&) { return 0; };
    CHECK(dbsp::aggregate(g, any) == dbsp_test::izset{{0, 2}});
}

TEST_CASE("aggregate: the incremental form retracts the old result and emits the new",
          "[aggregate]") {
    const std::vector<pair_zset> in{
        {{{1, 10}, 1}}, {{{1, 20}, 1}, {{2, 5}, 1}}, {{{1, 10}, -1}, {{1, 20}, -1}}, {}};
    auto out = dbsp_test::run([](auto s) { return dbsp::aggregate(by_key(s), sum_of); }, in);
    CHECK(out ==
          std::vector<pair_zset>{
              {{{1, 10}, 1}}, {{{1, 10}, -1}, {{1, 30}, 1}, {{2, 5}, 1}}, {{{1, 30}, -1}}, {}});
}

TEST_CASE("aggregate: stream_aggregate aggregates each tick's value only", "[aggregate]") {
    const std::vector<pair_zset> in{
        {{{1, 10}, 1}}, {{{1, 20}, 1}, {{2, 5}, 1}}, {{{1, 10}, -1}, {{1, 20}, -1}}};
    auto out = dbsp_test::run([](auto s) { return dbsp::stream_aggregate(by_key(s), sum_of); }, in);
    CHECK(out ==
          std::vector<pair_zset>{{{{1, 10}, 1}}, {{{1, 20}, 1}, {{2, 5}, 1}}, {{{1, -30}, 1}}});
}

TEST_CASE("aggregate: linear_aggregate folds lift(value, weight) per key", "[aggregate]") {
    const auto g = make_index({{1, 10, 1}, {1, 20, 2}, {2, 5, -1}});
    CHECK(dbsp::linear_aggregate(g, lift_sum, finish) == pair_zset{{{1, 50}, 1}, {{2, -5}, 1}});
    CHECK(dbsp::linear_aggregate(g, lift_count, finish) == pair_zset{{{1, 3}, 1}, {{2, -1}, 1}});
}

TEST_CASE("aggregate: linear_aggregate skips keys whose total weight is zero", "[aggregate]") {
    const auto g = make_index({{3, 7, 1}, {3, 8, -1}, {4, 1, 1}});
    CHECK(dbsp::linear_aggregate(g, lift_sum, finish) == pair_zset{{{4, 1}, 1}});
}

TEST_CASE("aggregate: the incremental linear form updates state from the change alone",
          "[aggregate]") {
    const std::vector<pair_zset> in{{{{1, 10}, 1}}, {{{1, 20}, 2}, {{2, 5}, 1}}, {{{2, 5}, -1}}};
    auto out = dbsp_test::run(
        [](auto s) { return dbsp::linear_aggregate(by_key(s), lift_sum, finish); }, in);
    CHECK(out == std::vector<pair_zset>{
                     {{{1, 10}, 1}}, {{{1, 10}, -1}, {{1, 50}, 1}, {{2, 5}, 1}}, {{{2, 5}, -1}}});
}

TEST_CASE("aggregate: the incremental linear form keeps the state of a zero-count key",
          "[aggregate]") {
    // Key 3 reaches count 0 with sum 7 - 8 = -1: it emits nothing, but its state must
    // survive, so that adding 9 gives 8, not 9.
    const std::vector<pair_zset> in{{{{3, 7}, 1}, {{3, 8}, -1}}, {{{3, 9}, 1}}};
    auto out = dbsp_test::run(
        [](auto s) { return dbsp::linear_aggregate(by_key(s), lift_sum, finish); }, in);
    CHECK(out == std::vector<pair_zset>{{}, {{{3, 8}, 1}}});
}

TEST_CASE("aggregate: stream_linear_aggregate aggregates each tick's value only", "[aggregate]") {
    const std::vector<pair_zset> in{{{{1, 10}, 1}}, {{{1, 20}, 2}}};
    auto out = dbsp_test::run(
        [](auto s) { return dbsp::stream_linear_aggregate(by_key(s), lift_count, finish); }, in);
    CHECK(out == std::vector<pair_zset>{{{{1, 1}, 1}}, {{{1, 2}, 1}}});
}
