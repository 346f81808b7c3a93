// Incremental join step: a 1,000-row delta against 1,000,000-row sides.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <tuple>

#include "dbsp/operator/index.hpp"
#include "dbsp/operator/join.hpp"
#include "dbsp_workload.hpp"

namespace {

using namespace dbsp_bench;

// a(id, x) ⋈ b(id, y) on id: one row per id on each side, so each delta row meets one row.
auto& join_circuit() {
    static update_workload a{1'000'000, 1'000, 1'000'000, 1};
    static update_workload b{1'000'000, 1'000, 1'000'000, 2};
    static auto loaded = load(
        [](const dbsp::stream<rows>& sa, const dbsp::stream<rows>& sb) {
            auto by_id = [](const auto& s) {
                return dbsp::index_by(s, [](const row& r) { return r.first; },
                                      [](const row& r) { return r.second; });
            };
            return dbsp::join(by_id(sa), by_id(sb), [](std::int64_t id, std::int64_t x,
                                                       std::int64_t y) {
                return std::tuple{id, x, y};
            });
        },
        std::array{&a, &b});
    return loaded;
}

// The delta goes to `a` only, or to both sides (2,000 rows in all).
void join_step(benchmark::State& state) {
    auto& j = join_circuit();
    const bool both = state.range(0) == 2;
    for (auto _ : state) j.step({true, both});
}
BENCHMARK(join_step)
    ->ArgName("sides")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly();

} // namespace
