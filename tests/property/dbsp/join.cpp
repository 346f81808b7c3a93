#include <catch2/catch.hpp>

#include <string>
#include <tuple>

#include "dbsp/operator/index.hpp"
#include "dbsp/operator/join.hpp"
#include "property/laws/bilinear_laws.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

namespace {
// rows (id, name, amount) ⋈ pairs (id, x) on id, giving (name, amount, x).
auto rows_by_id = [](const auto& s) {
    return dbsp::index_by(s, [](const row& v) { return std::get<0>(v); });
};
auto pairs_by_first = [](const auto& s) {
    return dbsp::index_by(
        s, [](const auto& p) { return p.first; }, [](const auto& p) { return p.second; });
};
auto combine = [](int, const row& v, int x) {
    return std::tuple{std::get<1>(v), std::get<2>(v), x};
};
// On values and on streams of changes `dbsp::join` is the join; `stream_join` is the per-tick
// join the oracle integrates.
auto join_q = [](const auto& a, const auto& b) {
    return dbsp::join(rows_by_id(a), pairs_by_first(b), combine);
};
auto stream_join_q = [](const auto& a, const auto& b) {
    return dbsp::stream_join(rows_by_id(a), pairs_by_first(b), combine);
};
} // namespace

TEST_CASE("join: bilinear on values", "[property][join]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_bilinear(join_q, zset_of(r, rows()), zset_of(r, rows()),
                                 zset_of(r, int_pair()), zset_of(r, int_pair()));
    });
}

TEST_CASE("join: incremental join = D(stream_join(I(a), I(b)))", "[property][join]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental(join_q, stream_join_q, changes_of(r, rows()),
                                    changes_of(r, int_pair()));
    });
}

TEST_CASE("join: incremental self-join = D(stream_join(I(s), I(s)))", "[property][join]") {
    auto self = [](const auto& s) {
        auto i = pairs_by_first(s);
        return dbsp::join(i, i, [](int k, int x, int y) { return std::tuple{k, x, y}; });
    };
    auto stream_self = [](const auto& s) {
        auto i = pairs_by_first(s);
        return dbsp::stream_join(i, i, [](int k, int x, int y) { return std::tuple{k, x, y}; });
    };
    for_each_seed(
        [&](rng& r) { pgt_laws::check_incremental(self, stream_self, changes_of(r, int_pair())); });
}

TEST_CASE("join: changes on one side only", "[property][join]") {
    for_each_seed([&](rng& r) {
        auto a = changes_of(r, rows());
        auto b = changes_of(r, int_pair());
        for (std::size_t t = 0; t < a.size(); ++t) {
            if (t % 2)
                a[t].clear();
            else
                b[t].clear();
        }
        pgt_laws::check_incremental(join_q, stream_join_q, a, b);
    });
}
