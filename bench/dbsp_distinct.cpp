// Incremental distinct step: a 1,000-row delta against 1,000,000 rows.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "dbsp/operator/distinct.hpp"
#include "dbsp/operator/map.hpp"
#include "dbsp_workload.hpp"

namespace {

using namespace dbsp_bench;

// SELECT DISTINCT value: 1,000,000 rows over 500,000 possible values (most values occur
// once or twice, so deltas both add and remove values).
void distinct_step(benchmark::State& state) {
    static update_workload t{1'000'000, 1'000, 500'000, 5};
    static auto loaded = load(
        [](const dbsp::stream<rows>& s) {
            return dbsp::distinct(dbsp::map(s, [](const row& r) { return r.second; }));
        },
        std::array{&t});
    for (auto _ : state) loaded.step({true});
}
BENCHMARK(distinct_step)->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly();

} // namespace
