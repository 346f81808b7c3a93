#include <catch2/catch.hpp>

#include "dbsp/operator/dependent_join.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

namespace {
using pair_zset = dbsp::zset<std::pair<int, int>>;
// For each x: (x, total weight of rows of r equal to x modulo 3) when that total is not zero.
auto same_residue = [](int x, const dbsp::zset<int>& r) {
    long long n = 0;
    for (const auto& [y, w] : r)
        if (y % 3 == x % 3) n += w;
    pair_zset out;
    if (n != 0) out.add({x, static_cast<int>(n)}, 1);
    return out;
};
auto affects = [](int x, int y) { return x % 3 == y % 3; };
} // namespace

TEST_CASE("dependent_join: incremental = D(stream_dependent_join(I(l), I(r)))", "[property][dependent_join]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental([](auto l, auto s) { return dbsp::dependent_join(l, s, same_residue, affects); },
                                    [](auto l, auto s) { return dbsp::stream_dependent_join(l, s, same_residue); },
                                    changes_of(r, small_int(8)), changes_of(r, small_int(8)));
    });
}
