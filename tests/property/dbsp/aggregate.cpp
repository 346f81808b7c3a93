#include <catch2/catch.hpp>

#include <string>
#include <tuple>

#include "dbsp/operator/aggregate.hpp"
#include "dbsp/operator/filter.hpp"
#include "dbsp/operator/index.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

namespace {
// Rows (id, name, amount) grouped by name, aggregating the amounts.
auto by_name = [](const auto& s) {
    return dbsp::index_by(
        s, [](const row& v) { return std::get<1>(v); },
        [](const row& v) { return std::get<2>(v); });
};

// A non-linear aggregate: (name, SUM(amount), MAX(amount) over rows of positive weight).
auto sum_max = [](const std::string& name, const dbsp::zset<int>& g) {
    long long sum = 0;
    int max = -100;
    for (const auto& [v, w] : g) {
        sum += v * w;
        if (w > 0 && v > max) max = v;
    }
    return std::tuple{name, sum, max};
};

// SUM and COUNT as one linear state.
struct sum_count {
    long long sum = 0, count = 0;
    friend sum_count operator+(const sum_count& a, const sum_count& b) {
        return {a.sum + b.sum, a.count + b.count};
    }
    friend bool operator==(const sum_count&, const sum_count&) = default;
};
auto lift = [](int v, long long w) { return sum_count{v * w, w}; };
auto finish = [](const std::string& name, const sum_count& s) {
    return std::tuple{name, s.sum, s.count};
};
} // namespace

TEST_CASE("aggregate: incremental aggregate = D(stream_aggregate(I(s)))", "[property][aggregate]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental(
            [](const auto& s) { return dbsp::aggregate(by_name(s), sum_max); },
            [](const auto& s) { return dbsp::stream_aggregate(by_name(s), sum_max); },
            changes_of(r, rows()));
    });
}

TEST_CASE("aggregate: incremental linear_aggregate = D(stream_linear_aggregate(I(s)))",
          "[property][aggregate]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental(
            [](const auto& s) { return dbsp::linear_aggregate(by_name(s), lift, finish); },
            [](const auto& s) { return dbsp::stream_linear_aggregate(by_name(s), lift, finish); },
            changes_of(r, rows()));
    });
}

TEST_CASE("aggregate: linear_aggregate = aggregate of the same fold over groups of non-zero count",
          "[property][aggregate]") {
    auto fold = [](const std::string& name, const dbsp::zset<int>& g) {
        sum_count s;
        for (const auto& [v, w] : g) s = s + lift(v, w);
        return finish(name, s);
    };
    for_each_seed([&](rng& r) {
        const auto groups = by_name(zset_of(r, rows(), 12));
        auto expected = dbsp::aggregate(groups, fold);
        expected = dbsp::filter(expected, [](const auto& t) { return std::get<2>(t) != 0; });
        CHECK(dbsp::linear_aggregate(groups, lift, finish) == expected);
    });
}
