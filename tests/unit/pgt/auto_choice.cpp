// AUTO's choice between DIFFERENTIAL and FULL (pgt/auto_choice.hpp), on measured costs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "pgt/auto_choice.hpp"

namespace {

using pgt::auto_choice::change;
using pgt::auto_choice::decide;
using pgt::auto_choice::measured;

/// A stream table over 1,000,000 source rows whose full load took 400 ms and whose differential
/// refreshes cost 5 ms plus 10 µs a change record.
measured learned() {
    measured m;
    m.add_full(400);
    for (double x : {20.0, 2000.0, 20000.0, 200.0}) m.add_differential(x, 5 + 0.01 * x);
    return m;
}

change of(long long records) { return {records, static_cast<double>(records) / 1e6, 1e6}; }

/// Equal but for rounding (Catch2 2 and 3 spell Approx differently).
bool near(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)); }

} // namespace

TEST_CASE("AUTO: a change above pg_trickle.differential_max_change_ratio recomputes, whatever was measured") {
    const auto d = decide(learned(), of(200000), 0.15);
    CHECK(d.full);
    CHECK_THAT(d.reason, Catch::Contains("above pg_trickle.differential_max_change_ratio (0.15)"));
    CHECK_FALSE(decide(learned(), of(200000), 0).reason.find("above") != std::string::npos);
}

TEST_CASE("AUTO: a tiny change is applied differentially even when stale figures favour FULL") {
    measured m;
    m.add_full(1); // a full load that was very cheap once
    CHECK_FALSE(decide(m, of(900), 0.15).full);
    CHECK_THAT(decide(m, of(900), 0.15).reason, Catch::Contains("a small change"));
    // On a small table too: 600 change records of 1,000 rows.
    CHECK_FALSE(decide(m, {600, 0.6, 1000}, 0.15).full);
    CHECK(decide(m, {1600, 1.6, 1000}, 0.15).full);
}

TEST_CASE("AUTO: a change whose counting stopped early recomputes: a TRUNCATE may be among the rest") {
    change c = of(1001);
    c.counted_all = false;
    const auto d = decide(measured{}, c, 0);
    CHECK(d.full);
    CHECK_THAT(d.reason, Catch::Contains("at least 1001 change records"));
    CHECK_THAT(d.reason, Catch::Contains("counting stopped there"));
    CHECK(decide(learned(), c, 0).full);
}

TEST_CASE("AUTO: a refresh counts change records only up to where the choice is made") {
    using pgt::auto_choice::decisive_records;
    // Nothing measured: up to the cap (15 % of the rows changed: as many deletions and
    // insertions), or twice all the rows without one.
    CHECK(decisive_records(measured{}, 1e6, 0.15) == 300000);
    CHECK(decisive_records(measured{}, 1e6, 0) == 2000000);
    // Measured: up to the break-even with the hysteresis, (400 · 1.15 − 5) / 0.01 = 45,500.
    const measured m = learned();
    const long long n = decisive_records(m, 1e6, 0.15);
    CHECK(std::abs(n - 45500) <= 1);
    CHECK_FALSE(decide(m, of(n), 0.15).full);
    change past = of(n + 1);
    past.counted_all = false;
    CHECK(decide(m, past, 0.15).full);
    // After a FULL the break-even moves down: (400 / 1.15 − 5) / 0.01.
    measured after = m;
    after.add_full(400);
    CHECK(std::abs(decisive_records(after, 1e6, 0.15) - 34282) <= 1);
    // Never below what is always applied (1,000 records, 0.1 % of the rows changed: up to
    // 0.2 % of them as records), so that such a change is counted whole and applied.
    measured cheap_full = learned();
    cheap_full.full_ms = 1;
    CHECK(decisive_records(cheap_full, 1e6, 0.15) == 2000);
    CHECK(decisive_records(cheap_full, 1e8, 0.15) == 200000);
    CHECK_FALSE(decide(cheap_full, {2000, 0.001, 1e6}, 0.15).full);
}

TEST_CASE("AUTO: no full load measured yet keeps DIFFERENTIAL") {
    const auto d = decide(measured{}, of(100000), 0);
    CHECK_FALSE(d.full);
    CHECK_THAT(d.reason, Catch::Contains("no full refresh measured yet"));
}

TEST_CASE("AUTO: the fitted line decides between the two, at the break-even point") {
    const measured m = learned();
    const auto line = m.line();
    REQUIRE(line);
    CHECK(near(line->first, 0.01));
    CHECK(near(line->second, 5));
    // 5 + 0.01 x = 400 at x = 39,500; FULL is chosen past 400 · 1.15.
    CHECK_FALSE(decide(m, of(30000), 0).full);
    CHECK_FALSE(decide(m, of(42000), 0).full); // within the hysteresis margin
    const auto d = decide(m, of(60000), 0);
    CHECK(d.full);
    CHECK_THAT(d.reason, Catch::Contains("fitted to its differential refreshes"));
}

TEST_CASE("AUTO: after a FULL, DIFFERENTIAL comes back only when clearly cheaper") {
    measured m = learned();
    m.add_full(400);
    CHECK(decide(m, of(38000), 0).full);       // 385 ms estimated: not cheaper by 15 %
    CHECK_FALSE(decide(m, of(30000), 0).full); // 305 ms estimated
}

TEST_CASE("AUTO: a row-id index left out by a recomputation is priced as a full load, but a tiny change still rebuilds it") {
    measured m = learned();
    m.add_full(400);
    change missing = of(3000);
    missing.index_missing = true;
    // 35 ms to apply, 435 ms with the index rebuilt: the recomputation (400 ms) is cheaper.
    CHECK_FALSE(decide(m, of(3000), 0).full);
    const auto d = decide(m, missing, 0);
    CHECK(d.full);
    CHECK_THAT(d.reason, Catch::Contains("with its row-id index rebuilt (400.0 ms)"));
    change tiny = of(10);
    tiny.index_missing = true;
    CHECK_FALSE(decide(m, tiny, 0).full);
    // A missing index does not stop the count early: a change cheaper to apply is counted whole.
    CHECK(pgt::auto_choice::decisive_records(m, 1e6, 0.15) > 30000);
}

TEST_CASE("AUTO: recomputations of changes cheaper to apply pay for the row-id index's rebuild") {
    measured m = learned();
    m.add_full(400);
    change missing = of(3000); // 35 ms to apply
    missing.index_missing = true;
    auto first = decide(m, missing, 0);
    REQUIRE(first.full);
    CHECK(near(first.forgone_ms, 365));
    m.add_full(400, first.forgone_ms);
    // The rebuild is priced at the 35 ms left of it: 70 ms against 400.
    const auto second = decide(m, missing, 0);
    CHECK_FALSE(second.full);
    CHECK_THAT(second.reason, Catch::Contains("with its row-id index rebuilt (35.0 ms)"));
    // A recomputation that forgoes nothing (a change too large to apply, or not counted whole)
    // ends the run: the next change pays the whole rebuild again.
    m.add_full(400, 0);
    CHECK(m.forgone_ms == 0);
    CHECK(decide(m, missing, 0).full);
    change uncounted = of(3000);
    uncounted.index_missing = true;
    uncounted.counted_all = false;
    CHECK(decide(m, uncounted, 0).forgone_ms == 0);
    // Nor does a change that recomputing costs no more than applying.
    change large = of(60000);
    large.index_missing = true;
    CHECK(decide(m, large, 0).forgone_ms == 0);
    // Applying ends it too.
    m.add_full(400, 365);
    m.add_differential(3000, 35);
    CHECK(m.forgone_ms == 0);
    // Without the index missing, nothing is forgone.
    CHECK(decide(m, of(60000), 0).forgone_ms == 0);
}

TEST_CASE("AUTO: before differential refreshes of different sizes, a change record is priced as twenty source rows") {
    measured m;
    m.add_full(400);
    m.add_differential(20, 5);
    CHECK_FALSE(m.line());
    // 400 ms over 1,000,000 rows: 8 µs a change record, break-even near 49,000.
    CHECK_FALSE(decide(m, of(40000), 0).full);
    // (Up to twice FULL's cost, a change never applied at that size is tried: 100,000 records.)
    const auto d = decide(m, of(120000), 0);
    CHECK(d.full);
    CHECK_THAT(d.reason, Catch::Contains("(prior)"));
}

TEST_CASE("AUTO: refreshes of one size priced per change record where that is below the prior") {
    measured m;
    m.add_full(400);
    // 20,000 change records in 30 ms: at most 1.5 µs a record, where the prior says 8.
    m.add_differential(20000, 30);
    m.add_differential(20000, 30);
    CHECK_FALSE(m.line());
    const auto d = decide(m, of(200000), 0);
    CHECK_FALSE(d.full); // 300 ms estimated against 400
    CHECK_THAT(d.reason, Catch::Contains("(its differential refreshes per change record)"));
    CHECK(decide(m, of(600000), 0).full); // 900 ms: more than two full loads
}

TEST_CASE("AUTO: refreshes of nearly one size fit no line: the slope would be their noise") {
    // TPC-H q07 at SF 1: two differential refreshes of 15,113 and 14,914 records took 68 and 57
    // ms. A line through them costs 55 µs a record and priced 29,940 records at 1.6 s, above
    // the 1.24 s full load, for a change the same refreshes price at about 125 ms.
    measured m;
    m.add_full(1240);
    m.add_differential(15113, 67.8);
    m.add_differential(14914, 56.8);
    CHECK_FALSE(m.line());
    const change c{29940, 0.002, 7.6e6};
    CHECK_FALSE(decide(m, c, 0).full);
    // Sizes a quarter of their mean apart are told apart.
    m.add_differential(30000, 120);
    CHECK(m.line());
}

TEST_CASE("AUTO: a change far larger than any applied before is applied once to learn its cost, up to two full loads") {
    measured m = learned(); // the largest applied: 20,000 records; 5 ms + 10 µs a record
    // 60,000 records, 605 ms against 400: not four times the largest, FULL.
    CHECK(decide(m, of(60000), 0).full);
    // 90,000 records, 905 ms: more than two full loads, FULL.
    CHECK(decide(m, of(90000), 0).full);
    // Where the line overprices a large change (its plan hashes instead of probing), FULL would
    // always be chosen and the line never corrected: 85,000 records at 855 ms is tried once.
    m.full_ms = 450;
    const auto tried = decide(m, of(85000), 0);
    CHECK_FALSE(tried.full);
    CHECK_THAT(tried.reason, Catch::Contains("applied to learn its cost"));
    CHECK_THAT(tried.reason, Catch::Contains("20000 records"));
    // Counted whole up to where it would be tried: (900 − 5) / 0.01.
    CHECK(std::abs(pgt::auto_choice::decisive_records(m, 1e6, 0) - 89500) <= 1);
    // It cost 250 ms: the next change of that size applies again, by the line through it.
    m.add_differential(85000, 250);
    CHECK(m.largest == 85000);
    const auto after = decide(m, of(85000), 0);
    CHECK_FALSE(after.full);
    CHECK(after.reason.find("to learn") == std::string::npos);
    CHECK(tried.explored);
    CHECK_FALSE(after.explored);
    // A catalog row written before `largest` was kept (seven values) reads as none applied.
    std::vector<double> seven = learned().values();
    seven.resize(7);
    CHECK(measured::from(seven).full_ms == 400);
    CHECK(measured::from(seven).largest == 0);
}

TEST_CASE("AUTO: before any differential refresh was measured, a change up to 15 % is applied once to learn its cost") {
    measured m;
    m.add_full(400);
    // The prior prices 100,000 records at 800 ms, twice the full load: applied all the same.
    const auto d = decide(m, of(100000), 0.5);
    CHECK_FALSE(d.full);
    CHECK_THAT(d.reason, Catch::Contains("applied to learn its cost (no differential refresh measured yet)"));
    CHECK(pgt::auto_choice::decisive_records(m, 1e6, 0.5) >= 300000);
    // Not past 15 % of the rows, nor where the row-id index would be rebuilt first.
    CHECK(decide(m, of(200000), 0.5).full);
    change missing = of(100000);
    missing.index_missing = true;
    CHECK(decide(m, missing, 0.5).full);
    // Once one was measured, the estimate decides.
    m.add_differential(100000, 900);
    CHECK(decide(m, of(100000), 0.5).full);
}

TEST_CASE("AUTO: a statement this session has not planned is priced with what planning it cost") {
    measured m = learned(); // 5 ms + 10 µs a record, FULL 400 ms
    m.add_planning(300);
    // 20,000 records: 205 ms applied with the statement planned, 505 ms planning it first.
    auto c = of(20000);
    CHECK_FALSE(decide(m, c, 0).full);
    c.unplanned = true;
    const auto d = decide(m, c, 0);
    CHECK(d.full);
    CHECK_THAT(d.reason, Catch::Contains("planning its statement (300.0 ms) included"));
    // Recent plannings weigh more; the figure survives the catalog's float8[] (eight values
    // before it was kept: none).
    m.add_planning(100);
    CHECK(near(measured::from(m.values()).planning_ms, 200));
    // (Where SQL reads it: a refresh prices a buffer's readers' planning from the catalog.)
    CHECK(near(m.values().at(measured::planning_ms_position - 1), 200));
    std::vector<double> eight = m.values();
    eight.resize(8);
    CHECK(measured::from(eight).planning_ms == 0);
    CHECK(measured::from(eight).largest == m.largest);
    measured forgoing = m;
    forgoing.add_full(400, 300);
    std::vector<double> nine = forgoing.values();
    CHECK(measured::from(nine).forgone_ms == 300);
    nine.resize(9);
    CHECK(measured::from(nine).forgone_ms == 0);
    CHECK(measured::from(nine).planning_ms == forgoing.planning_ms);
}

TEST_CASE("AUTO: measurements survive the catalog's float8[] and start empty from anything else") {
    const measured m = learned();
    const measured back = measured::from(m.values());
    CHECK(back.full_ms == m.full_ms);
    CHECK(back.sxy == m.sxy);
    CHECK(back.last_full == m.last_full);
    CHECK(measured::from({1, 2, 3}).full_ms == 0);
    // Recent full loads weigh more: a table that grew is recomputed at its new cost soon.
    measured grown;
    grown.add_full(100);
    grown.add_full(300);
    CHECK(near(grown.full_ms, 200));
}

TEST_CASE("AUTO: after a change applied to learn its cost, the next choice has no hysteresis") {
    // 85,000 records applied to learn (see above) in 440 ms: by the line through the points,
    // applying one again is estimated above the 400 ms FULL and below 400 · 1.15.
    measured explored = learned();
    explored.add_differential(85000, 440, true);
    CHECK(explored.last_explored);
    const auto line = explored.line();
    REQUIRE(line);
    const double estimate = line->second + line->first * 85000;
    REQUIRE(estimate > 400);
    REQUIRE(estimate < 400 * pgt::auto_choice::hysteresis);
    const auto next = decide(explored, of(85000), 0);
    // The same refresh chosen, not explored: it keeps DIFFERENTIAL within the margin.
    measured chosen = learned();
    chosen.add_differential(85000, 440, false);
    const auto kept = decide(chosen, of(85000), 0);
    CHECK(next.full);
    CHECK_FALSE(kept.full);
    // The mark survives the catalog, and a FULL or a chosen DIFFERENTIAL clears it; a catalog
    // row of ten values (before it was kept) reads as not explored.
    CHECK(measured::from(explored.values()).last_explored);
    std::vector<double> ten = explored.values();
    ten.resize(10);
    CHECK_FALSE(measured::from(ten).last_explored);
    explored.add_full(400);
    CHECK_FALSE(explored.last_explored);
    chosen.add_differential(85000, 440, true);
    chosen.add_differential(85000, 440);
    CHECK_FALSE(chosen.last_explored);
}
