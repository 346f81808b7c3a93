// Z-set group operations: building, adding and consolidating batches of various sizes.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "dbsp/zset.hpp"

namespace {

using z = dbsp::zset<std::int64_t>;

// A Z-set of n distinct keys scattered over the int64 range.
z distinct_keys(std::int64_t n, std::int64_t offset = 0) {
    z r;
    r.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) r.add((i + offset) * 2654435761LL);
    return r;
}

// n single-row additions of distinct keys into an empty Z-set.
void zset_add(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        z r;
        for (std::int64_t i = 0; i < n; ++i) r.add(i * 2654435761LL, 1);
        benchmark::DoNotOptimize(r.size());
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(zset_add)->RangeMultiplier(10)->Range(1'000, 1'000'000)->Unit(benchmark::kMicrosecond);

// a + b, both of n keys; half of b's keys are new, a quarter cancel keys of a.
void zset_plus(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    const z a = distinct_keys(n);
    z b = distinct_keys(n / 2, n);
    for (std::int64_t i = 0; i < n / 4; ++i) b.add(i * 2654435761LL, -1);
    for (std::int64_t i = n / 4; i < n / 2; ++i) b.add(i * 2654435761LL, 1);
    for (auto _ : state) benchmark::DoNotOptimize((a + b).size());
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(zset_plus)->RangeMultiplier(10)->Range(1'000, 1'000'000)->Unit(benchmark::kMicrosecond);

// Consolidating a batch of n (key, weight) updates over n / 4 keys, where half the keys net
// to zero and disappear (what an input or an output handle does with pushed changes).
void zset_consolidate(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        z r;
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t key = i / 4;
            r.add(key * 2654435761LL, (key % 2 == 0 && i % 4 == 3) ? -3 : 1);
        }
        benchmark::DoNotOptimize(r.size());
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(zset_consolidate)
    ->RangeMultiplier(10)
    ->Range(1'000, 1'000'000)
    ->Unit(benchmark::kMicrosecond);

} // namespace
