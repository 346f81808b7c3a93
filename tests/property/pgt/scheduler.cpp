// The background scheduler, end to end on a live server: a chain of calculated schedules
// follows a base-table change on its own; a failing stream table shows ERROR, is suspended
// after repeated failures and alerts listeners, while the others keep refreshing; a crash in
// the middle of a refresh loses nothing; a fast shutdown does not wait for one to finish; many
// idle stream tables cost no refreshes; a dormant scheduler comes back when a stream table is
// due; a terminated one is replaced; probing many databases leaves room for more.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "live_checks.hpp"

namespace {

using namespace std::chrono_literals;
using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;
using pgt::testing::equal_to_query;
using pgt::testing::server_with_extension;
using pgt::testing::wait_for;

double process_cpu_seconds(const std::string& pid) {
    std::ifstream in("/proc/" + pid + "/stat");
    std::string line;
    std::getline(in, line);
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i)
        if (i == 14 || i == 15) ticks += std::stod(f); // utime, stime
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

} // namespace

TEST_CASE("scheduler: a calculated chain reflects a base-table change on its own", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE base (id int PRIMARY KEY, v int)");
    db.exec("INSERT INTO base SELECT i, i FROM generate_series(1, 1000) i");
    // (DIFFERENTIAL: AUTO would recompute level3, whose one-row source changes entirely.)
    db.exec("SELECT pgtrickle.create_stream_table('level1', 'SELECT id, v FROM base WHERE v % 2 = 0', schedule => 'calculated', "
            "refresh_mode => 'DIFFERENTIAL')");
    db.exec("SELECT pgtrickle.create_stream_table('level2', 'SELECT count(*) AS n, sum(v) AS total FROM level1', "
            "schedule => 'calculated', refresh_mode => 'DIFFERENTIAL')");
    db.exec("SELECT pgtrickle.create_stream_table('level3', 'SELECT n, total, total / n AS mean FROM level2', schedule => '1s', "
            "refresh_mode => 'DIFFERENTIAL')");
    std::this_thread::sleep_for(1500ms); // let the first scheduled pass happen
    db.exec("INSERT INTO base VALUES (5000, 5000); UPDATE base SET v = v + 1 WHERE id < 10; DELETE FROM base WHERE id = 500");
    const std::string expected = "SELECT count(*) AS n, sum(v) AS total, sum(v) / count(*) AS mean FROM base WHERE v % 2 = 0";
    auto took = wait_for([&] { return equal_to_query(db, "level3", "n, total, mean", expected); }, 3s);
    REQUIRE(took);
    std::cout << "chain of 3 (calculated, calculated, 1s) caught up in " << took->count() << " ms\n";
    CHECK(equal_to_query(db, "level1", "id, v", "SELECT id, v FROM base WHERE v % 2 = 0"));
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE initiated_by = 'SCHEDULER' AND "
                    "action = 'DIFFERENTIAL' AND status = 'COMPLETED'") >= "3");
    // The dependency tree shows the chain.
    CHECK(db.scalar("SELECT string_agg(tree_line, E'\\n' ORDER BY depth) FROM pgtrickle.dependency_tree()") ==
          "public.level3\n└── public.level2\n    └── public.level1\n        └── base [src]");
}

TEST_CASE("scheduler: a failing stream table shows ERROR and is suspended, the others keep refreshing", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    auto listener = s.server.connect();
    listener.exec("LISTEN pgtrickle_alert");
    db.exec("CREATE TABLE nums (id int PRIMARY KEY, v int)");
    db.exec("INSERT INTO nums VALUES (1, 1), (2, 2)");
    db.exec("SELECT pgtrickle.create_stream_table('inverse', 'SELECT id, 100 / v AS q FROM nums', schedule => '1s')");
    db.exec("SELECT pgtrickle.create_stream_table('counted', 'SELECT count(*) AS n FROM nums', schedule => '1s')");
    db.exec("INSERT INTO nums VALUES (3, 0)"); // inverse now divides by zero
    REQUIRE(wait_for([&] { return db.scalar("SELECT status FROM pgtrickle.pgt_status() WHERE name = 'public.inverse'") == "ERROR"; }, 5s));
    CHECK(db.scalar("SELECT last_error_message FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'inverse'") == "division by zero");
    CHECK(db.scalar("SELECT string_agg(DISTINCT error_sqlstate || ' ' || error_message, ', ') FROM pgtrickle.pgt_refresh_history "
                    "WHERE status = 'FAILED'") == "22012 division by zero");
    CHECK(db.scalar("SELECT severity || ': ' || detail FROM pgtrickle.health_check() WHERE check_name = 'error_tables'") ==
          "ERROR: public.inverse: division by zero");
    // The other stream table keeps refreshing.
    db.exec("INSERT INTO nums VALUES (4, 4)");
    CHECK(wait_for([&] { return db.scalar("SELECT n FROM counted") == "4"; }, 5s));
    // Repeated failures suspend it (pg_trickle.max_consecutive_errors = 3), with alerts.
    REQUIRE(wait_for([&] { return db.scalar("SELECT status FROM pgtrickle.pgt_status() WHERE name = 'public.inverse'") == "SUSPENDED"; }, 20s));
    CHECK(db.scalar("SELECT consecutive_errors FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'inverse'") == "3");
    std::vector<std::string> alerts;
    wait_for([&] {
        for (auto& a : listener.notifications(100)) alerts.push_back(a);
        return alerts.size() >= 3;
    }, 5s);
    REQUIRE(alerts.size() >= 3);
    CHECK(alerts.front().find("\"event\" : \"refresh_failed\"") != std::string::npos);
    CHECK(alerts.back().find("\"event\" : \"suspended\"") != std::string::npos);
    CHECK(alerts.back().find("division by zero") != std::string::npos);
    // Fixed and resumed, it recovers.
    db.exec("DELETE FROM nums WHERE v = 0");
    db.exec("SELECT pgtrickle.resume_stream_table('inverse')");
    REQUIRE(wait_for([&] { return equal_to_query(db, "inverse", "id, q", "SELECT id, 100 / v FROM nums"); }, 5s));
    CHECK(db.scalar("SELECT status FROM pgtrickle.pgt_status() WHERE name = 'public.inverse'") == "ACTIVE");
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables USING (pgt_id) "
                    "WHERE pgt_name = 'inverse' AND h.status = 'FAILED'") == "3");
}

TEST_CASE("scheduler: a crash in the middle of a refresh loses no change", "[scheduler]") {
    // Commits must be durable for "committed before the crash" to mean anything.
    server_with_extension s{"synchronous_commit = on"};
    auto& db = s.db;
    db.exec("CREATE TABLE items (id int PRIMARY KEY, v int)");
    db.exec("INSERT INTO items SELECT i, i FROM generate_series(1, 2000) i");
    // A FULL refresh that takes seconds: each row sleeps 2 ms.
    db.exec("SELECT pgtrickle.create_stream_table('slow', 'SELECT id, v FROM items WHERE pg_sleep(0.002) IS NOT NULL', "
            "refresh_mode => 'FULL', schedule => '1s', initialize => false)");
    db.exec("SELECT pgtrickle.create_stream_table('fast', 'SELECT sum(v) AS total FROM items', schedule => '1s')");
    REQUIRE(wait_for([&] { return db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'RUNNING'") == "1"; }, 10s));
    db.exec("INSERT INTO items VALUES (9001, 1), (9002, 2)"); // committed while the refresh runs
    const auto pid = *db.scalar("SELECT pid::text FROM pg_stat_activity WHERE backend_type = 'pg_trickle scheduler' "
                                "AND datname = current_database()");
    REQUIRE(std::system(("kill -9 " + pid).c_str()) == 0);
    // The postmaster restarts after the crash; reconnect and let the scheduler resume.
    connection* again = nullptr;
    std::optional<connection> holder;
    REQUIRE(wait_for([&] {
        try {
            holder.emplace(s.server.connect());
            again = &*holder;
            // (A connection made before the postmaster noticed the crash is ended with the
            // others: only a new scheduler says the restart is over.)
            return again->scalar("SELECT pgtrickle._scheduler_running() AND EXISTS (SELECT FROM pg_stat_activity "
                                 "WHERE backend_type = 'pg_trickle scheduler' AND pid <> " + pid + ")") == "t";
        } catch (...) {
            return false;
        }
    }, 30s));
    // The interrupted refresh is recorded as failed …
    REQUIRE(wait_for([&] {
        return again->scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED' AND error_message "
                             "LIKE 'interrupted%'") == "1";
    }, 10s));
    // … and the next refreshes are exact: nothing committed before the crash is lost.
    again->exec("INSERT INTO items VALUES (9003, 3)");
    CHECK(wait_for([&] { return equal_to_query(*again, "fast", "total", "SELECT sum(v) FROM items"); }, 10s));
    CHECK(wait_for([&] { return equal_to_query(*again, "slow", "id, v", "SELECT id, v FROM items"); }, 30s));
}

TEST_CASE("scheduler: a fast shutdown cuts a long refresh short, the stream table left ACTIVE and refreshed again",
          "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE one (id int PRIMARY KEY)");
    db.exec("INSERT INTO one VALUES (1)");
    // A FULL refresh that would take a minute: pg_ctl's wait for the shutdown (-t 60) ends first.
    db.exec("SELECT pgtrickle.create_stream_table('slow', 'SELECT id, pg_sleep(60)::text AS slept FROM one', "
            "refresh_mode => 'FULL', schedule => '1s', initialize => false)");
    const std::string running = "SELECT max(refresh_id) FROM pgtrickle.pgt_refresh_history WHERE status = 'RUNNING'";
    REQUIRE(wait_for([&] { return db.scalar(running).has_value(); }, 10s));
    const std::string cut_short = *db.scalar(running);
    s.server.shut_down(); // (throws when the server is still up after 60 s)
    s.server.start_up();
    auto again = s.server.connect();
    // The refresh cut short is in the history, not counted against the stream table …
    CHECK(again.scalar("SELECT status || ' ' || error_sqlstate || ' ' || error_message FROM pgtrickle.pgt_refresh_history "
                       "WHERE refresh_id = " + cut_short) ==
          "FAILED 57P01 interrupted: the server is shutting down (or the refresh worker was terminated)");
    CHECK(again.scalar("SELECT status || ' ' || consecutive_errors FROM pgtrickle.pgt_stream_tables") == "ACTIVE 0");
    CHECK(s.server.log().find("refresh of public.slow interrupted") != std::string::npos);
    // … which the scheduler refreshes again (ended in turn by the test's own shutdown).
    CHECK(wait_for([&] { return again.scalar(running + " AND refresh_id > " + cut_short).has_value(); }, 10s));
}

TEST_CASE("scheduler: 100 idle stream tables cost no refreshes", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE src (id int PRIMARY KEY, g int, v int)");
    db.exec("INSERT INTO src SELECT i, i % 10, i FROM generate_series(1, 1000) i");
    for (int i = 0; i < 100; ++i)
        db.exec("SELECT pgtrickle.create_stream_table('idle_" + std::to_string(i) + "', 'SELECT g, sum(v) AS s FROM src WHERE g <> " +
                std::to_string(i % 10) + " GROUP BY g', schedule => '1s')");
    std::this_thread::sleep_for(3s);
    const auto pid = *db.scalar("SELECT pid::text FROM pg_stat_activity WHERE backend_type = 'pg_trickle scheduler' "
                                "AND datname = current_database()");
    const auto history = db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history");
    const double before = process_cpu_seconds(pid);
    std::this_thread::sleep_for(10s);
    const double used = process_cpu_seconds(pid) - before;
    std::cout << "idle scheduler with 100 stream tables: " << used << " s of CPU in 10 s (" << used * 10 << "% of a core)\n";
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history") == history); // nothing to do, nothing done
    // A change still wakes it, and all 100 follow.
    db.exec("UPDATE src SET v = v + 1 WHERE id = 7");
    CHECK(wait_for([&] {
        return db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE action = 'DIFFERENTIAL' AND "
                         "status = 'COMPLETED' AND initiated_by = 'SCHEDULER'") == "100";
    }, 60s));
}

TEST_CASE("scheduler: a dormant scheduler comes back when a stream table with pending changes is due", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE src (id int PRIMARY KEY)");
    db.exec("SELECT pgtrickle.create_stream_table('slow', 'SELECT count(*) AS n FROM src', schedule => '70s')");
    const auto created = std::chrono::steady_clock::now();
    db.exec("INSERT INTO src VALUES (1)"); // pending, due 70 s after the initial refresh
    // Idle for 30 s with nothing due in the next 30 s: the scheduler leaves.
    const std::string schedulers = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_trickle scheduler' "
                                   "AND datname = current_database()";
    REQUIRE(wait_for([&] { return db.scalar(schedulers) == "0"; }, 45s));
    CHECK(db.scalar("SELECT pgtrickle._scheduler_running()") == "t"); // dormant counts as running
    CHECK(db.scalar("SELECT n FROM slow") == "0");
    // Nothing else happens in the database: the launcher restarts it at the due time.
    REQUIRE(wait_for([&] { return db.scalar("SELECT n FROM slow") == "1"; }, 50s));
    const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - created);
    // Due 70 s after the initial refresh by the server's clock, which the schedule follows (a
    // virtual machine's wall clock may be stepped while the test waits).
    const double due_after = std::stod(*db.scalar(
        "SELECT extract(epoch FROM s.start_time - i.end_time) FROM pgtrickle.pgt_refresh_history s, pgtrickle.pgt_refresh_history i "
        "WHERE s.initiated_by = 'SCHEDULER' AND s.status = 'COMPLETED' AND i.initiated_by = 'INITIAL'"));
    std::cout << "70s stream table refreshed by a dormant scheduler " << after.count() << " ms after creation, " << due_after
              << " s after its initial refresh by the server's clock\n";
    CHECK(due_after >= 68);
    CHECK(due_after <= 75);
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE initiated_by = 'SCHEDULER' AND "
                    "status = 'COMPLETED'") == "1");
}

TEST_CASE("scheduler: databases without the extension do not use up the launcher's table", "[scheduler]") {
    // Shared memory tracks 64 databases: probing 70 without the extension must not fill it.
    // Worker slots for all: the launcher probes every database at its first scan.
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 200", "max_worker_processes = 80"}});
    auto admin = server.connect();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 70; ++i) admin.exec("CREATE DATABASE plain_" + std::to_string(i));
    admin.exec("CREATE DATABASE late");
    const auto created = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::this_thread::sleep_for(11s); // at least one scan of the launcher sees them all
    auto db = server.connect("late");
    db.exec("CREATE EXTENSION pg_trickle");
    auto took = wait_for([&] { return db.scalar("SELECT pgtrickle._scheduler_running()") == "t"; }, 20s);
    REQUIRE(took);
    std::cout << "71 databases created in " << created.count() << " ms; scheduler of the 72nd running after "
              << took->count() << " ms\n";
    db.exec("CREATE TABLE t (id int PRIMARY KEY)");
    db.exec("SELECT pgtrickle.create_stream_table('c', 'SELECT count(*) AS n FROM t', schedule => '1s')");
    db.exec("INSERT INTO t VALUES (1), (2)");
    CHECK(wait_for([&] { return db.scalar("SELECT n FROM c") == "2"; }, 10s));
    CHECK(server.log().find("gets no scheduler") == std::string::npos);
}

TEST_CASE("scheduler: databases beyond the 64 served are reported once, and served when others are dropped", "[scheduler]") {
    cluster server(cluster_options{"pg_trickle", {"max_worker_processes = 80"}});
    auto admin = server.connect();
    server.connect("template1").exec("CREATE EXTENSION pg_trickle"); // every new database has it
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 65; ++i) admin.exec("CREATE DATABASE served_" + std::to_string(i));
    // 64 get a scheduler; the one left over is named in a warning (postgres, without the
    // extension, is not).
    const std::string warning = "gets no scheduler: shared memory tracks at most 64 databases";
    auto warnings = [&] {
        const std::string log = server.log();
        std::vector<std::string> names;
        for (auto at = log.find(warning); at != std::string::npos; at = log.find(warning, at + 1)) {
            const auto open = log.rfind("database \"", at) + 10;
            names.push_back(log.substr(open, log.find('"', open) - open));
        }
        return names;
    };
    REQUIRE(wait_for([&] { return !warnings().empty(); }, 45s));
    const std::string left_over = warnings().front();
    CHECK(left_over.starts_with("served_"));
    // CREATE EXTENSION in one more database: reported too (the launcher scans at once), and the
    // first one is not reported again.
    admin.exec("CREATE DATABASE extra TEMPLATE template0");
    auto extra = server.connect("extra");
    extra.exec("CREATE EXTENSION pg_trickle");
    REQUIRE(wait_for([&] { return warnings().size() == 2; }, 15s));
    CHECK(warnings() == std::vector<std::string>{left_over, "extra"});
    auto first = server.connect(left_over);
    CHECK(first.scalar("SELECT pgtrickle._scheduler_running()") == "f");
    CHECK(extra.scalar("SELECT pgtrickle._scheduler_running()") == "f");
    // Dropped databases give their entries back.
    int dropped = 0;
    for (int i = 0; dropped < 2; ++i)
        if ("served_" + std::to_string(i) != left_over) {
            admin.exec("DROP DATABASE served_" + std::to_string(i) + " WITH (FORCE)");
            ++dropped;
        }
    CHECK(wait_for([&] { return first.scalar("SELECT pgtrickle._scheduler_running()") == "t"; }, 15s));
    CHECK(wait_for([&] { return extra.scalar("SELECT pgtrickle._scheduler_running()") == "t"; }, 15s));
    std::cout << "66 databases with the extension: the two left over served after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
              << " ms\n";
}

TEST_CASE("scheduler: a terminated scheduler is replaced at the next captured change", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE src (id int PRIMARY KEY)");
    db.exec("SELECT pgtrickle.create_stream_table('fast', 'SELECT count(*) AS n FROM src', schedule => '1s')");
    const std::string scheduler = "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_trickle scheduler' "
                                  "AND datname = current_database()";
    const auto old_pid = db.scalar(scheduler);
    REQUIRE(old_pid);
    db.exec("SELECT pg_terminate_backend(" + *old_pid + ")");
    REQUIRE(wait_for([&] { return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = " + *old_pid) == "0"; }, 5s));
    // The launcher may already have replaced it (its periodic rescan can fall in this window);
    // if not, the commit finds no scheduler attached and wakes the launcher, which starts one:
    // either way the change is refreshed on its 1 s schedule, not after a 10 s rescan.
    db.exec("INSERT INTO src VALUES (1)");
    auto took = wait_for([&] { return db.scalar("SELECT n FROM fast") == "1"; }, 4s);
    REQUIRE(took);
    std::cout << "terminated scheduler replaced; change refreshed " << took->count() << " ms after its commit\n";
    CHECK(db.scalar(scheduler) != old_pid);
}

TEST_CASE("scheduler: a FULL stream table holds no buffer trim back, and refreshes after a trim took changes it had not seen",
          "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE src (id int PRIMARY KEY, v int)");
    db.exec("INSERT INTO src SELECT i, i FROM generate_series(1, 100) i");
    db.exec("SELECT pgtrickle.create_stream_table('often', 'SELECT sum(v) AS s FROM src', refresh_mode => 'DIFFERENTIAL', "
            "schedule => '24h')");
    db.exec("SELECT pgtrickle.create_stream_table('rarely', 'SELECT count(*) AS n, max(v) AS m FROM src', refresh_mode => 'FULL', "
            "schedule => '3s')");
    const std::string buffered = "SELECT count(*) FROM pgtrickle_changes.changes_" + *db.scalar("SELECT 'src'::regclass::oid");
    // The DIFFERENTIAL one refreshed twice before the FULL one is due: the buffer is emptied,
    // whatever the FULL one has seen.
    for (int round = 0; round < 2; ++round) {
        db.exec("UPDATE src SET v = v + 1 WHERE id > 90");
        db.exec("SELECT pgtrickle.refresh_stream_table('often')");
        CHECK(db.scalar(buffered) == "0");
    }
    CHECK(db.scalar("SELECT trimmed_below IS NOT NULL FROM pgtrickle.pgt_change_tracking") == "t");
    CHECK_FALSE(equal_to_query(db, "rarely", "n, m", "SELECT count(*) AS n, max(v) AS m FROM src"));
    // Its changes gone from the buffer, the FULL one is still refreshed when due.
    CHECK(wait_for([&] { return equal_to_query(db, "rarely", "n, m", "SELECT count(*) AS n, max(v) AS m FROM src"); }, 10s));
    CHECK(equal_to_query(db, "often", "s", "SELECT sum(v) AS s FROM src"));
    // With nothing more to see, it is left alone.
    const auto refreshes = db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE initiated_by = 'SCHEDULER' AND "
                                     "action <> 'NO_DATA'");
    std::this_thread::sleep_for(4s);
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE initiated_by = 'SCHEDULER' AND action <> 'NO_DATA'") ==
          refreshes);
}

TEST_CASE("scheduler: a large buffer every reader applied is emptied in place after the refresh, its readers exact, a FULL one behind told", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE big (id int PRIMARY KEY, g int, pad text)");
    db.exec("INSERT INTO big SELECT i, i % 10, repeat('x', 40) FROM generate_series(1, 30000) i");
    const std::string per_g = "SELECT g, count(*) AS n, sum(id) AS s FROM big GROUP BY g", top = "SELECT g, max(id) AS m FROM big GROUP BY g";
    db.exec("SELECT pgtrickle.create_stream_table('per_g', '" + per_g + "', refresh_mode => 'DIFFERENTIAL', schedule => '24h')");
    db.exec("SELECT pgtrickle.create_stream_table('top', '" + top + "', refresh_mode => 'DIFFERENTIAL', schedule => '24h')");
    // A FULL reader left behind does not hold the emptying back: the trim is recorded for it.
    const std::string whole = "SELECT count(*) AS n, sum(g) AS s FROM big";
    db.exec("SELECT pgtrickle.create_stream_table('whole', '" + whole + "', refresh_mode => 'FULL', schedule => '24h')");
    const std::string buffer = "pgtrickle_changes.changes_" + *db.scalar("SELECT 'big'::regclass::oid");
    const std::string file = "SELECT relfilenode FROM pg_class WHERE oid = '" + buffer + "'::regclass";
    const auto before = db.scalar(file);
    // 10,000 rows updated: 20,000 records, past a megabyte. The commit wakes the scheduler.
    db.exec("UPDATE big SET g = g + 1 WHERE id <= 10000");
    REQUIRE(wait_for([&] { return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_trickle scheduler' "
                                            "AND datname = current_database()") == "1"; }, 10s));
    // `top` has not applied them: they stay.
    db.exec("SELECT pgtrickle.refresh_stream_table('per_g')");
    std::this_thread::sleep_for(500ms);
    CHECK(db.scalar("SELECT count(*) FROM " + buffer) == "20000");
    // Both have: the scheduler empties the buffer, keeping its file (a TRUNCATE makes a new
    // one, which invalidates every plan reading it).
    db.exec("SELECT pgtrickle.refresh_stream_table('top')");
    CHECK(wait_for([&] { return db.scalar("SELECT pg_relation_size('" + buffer + "')") == "0"; }, 10s));
    CHECK(db.scalar(file) == before);
    CHECK(equal_to_query(db, "per_g", "g, n, s", per_g));
    CHECK(equal_to_query(db, "top", "g, m", top));
    CHECK(db.scalar("SELECT t.trimmed_below > pg_snapshot_xmin(s.frontier_snapshot) FROM pgtrickle.pgt_change_tracking t, "
                    "pgtrickle.pgt_stream_tables s WHERE t.source_relid = 'big'::regclass AND s.pgt_name = 'whole'") == "t");
    CHECK_FALSE(equal_to_query(db, "whole", "n, s", whole));
    db.exec("SELECT pgtrickle.refresh_stream_table('whole')");
    CHECK(equal_to_query(db, "whole", "n, s", whole));
    // Changes written after it are applied as usual.
    db.exec("UPDATE big SET g = g - 1 WHERE id <= 100; DELETE FROM big WHERE id > 29990");
    db.exec("SELECT pgtrickle.refresh_stream_table('per_g'); SELECT pgtrickle.refresh_stream_table('top')");
    CHECK(equal_to_query(db, "per_g", "g, n, s", per_g));
    CHECK(equal_to_query(db, "top", "g, m", top));
}

TEST_CASE("scheduler: a large applied buffer that a writer keeps open has its applied rows deleted all the same", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE busy (id int PRIMARY KEY, g int, pad text)");
    db.exec("INSERT INTO busy SELECT i, i % 10, repeat('x', 40) FROM generate_series(1, 30000) i");
    const std::string per_g = "SELECT g, count(*) AS n FROM busy GROUP BY g";
    db.exec("SELECT pgtrickle.create_stream_table('busy_g', '" + per_g + "', refresh_mode => 'DIFFERENTIAL', schedule => '24h')");
    const std::string buffer = "pgtrickle_changes.changes_" + *db.scalar("SELECT 'busy'::regclass::oid");
    // 20,000 records, past a megabyte: the refresh that applies them leaves the buffer to the
    // scheduler. Before it commits, a writer adds a row it keeps uncommitted: the buffer stays
    // open, and is never all applied (writers that never leave a buffer alone, as a steady load).
    db.exec("UPDATE busy SET g = g + 1 WHERE id <= 10000");
    REQUIRE(wait_for([&] { return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_trickle scheduler' "
                                            "AND datname = current_database()") == "1"; }, 10s));
    auto writer = s.server.connect();
    db.exec("BEGIN");
    db.exec("SELECT pgtrickle.refresh_stream_table('busy_g')");
    writer.exec("BEGIN");
    writer.exec("INSERT INTO busy VALUES (30001, 1, 'w')");
    db.exec("COMMIT");
    // The applied rows are deleted all the same (else every refresh would leave the buffer
    // again, and it would grow by every change).
    CHECK(wait_for([&] { return db.scalar("SELECT count(*) FROM " + buffer) == "0"; }, 5s));
    writer.exec("COMMIT");
    db.exec("SELECT pgtrickle.refresh_stream_table('busy_g')");
    CHECK(equal_to_query(db, "busy_g", "g, n", per_g));
}

TEST_CASE("refresh: without a scheduler, a refresh truncates a large applied buffer where that costs less than deleting its rows",
          "[scheduler]") {
    // No worker left for a scheduler: the launcher and logical replication's take both.
    cluster server(cluster_options{"pg_trickle", {"max_worker_processes = 2"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("CREATE TABLE w (id int PRIMARY KEY, v int)");
    db.exec("SELECT pgtrickle.create_stream_table('w_total', 'SELECT count(*) AS n, sum(v) AS s FROM w', refresh_mode => 'DIFFERENTIAL', "
            "schedule => '24h', cdc_mode => 'trigger')");
    db.exec("SELECT pgtrickle.create_stream_table('w_max', 'SELECT max(v) AS m FROM w', refresh_mode => 'AUTO', schedule => '24h', "
            "cdc_mode => 'trigger')");
    db.exec("SELECT pgtrickle.create_stream_table('w_rows', 'SELECT count(*) AS n FROM w', refresh_mode => 'FULL', schedule => '24h', "
            "cdc_mode => 'trigger')");
    std::this_thread::sleep_for(2s);
    REQUIRE(db.scalar("SELECT pgtrickle._scheduler_running()") == "f");
    const std::string buffer = "pgtrickle_changes.changes_" + *db.scalar("SELECT 'w'::regclass::oid");
    const auto exact = [&] {
        return equal_to_query(db, "w_total", "n, s", "SELECT count(*) AS n, sum(v) AS s FROM w") &&
               equal_to_query(db, "w_max", "m", "SELECT max(v) AS m FROM w");
    };
    // 30,000 rows every reader that applies changes has applied (the FULL one, w_rows, is
    // told by the trim's record): truncated by the refresh.
    db.exec("INSERT INTO w SELECT i, i FROM generate_series(1, 30000) i");
    db.exec("SELECT pgtrickle.refresh_stream_table('w_max'), pgtrickle.refresh_stream_table('w_total')");
    CHECK(db.scalar("SELECT pg_relation_size('" + buffer + "')") == "0");
    CHECK(exact());
    // A truncation makes each reader plan its statements again, a deletion keeps their plans:
    // a buffer read by a stream table whose planning AUTO measured as costly keeps its file, its
    // rows deleted.
    db.exec("UPDATE pgtrickle.pgt_stream_tables SET auto_costs = '{0,0,0,0,0,0,0,0,60000}' WHERE pgt_name = 'w_max'"); // a minute's planning
    db.exec("INSERT INTO w SELECT i, i FROM generate_series(30001, 60000) i");
    db.exec("SELECT pgtrickle.refresh_stream_table('w_max'), pgtrickle.refresh_stream_table('w_total')");
    CHECK(db.scalar("SELECT pg_relation_size('" + buffer + "') > 0") == "t");
    CHECK(db.scalar("SELECT count(*) FROM " + buffer) == "0");
    CHECK(exact());
    db.exec("SELECT pgtrickle.refresh_stream_table('w_rows')");
    CHECK(equal_to_query(db, "w_rows", "n", "SELECT count(*) AS n FROM w"));
}

TEST_CASE("scheduler: stream tables found without changes take the next change of their source, COMMIT PREPARED's included",
          "[scheduler]") {
    server_with_extension s{"max_prepared_transactions = 4"};
    auto& db = s.db;
    db.exec("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY)");
    for (const std::string t : {"a", "b"})
        for (int i = 0; i < 3; ++i)
            db.exec("SELECT pgtrickle.create_stream_table('count_" + t + std::to_string(i) + "', 'SELECT count(*) AS n FROM " + t +
                    "', schedule => '1s', refresh_mode => 'DIFFERENTIAL')");
    std::this_thread::sleep_for(3s); // each is found without changes, and kept so
    const auto all_equal = [&](const std::string& t, const std::string& n) {
        return db.scalar("SELECT count(*) FROM (SELECT n FROM count_" + t + "0 UNION ALL SELECT n FROM count_" + t +
                         "1 UNION ALL SELECT n FROM count_" + t + "2) c WHERE n = " + n) == "3";
    };
    db.exec("INSERT INTO a VALUES (1)");
    REQUIRE(wait_for([&] { return all_equal("a", "1"); }, 4s));
    CHECK(all_equal("b", "0"));
    // A prepared transaction's changes become visible at COMMIT PREPARED, which no capture
    // trigger announces: the scheduler keeps looking while the transaction is prepared.
    auto writer = s.server.connect();
    writer.exec("BEGIN; INSERT INTO b VALUES (1), (2); PREPARE TRANSACTION 'two_phase'");
    std::this_thread::sleep_for(2s);
    CHECK(all_equal("b", "0"));
    db.exec("COMMIT PREPARED 'two_phase'");
    auto took = wait_for([&] { return all_equal("b", "2"); }, 5s);
    REQUIRE(took);
    std::cout << "COMMIT PREPARED reached 3 idle stream tables in " << took->count() << " ms\n";
    db.exec("INSERT INTO b VALUES (3)");
    CHECK(wait_for([&] { return all_equal("b", "3"); }, 4s));
}
