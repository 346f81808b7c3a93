#pragma once
/// \file
/// Unit-test support: runs a stream operator on literal inputs, one Z-set per tick.

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/circuit/io.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/operator/index.hpp"
#include "dbsp/operator/join.hpp"
#include "dbsp/print.hpp"
#include "dbsp/zset.hpp"

namespace dbsp_test {

using izset = dbsp::zset<int>;
using pair_zset = dbsp::zset<std::pair<int, int>>;
using int_index = dbsp::indexed_zset<int, int>;

/// An indexed Z-set from literal `(key, value, weight)` rows.
inline int_index make_index(std::initializer_list<std::tuple<int, int, long long>> rows) {
    int_index r;
    for (const auto& [k, v, w] : rows) r.add(k, v, w);
    return r;
}

/// Indexes a stream of `(key, value)` pairs by key.
inline auto by_key(const dbsp::stream<pair_zset>& s) {
    return dbsp::index_by(
        s, [](const auto& p) { return p.first; }, [](const auto& p) { return p.second; });
}

/// The rule of transitive closure: paths `(a, b)` extended by edges `(b, c)`.
inline pair_zset extend_paths(const pair_zset& paths, const pair_zset& edges) {
    auto by_end = dbsp::index_by(
        paths, [](const auto& p) { return p.second; }, [](const auto& p) { return p.first; });
    auto by_start = dbsp::index_by(
        edges, [](const auto& e) { return e.first; }, [](const auto& e) { return e.second; });
    return dbsp::join(by_end, by_start, [](int, int a, int c) { return std::pair{a, c}; });
}

/// The rule of reachability: the successors of `nodes` through `edges`.
inline izset successors(const izset& nodes, const pair_zset& edges) {
    izset r;
    for (const auto& [e, w] : edges)
        if (nodes.contains(e.first)) r.add(e.second, w);
    return r;
}

/// Builds the circuit `op(in₁, …, inₙ)` with one input per sequence, feeds tick `t` the
/// `t`-th Z-set of every sequence (nothing once a sequence is exhausted), and returns the
/// output of every tick.
template <class Op, class... Z>
auto run(Op op, const std::vector<Z>&... ticks) {
    auto [c, h] = dbsp::root_circuit::build([&](dbsp::circuit& c) {
        // make_tuple, not tuple{…}: CTAD would turn a single pair into a 2-tuple.
        auto io = std::make_tuple(
            dbsp::add_input_zset<typename Z::key_type, typename Z::weight_type>(c)...);
        return std::apply(
            [&](auto&... in) {
                return std::pair{std::make_tuple(in.second...), dbsp::add_output(op(in.first...))};
            },
            io);
    });
    auto& [inputs, out] = h;
    std::vector<std::remove_cvref_t<decltype(out.value())>> outputs;
    const std::size_t n = std::max({ticks.size()...});
    for (std::size_t t = 0; t < n; ++t) {
        std::apply([&](auto&... in) { ((t < ticks.size() ? in.push(ticks[t]) : void()), ...); },
                   inputs);
        c.step();
        outputs.push_back(out.value());
    }
    return outputs;
}

} // namespace dbsp_test
