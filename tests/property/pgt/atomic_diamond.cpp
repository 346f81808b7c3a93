// Atomic diamonds on a live server: two stream tables over one source on different schedules
// and a third joining them refresh as one group, so a reader of the third never sees the two
// sides at different versions — with writers running, with a side failing mid-group, and when
// a member is refreshed by hand.
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <thread>

#include "live_checks.hpp"
#include "test_thread.hpp"

namespace {

using namespace std::chrono_literals;
using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::equal_to_query;
using pgt::testing::test_thread;
using pgt::testing::wait_for;

/// Groups of the meeting point whose two sides disagree: one counts the rows the other lists.
const char* split_rows = "SELECT count(*) FROM meeting WHERE listed <> counted";

void create_diamond(pgt::testing::connection& db, const std::string& side_b_extra = "") {
    db.exec("CREATE TABLE src (id int PRIMARY KEY, g int NOT NULL)");
    db.exec("INSERT INTO src SELECT i, i % 10 FROM generate_series(1, 200) i");
    db.exec("SELECT pgtrickle.create_stream_table('side_a', 'SELECT id, g FROM src', schedule => '1s')");
    db.exec("SELECT pgtrickle.create_stream_table('side_b', 'SELECT g, count(*) AS n" + side_b_extra +
            " FROM src GROUP BY g', schedule => '3s')");
    db.exec("SELECT pgtrickle.create_stream_table('meeting', 'SELECT a.g, count(*) AS listed, min(b.n) AS counted "
            "FROM side_a a JOIN side_b b USING (g) GROUP BY a.g', schedule => '1s')");
}

} // namespace

TEST_CASE("atomic diamond: a reader of the meeting point never sees its sides at different versions", "[scheduler]") {
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 100", "max_worker_processes = 16"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    create_diamond(db);
    CHECK(db.scalar("SELECT string_agg(member_name, ',' ORDER BY member_name) FROM pgtrickle.diamond_groups()") ==
          "meeting,side_a,side_b");
    const auto writer = [&](int first) {
        return [&, first](const std::stop_token& stop) {
            auto w = server.connect();
            for (int i = first; !stop.stop_requested(); i += 2) {
                w.exec("INSERT INTO src VALUES (" + std::to_string(1000 + i) + ", " + std::to_string(i % 10) + ")");
                w.exec("DELETE FROM src WHERE id = (SELECT min(id) FROM src)");
                std::this_thread::sleep_for(5ms);
            }
        };
    };
    test_thread w1(writer(0)), w2(writer(1));
    int samples = 0, split = 0;
    const auto until = std::chrono::steady_clock::now() + 8s;
    while (std::chrono::steady_clock::now() < until) {
        split += *db.scalar(split_rows) != "0";
        ++samples;
        std::this_thread::sleep_for(20ms);
    }
    w1.request_stop();
    w2.request_stop();
    w1.join();
    w2.join();
    std::cout << "atomic diamond: " << split << " split samples in " << samples << "\n";
    CHECK(split == 0);
    // Both sides were refreshed while the writers ran, to one frontier.
    CHECK(db.scalar("SELECT count(DISTINCT frontier_snapshot::text) FROM pgtrickle.pgt_stream_tables") == "1");
    CHECK(db.scalar("SELECT count(*) >= 2 FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                    "USING (pgt_id) WHERE s.pgt_name = 'side_b' AND h.action <> 'NO_DATA'") == "t");
    CHECK(wait_for([&] { return equal_to_query(db, "side_b", "g, n", "SELECT g, count(*) FROM src GROUP BY g"); }, 10s));

    // By hand: refreshing one member refreshes the group.
    db.exec("INSERT INTO src VALUES (99999, 3)");
    db.exec("SELECT pgtrickle.refresh_stream_table('side_a')");
    CHECK(db.scalar(split_rows) == "0");
    CHECK(equal_to_query(db, "side_b", "g, n", "SELECT g, count(*) FROM src GROUP BY g"));
    CHECK(equal_to_query(db, "meeting", "g, listed, counted", "SELECT g, count(*), count(*) FROM src GROUP BY g"));
}

TEST_CASE("atomic diamond: a side that fails rolls its whole group back, and the group recovers", "[scheduler]") {
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 100"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    // side_b divides by zero while src holds a row with id 0.
    create_diamond(db, ", min(100 / id) AS inverse");
    db.exec("INSERT INTO src VALUES (500, 1)");
    REQUIRE(wait_for([&] { return equal_to_query(db, "side_a", "id, g", "SELECT id, g FROM src"); }, 10s));
    const std::string frontier = *db.scalar("SELECT frontier_snapshot::text FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'side_a'");
    db.exec("INSERT INTO src VALUES (0, 2), (501, 4)");
    REQUIRE(wait_for([&] {
        return db.scalar("SELECT consecutive_errors > 0 FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'side_b'") == "t";
    }, 15s));
    // side_a is due every second, but only with its group: nothing moved.
    std::this_thread::sleep_for(1500ms);
    CHECK(db.scalar("SELECT count(*) FROM side_a WHERE id IN (0, 501)") == "0");
    CHECK(db.scalar("SELECT frontier_snapshot::text FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'side_a'") == frontier);
    CHECK(db.scalar(split_rows) == "0");
    CHECK(db.scalar("SELECT count(*) > 0 FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                    "USING (pgt_id) WHERE s.pgt_name = 'side_b' AND h.status = 'FAILED' AND h.error_message LIKE '%division by zero%'") == "t");
    // The bad row gone (and side_b resumed, if its errors suspended it), the group catches up
    // after its back-off.
    db.exec("DELETE FROM src WHERE id = 0");
    db.exec("SELECT pgtrickle.resume_stream_table('side_b') FROM pgtrickle.pgt_stream_tables "
            "WHERE pgt_name = 'side_b' AND status = 'SUSPENDED'");
    const bool recovered = wait_for([&] {
        return equal_to_query(db, "meeting", "g, listed, counted", "SELECT g, count(*), count(*) FROM src GROUP BY g");
    }, 20s).has_value();
    CHECK(recovered);
    CHECK(equal_to_query(db, "side_a", "id, g", "SELECT id, g FROM src"));
    CHECK(db.scalar("SELECT count(DISTINCT frontier_snapshot::text) FROM pgtrickle.pgt_stream_tables") == "1");
}
