#pragma once
/// \file
/// Benchmark workloads: large tables, rings of small update deltas that keep their size, and
/// circuits loaded with the tables once, outside any timing, then stepped with the deltas.

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/circuit/io.hpp"
#include "dbsp/zset.hpp"

namespace dbsp_bench {

using row = std::pair<std::int64_t, std::int64_t>; // (id, value)
using rows = dbsp::zset<row>;

/// A table of `size` rows `(id, value)`, ids `0 … size−1`, values in `[0, values)`, and a
/// ring of deltas of `delta_rows` rows each: `delta_rows / 2` random rows get a new value
/// (a deletion plus an insertion). The ring plays `laps` deltas forward, then their
/// negations backward, so it can cycle for ever with the table size constant: the state a
/// benchmark loads once stays valid however many iterations it runs.
class update_workload {
public:
    update_workload(std::size_t size, std::size_t delta_rows, std::int64_t values,
                    std::uint64_t seed, std::size_t laps = 32) {
        std::mt19937_64 rng(seed);
        std::uniform_int_distribution<std::int64_t> value(0, values - 1);
        std::uniform_int_distribution<std::size_t> id(0, size - 1);
        std::vector<std::int64_t> current(size);
        initial_.reserve(size);
        for (std::size_t i = 0; i < size; ++i) {
            current[i] = value(rng);
            initial_.add({static_cast<std::int64_t>(i), current[i]});
        }
        for (std::size_t lap = 0; lap < laps; ++lap) {
            rows d;
            d.reserve(delta_rows);
            while (d.size() + 2 <= delta_rows) {
                const std::size_t i = id(rng);
                const std::int64_t next = value(rng);
                if (next == current[i]) continue;
                d.add({static_cast<std::int64_t>(i), current[i]}, -1);
                d.add({static_cast<std::int64_t>(i), next}, 1);
                current[i] = next;
            }
            ring_.push_back(std::move(d));
        }
        for (std::size_t lap = laps; lap-- > 0;) ring_.push_back(-ring_[lap]);
    }

    const rows& initial() const { return initial_; }
    const rows& next_delta() {
        const rows& d = ring_[next_];
        next_ = (next_ + 1) % ring_.size();
        return d;
    }

private:
    rows initial_;
    std::vector<rows> ring_;
    std::size_t next_ = 0;
};

/// A circuit with one input per table, loaded with every table's initial rows.
template <class Out, std::size_t N>
struct loaded_circuit {
    dbsp::root_circuit circuit;
    std::array<dbsp::input_handle<row>, N> inputs;
    dbsp::stream<Out> out;
    std::array<update_workload*, N> tables;

    /// One timed step: the next delta of each table `i` with `changed[i]`, then `step()`.
    void step(const std::array<bool, N>& changed) {
        for (std::size_t i = 0; i < N; ++i)
            if (changed[i]) inputs[i].push(tables[i]->next_delta());
        circuit.step();
        // Through a pointer: Google Benchmark 1.8 deprecates DoNotOptimize of a const object.
        const auto* result = &out.value();
        benchmark::DoNotOptimize(result);
    }
};

/// Builds `query(input₀, …)` with one input per table and loads the tables, one step each.
template <class Query, std::size_t N>
auto load(Query query, std::array<update_workload*, N> tables) {
    auto [c, h] = dbsp::root_circuit::build([&](dbsp::circuit& c) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            std::array in{dbsp::add_input_zset<row>(c, "table" + std::to_string(I))...};
            return std::pair{std::array{in[I].second...}, query(in[I].first...)};
        }(std::make_index_sequence<N>{});
    });
    using out_type = typename decltype(h.second)::value_type;
    loaded_circuit<out_type, N> r{std::move(c), h.first, h.second, tables};
    for (std::size_t i = 0; i < N; ++i) {
        r.inputs[i].push(tables[i]->initial());
        r.circuit.step();
    }
    r.circuit.step(); // frees the loading tick's large transient values outside the timing
    return r;
}

} // namespace dbsp_bench
