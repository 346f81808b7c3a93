// Incremental aggregation step: a 1,000-row delta into 1,000,000 rows in 100,000 groups.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <tuple>

#include "dbsp/operator/aggregate.hpp"
#include "dbsp/operator/index.hpp"
#include "dbsp_workload.hpp"

namespace {

using namespace dbsp_bench;

constexpr std::int64_t groups = 100'000;

auto by_group(const dbsp::stream<rows>& s) {
    return dbsp::index_by(s, [](const row& r) { return r.first % groups; },
                          [](const row& r) { return r.second; });
}

struct sum_count {
    std::int64_t sum = 0, count = 0;
    friend sum_count operator+(const sum_count& a, const sum_count& b) {
        return {a.sum + b.sum, a.count + b.count};
    }
    friend bool operator==(const sum_count&, const sum_count&) = default;
};

// SELECT g, SUM(value), COUNT(*) GROUP BY g, as a linear aggregate: O(|Δ|) state updates.
void linear_aggregate_step(benchmark::State& state) {
    static update_workload t{1'000'000, 1'000, 1'000'000, 3};
    static auto loaded = load(
        [](const dbsp::stream<rows>& s) {
            return dbsp::linear_aggregate(
                by_group(s),
                [](std::int64_t v, long long w) { return sum_count{v * w, w}; },
                [](std::int64_t g, const sum_count& a) { return std::tuple{g, a.sum, a.count}; });
        },
        std::array{&t});
    for (auto _ : state) loaded.step({true});
}
BENCHMARK(linear_aggregate_step)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly();

// The same query as a general aggregate, which rescans each touched group (10 rows here).
void aggregate_step(benchmark::State& state) {
    static update_workload t{1'000'000, 1'000, 1'000'000, 4};
    static auto loaded = load(
        [](const dbsp::stream<rows>& s) {
            auto rescan = [](std::int64_t g, const dbsp::zset<std::int64_t>& values) {
                sum_count a;
                for (const auto& [v, w] : values) a = a + sum_count{v * w, w};
                return std::tuple{g, a.sum, a.count};
            };
            return dbsp::aggregate(by_group(s), rescan);
        },
        std::array{&t});
    for (auto _ : state) loaded.step({true});
}
BENCHMARK(aggregate_step)->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly();

} // namespace
