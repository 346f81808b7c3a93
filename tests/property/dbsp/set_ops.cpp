#include <catch2/catch.hpp>

#include "dbsp/operator/set_ops.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

TEST_CASE("set operations: incremental = D(stream form(I(a), I(b)))", "[property][set_ops]") {
    for_each_seed([&](rng& r) {
        const auto a = changes_of(r, small_int(6)), b = changes_of(r, small_int(6));
        pgt_laws::check_incremental([](auto x, auto y) { return dbsp::intersect_all(x, y); },
                                    [](auto x, auto y) { return dbsp::stream_intersect_all(x, y); }, a, b);
        pgt_laws::check_incremental([](auto x, auto y) { return dbsp::except_all(x, y); },
                                    [](auto x, auto y) { return dbsp::stream_except_all(x, y); }, a, b);
        pgt_laws::check_incremental([](auto x, auto y) { return dbsp::intersect(x, y); },
                                    [](auto x, auto y) { return dbsp::stream_intersect(x, y); }, a, b);
        pgt_laws::check_incremental([](auto x, auto y) { return dbsp::except(x, y); },
                                    [](auto x, auto y) { return dbsp::stream_except(x, y); }, a, b);
    });
}

TEST_CASE("set operations: EXCEPT ALL is a minus INTERSECT ALL on multisets", "[property][set_ops]") {
    for_each_seed([&](rng& r) {
        const auto a = zset_of(r, small_int(6)).positive(), b = zset_of(r, small_int(6)).positive();
        CHECK(dbsp::except_all(a, b) == a - dbsp::intersect_all(a, b));
        CHECK(dbsp::intersect(a, b) == dbsp::intersect_all(a, b).distinct());
    });
}
