#include <catch2/catch.hpp>

#include "dbsp/operator/distinct.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

namespace {
auto distinct_q = [](const auto& s) { return dbsp::distinct(s); };
auto stream_distinct_q = [](const auto& s) { return dbsp::stream_distinct(s); };
} // namespace

TEST_CASE("distinct: a set of the positive keys, idempotent", "[property][distinct]") {
    for_each_seed([&](rng& r) {
        const auto a = zset_of(r, small_int());
        const auto d = dbsp::distinct(a);
        CHECK(dbsp::distinct(d) == d);
        for (const auto& [k, w] : d) CHECK((w == 1 && a.weight(k) > 0));
        for (const auto& [k, w] : a) CHECK(d.contains(k) == (w > 0));
    });
}

TEST_CASE("distinct: incremental distinct = D(stream_distinct(I(s)))", "[property][distinct]") {
    for_each_seed([&](rng& r) {
        pgt_laws::check_incremental(distinct_q, stream_distinct_q, changes_of(r, small_int(6)));
        pgt_laws::check_incremental(distinct_q, stream_distinct_q, changes_of(r, rows()));
    });
}

TEST_CASE("distinct: long streams over a tiny domain flip membership often",
          "[property][distinct]") {
    for_each_seed(
        [&](rng& r) {
            pgt_laws::check_incremental(distinct_q, stream_distinct_q,
                                        changes_of(r, small_int(3), 60, 3));
        },
        10);
}
