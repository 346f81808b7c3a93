#include <catch2/catch.hpp>

#include <tuple>
#include <utility>

#include "dbsp/incremental.hpp"
#include "dbsp/operator/aggregate.hpp"
#include "dbsp/operator/distinct.hpp"
#include "dbsp/operator/filter.hpp"
#include "dbsp/operator/index.hpp"
#include "dbsp/operator/join.hpp"
#include "dbsp/operator/map.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

// The query: the distinct two-hop paths (a, c) over edges a → b → c with a ≠ b, and, per
// start node, how many there are. `join`, `distinct` and `linear_aggregate` below are the
// incremental operators; the `stream_` forms are the per-tick ones that incremental() wraps
// in D∘Q∘I.
namespace {
auto no_loops = [](const auto& e) {
    return dbsp::filter(e, [](const auto& p) { return p.first != p.second; });
};
auto by_end = [](const auto& e) {
    return dbsp::index_by(
        e, [](const auto& p) { return p.second; }, [](const auto& p) { return p.first; });
};
auto by_start = [](const auto& e) {
    return dbsp::index_by(
        e, [](const auto& p) { return p.first; }, [](const auto& p) { return p.second; });
};
auto hop = [](int, int a, int c) { return std::pair{a, c}; };
auto count_from = [](const auto& paths) {
    return dbsp::index_by(paths, [](const auto& p) { return p.first; });
};
auto lift_count = [](const std::pair<int, int>&, long long w) { return w; };
auto emit = [](int a, long long n) { return std::tuple{a, n}; };

auto hand_built = [](const auto& de) {
    auto e = no_loops(de);
    auto paths = dbsp::distinct(dbsp::join(by_end(e), by_start(e), hop));
    return dbsp::linear_aggregate(count_from(paths), lift_count, emit);
};
auto per_tick = [](const auto& e0) {
    auto e = no_loops(e0);
    auto paths = dbsp::stream_distinct(dbsp::stream_join(by_end(e), by_start(e), hop));
    return dbsp::stream_linear_aggregate(count_from(paths), lift_count, emit);
};
} // namespace

TEST_CASE("incremental: the hand-built incremental circuit = D(Q(I(changes)))",
          "[property][incremental]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental(hand_built, per_tick, changes_of(r, int_pair(5), 24, 5));
    });
}

TEST_CASE("incremental: incremental(changes, q) of a composed query equals the hand-built "
          "incremental circuit",
          "[property][incremental]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_same_steps(
            hand_built, [](const auto& de) { return dbsp::incremental(de, per_tick); },
            changes_of(r, int_pair(5), 24, 5));
    });
}

TEST_CASE("incremental: the chain rule, incremental(incremental(s, q1), q2) = "
          "incremental(s, compose(q1, q2))",
          "[property][incremental]") {
    auto q1 = [](const auto& e) {
        auto x = no_loops(e);
        return dbsp::stream_distinct(dbsp::stream_join(by_end(x), by_start(x), hop));
    };
    auto q2 = [](const auto& paths) {
        return dbsp::stream_linear_aggregate(count_from(paths), lift_count, emit);
    };
    for_each_seed([&](rng& r) {
        const auto changes = changes_of(r, int_pair(5), 24, 5);
        auto chained = [&](const auto& de) {
            return dbsp::incremental(dbsp::incremental(de, q1), q2);
        };
        pgt_laws::check_same_steps(
            chained, [&](const auto& de) { return dbsp::incremental(de, dbsp::compose(q1, q2)); },
            changes);
        pgt_laws::check_same_steps(chained, hand_built, changes);
    });
}
