// Atomic diamonds in the scheduler's plan (pgt/refresh_order.hpp): which stream tables refresh
// as one group, and when a group is in a tick.
#include <catch2/catch.hpp>

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
    CHECK(pgt::sched::due_time(all, 1, 1) == 1004);
}
