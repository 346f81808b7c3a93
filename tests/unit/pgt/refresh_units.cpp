// Atomic diamonds in the scheduler's plan (pgt/refresh_order.hpp): which stream tables refresh
// as one group, and when a group is in a tick.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

#include "pgt/refresh_order.hpp"

namespace {

using pgt::sched::atomic_groups;
using pgt::sched::stream_table_state;
using pgt::sched::tick_units;
using units = std::vector<std::vector<long long>>;

stream_table_state st(long long id, std::vector<long long> upstream, std::vector<std::uint32_t> tables,
                      std::int64_t every = 60, std::int64_t last = 1000) {
    stream_table_state s;
    s.id = id;
    s.upstream = std::move(upstream);
    s.tables = std::move(tables);
    s.when = pgt::duration_schedule{every};
    s.last_refresh = last;
    return s;
}

} // namespace

TEST_CASE("a stream table joining two stream tables over one table refreshes with them as one group") {
    // 1 and 2 read table 500; 3 joins 1 and 2; 4 reads 1 alone.
    std::vector<stream_table_state> all{st(1, {}, {500}), st(2, {}, {500}), st(3, {1, 2}, {}), st(4, {1}, {})};
    CHECK(atomic_groups(all) == units{{1, 2, 3}});
    all[2].atomic_diamond = false;
    CHECK(atomic_groups(all).empty());
}

TEST_CASE("a stream table reading a table directly and through a stream table is a diamond") {
    std::vector<stream_table_state> all{st(1, {}, {500}), st(2, {1}, {500, 600})};
    CHECK(atomic_groups(all) == units{{1, 2}});
    // Different tables, or one path only: no diamond.
    CHECK(atomic_groups({st(1, {}, {500}), st(2, {1}, {600})}).empty());
    CHECK(atomic_groups({st(1, {}, {500}), st(2, {1}, {}), st(3, {2}, {})}).empty());
}

TEST_CASE("diamonds that share a stream table are one group, and ids never meet relids") {
    // 3 = 1 ⋈ 2 and 5 = 2 ⋈ 4 over table 7; 6 reads relation 1 (a table) and stream table 1.
    std::vector<stream_table_state> all{st(1, {}, {7}), st(2, {}, {7}), st(3, {1, 2}, {}), st(4, {}, {7}),
                                        st(5, {2, 4}, {})};
    CHECK(atomic_groups(all) == units{{1, 2, 3, 4, 5}});
    CHECK(atomic_groups({st(1, {}, {9}), st(6, {1}, {1})}).empty());
}

TEST_CASE("a tick refreshes an atomic group whole: any member due, or all with 'slowest'") {
    // 1 every 10 s, 2 every 100 s, 3 = 1 ⋈ 2 every 100 s; all last refreshed at 1000.
    std::vector<stream_table_state> all{st(1, {}, {500}, 10), st(2, {}, {500}, 100), st(3, {1, 2}, {}, 100),
                                        st(4, {}, {600}, 10)};
    CHECK(tick_units(all, 1005, 1) == units{});
    CHECK(tick_units(all, 1010, 1) == units{{1, 2, 3}, {4}});
    all[2].slowest = true;
    CHECK(tick_units(all, 1010, 1) == units{{4}});
    CHECK(tick_units(all, 1100, 1) == units{{1, 2, 3}, {4}});
    // A member backing off after errors holds the whole group back.
    all[1].runnable = false;
    CHECK(tick_units(all, 1100, 1) == units{{4}});
}

TEST_CASE("a refresh group's members refresh as one unit, and join a diamond they share") {
    // 1, 2 and 4 read different tables; 3 = 1 ⋈ 2 over table 7 would be a diamond.
    std::vector<stream_table_state> all{st(1, {}, {5}), st(2, {}, {6}), st(4, {}, {8}, 10)};
    CHECK(atomic_groups(all, {{1, 4}}) == units{{1, 4}});
    CHECK(atomic_groups(all, {{1, 9}}).empty()); // (9 is gone: one member left)
    all.push_back(st(3, {1, 2}, {}));
    all[0].tables = {7};
    all[1].tables = {7};
    CHECK(atomic_groups(all, {{2, 4}}) == units{{1, 2, 4, 3}});
    // 4 is due every 10 s: its group comes with it.
    CHECK(tick_units(all, 1010, 1, {{2, 4}}) == units{{1, 2, 4, 3}});
}

TEST_CASE("auto_backoff stretches an interval its refreshes outgrow, 8 times at most") {
    CHECK(pgt::sched::backed_off(10, 0) == 10);
    CHECK(pgt::sched::backed_off(10, 9.5) == 10);
    CHECK(pgt::sched::backed_off(10, 9.6) == 20);
    CHECK(pgt::sched::backed_off(10, 30) == 40);
    CHECK(pgt::sched::backed_off(1, 45) == 8);
    // The due time follows: a 1 s stream table whose refreshes take 3 s is due 4 s after the last.
    std::vector<stream_table_state> all{st(1, {}, {5}, 1)};
    all[0].recent_refresh_seconds = 3;
    CHECK(pgt::sched::due_times(all, 1).at(1) == 1004);
}

TEST_CASE("a cycle of stream tables is found, ordered after what it reads, and refreshes as one group") {
    using pgt::sched::cycles;
    using pgt::sched::topological_order;
    // 1 reads table 500; 2 and 3 read each other, 2 also reads 1; 4 reads 3; 5 reads itself.
    std::vector<stream_table_state> all{st(4, {3}, {}), st(3, {2}, {}), st(2, {1, 3}, {}), st(1, {}, {500}),
                                        st(5, {5}, {600})};
    CHECK(cycles(all) == units{{2, 3}, {5}});
    const auto order = topological_order(all);
    REQUIRE(order.size() == 5);
    auto at = [&](long long id) { return std::find(order.begin(), order.end(), id) - order.begin(); };
    CHECK(at(1) < at(2));
    CHECK(at(3) == at(2) + 1); // members together
    CHECK(at(3) < at(4));
    CHECK(atomic_groups(all) == units{{2, 3}, {5}});
    // A chain has no cycle.
    CHECK(cycles({st(1, {}, {500}), st(2, {1}, {})}).empty());
}

TEST_CASE("a cycle is due as a whole when one of its members is") {
    // 1 and 2 read each other; 2 is due (last refreshed at 1000, every 60 s), 1 is not yet.
    std::vector<stream_table_state> all{st(1, {2}, {500}, 600), st(2, {1}, {}, 60)};
    CHECK(tick_units(all, 1000 + 61, 60) == units{{1, 2}});
    CHECK(tick_units(all, 1000 + 30, 60).empty());
}

TEST_CASE("tiers: the scheduler looks at a unit that is not hot once every few of its intervals") {
    using pgt::sched::tier;
    using pgt::sched::watched_units;
    // 1 hot, 2 cold, every 10 s; 3 and 4 a group, one warm and one frozen (the warmer decides).
    std::vector<stream_table_state> all{st(1, {}, {500}, 10), st(2, {}, {500}, 10), st(3, {}, {600}, 10),
                                        st(4, {}, {600}, 10)};
    all[1].watch = tier::cold;
    all[2].watch = tier::warm;
    all[3].watch = tier::frozen;
    const units due{{1}, {2}, {3, 4}};
    std::map<long long, std::int64_t> looked;
    const std::int64_t t0 = 2000000;
    CHECK(watched_units(all, due, t0, 60, looked) == due); // never looked at: all of them
    CHECK(watched_units(all, due, t0 + 1000, 60, looked) == units{{1}});
    CHECK(watched_units(all, due, t0 + 50000, 60, looked) == units{{1}, {3, 4}}); // warm: 5 × 10 s
    CHECK(watched_units(all, due, t0 + 51000, 60, looked) == units{{1}});
    CHECK(watched_units(all, due, t0 + 300000, 60, looked) == units{{1}, {2}, {3, 4}}); // cold: 30 × 10 s
    // When each held-back one is looked at again.
    CHECK(looked.at(2) == t0 + 600000);
    CHECK(looked.at(3) == t0 + 350000);
    CHECK(looked.at(4) == t0 + 350000);
    CHECK_FALSE(looked.contains(1));
    CHECK(pgt::sched::parse_tier("frozen") == tier::frozen);
    CHECK_FALSE(pgt::sched::parse_tier("tepid"));
}
