#include <catch2/catch.hpp>

#include <array>
#include <set>
#include <utility>
#include <vector>

#include "dbsp/operator/fixpoint.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;
using dbsp_test::pair_zset;

namespace {
auto closure = [](const auto& e) { return dbsp::fixpoint(e, e, dbsp_test::extend_paths); };
auto stream_closure = [](const auto& e) {
    return dbsp::stream_fixpoint(e, e, dbsp_test::extend_paths);
};

constexpr int nodes = 7;

// The oracle: Floyd–Warshall on an adjacency matrix, shares no code with the library.
pair_zset closure_from_scratch(const std::set<std::pair<int, int>>& edges) {
    std::array<std::array<bool, nodes>, nodes> reach{};
    for (const auto& [a, b] : edges) reach[a][b] = true;
    for (int k = 0; k < nodes; ++k)
        for (int i = 0; i < nodes; ++i)
            for (int j = 0; j < nodes; ++j)
                reach[i][j] = reach[i][j] || (reach[i][k] && reach[k][j]);
    pair_zset r;
    for (int i = 0; i < nodes; ++i)
        for (int j = 0; j < nodes; ++j)
            if (reach[i][j]) r.add({i, j});
    return r;
}
} // namespace

TEST_CASE("fixpoint: incremental closure = D(stream_fixpoint(I(edges))) on random changes",
          "[property][fixpoint]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental(closure, stream_closure, changes_of(r, int_pair(6), 24, 4));
    });
}

TEST_CASE("fixpoint: incremental reachability with separate base and parameters",
          "[property][fixpoint]") {
    auto reach = [](const auto& b, const auto& e) {
        return dbsp::fixpoint(b, e, dbsp_test::successors);
    };
    auto stream_reach = [](const auto& b, const auto& e) {
        return dbsp::stream_fixpoint(b, e, dbsp_test::successors);
    };
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental(reach, stream_reach, changes_of(r, small_int(6), 24, 2),
                                    changes_of(r, int_pair(6), 24, 4));
    });
}

TEST_CASE("fixpoint: transitive closure maintained under edge inserts and deletes equals "
          "recomputation from scratch",
          "[property][fixpoint]") {
    for_each_seed([&](rng& r) {
        auto [c, h] = dbsp::root_circuit::build([](dbsp::circuit& c) {
            auto [edges, in] = dbsp::add_input_zset<std::pair<int, int>>(c);
            return std::pair{in, dbsp::add_output(closure(edges))};
        });
        auto& [in, out] = h;
        std::set<std::pair<int, int>> edges;
        pair_zset maintained, previous;
        for (int step = 0; step < 30; ++step) {
            // Toggle a few edges: insert the absent ones, delete the present ones.
            for (int n = uniform(r, 1, 3); n > 0; --n) {
                const std::pair e{uniform(r, 0, nodes - 1), uniform(r, 0, nodes - 1)};
                const bool present = edges.erase(e) == 1;
                if (!present) edges.insert(e);
                in.push(e, present ? -1 : 1);
            }
            c.step();
            const auto expected = closure_from_scratch(edges);
            INFO("step " << step << ", edges " << edges.size());
            REQUIRE(out.value() == expected - previous);
            maintained += out.value();
            REQUIRE(maintained == expected);
            previous = expected;
        }
    });
}
