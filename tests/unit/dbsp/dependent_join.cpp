#include <catch2/catch.hpp>

#include <vector>

#include "dbsp/operator/dependent_join.hpp"
#include "drive.hpp"

using dbsp_test::izset;
using dbsp_test::pair_zset;

namespace {
// For each x, the pair (x, number of rows of r greater than x).
auto count_greater = [](int x, const izset& r) {
    long long n = 0;
    for (const auto& [y, w] : r)
        if (y > x) n += w;
    return pair_zset{{{x, static_cast<int>(n)}, 1}};
};
auto greater = [](int x, int y) { return y > x; };
} // namespace

TEST_CASE("dependent_join: one evaluation per row, weighted by the row", "[dependent_join]") {
    CHECK(dbsp::dependent_join(izset{{1, 2}, {5, 1}}, izset{{3, 1}, {4, 1}}, count_greater) ==
          pair_zset{{{1, 2}, 2}, {{5, 0}, 1}});
}

TEST_CASE("dependent_join: the incremental form re-evaluates only affected rows", "[dependent_join]") {
    const std::vector<izset> l{{{1, 1}, {5, 1}}, {}, {{1, -1}}};
    const std::vector<izset> r{{{3, 1}}, {{6, 1}}, {}};
    auto out = dbsp_test::run([](auto x, auto y) { return dbsp::dependent_join(x, y, count_greater, greater); }, l, r);
    CHECK(out == std::vector<pair_zset>{{{{1, 1}, 1}, {{5, 0}, 1}},
                                        {{{1, 1}, -1}, {{1, 2}, 1}, {{5, 0}, -1}, {{5, 1}, 1}},
                                        {{{1, 2}, -1}}});
}
