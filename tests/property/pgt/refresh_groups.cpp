// Refresh groups on a live server: stream tables over different tables, on different
// schedules, grouped by create_refresh_group, always refresh to one snapshot — a report that
// reads them together sees them consistent with each other while writers run.
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
using pgt::testing::sqlstate_of;
using pgt::testing::test_thread;
using pgt::testing::wait_for;


} // namespace

TEST_CASE("refresh groups: two stream tables over two tables read consistent with each other", "[scheduler]") {
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 100", "max_worker_processes = 16"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    // Money moves from accounts to a ledger in one transaction: the two sums always add up.
    db.exec("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
    db.exec("INSERT INTO accounts SELECT i, 1000 FROM generate_series(1, 50) i");
    db.exec("CREATE TABLE ledger (id bigserial PRIMARY KEY, amount bigint NOT NULL)");
    db.exec("SELECT pgtrickle.create_stream_table('held', 'SELECT sum(balance) AS total FROM accounts', schedule => '1s')");
    db.exec("SELECT pgtrickle.create_stream_table('moved', 'SELECT count(*) AS n, sum(amount) AS total FROM ledger', "
            "schedule => '2s')");

    // Bad input.
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_refresh_group('g', ARRAY['held'])") == "22023");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_refresh_group('g', ARRAY['held', 'nothing'])") == "42P01");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_refresh_group('g', ARRAY['held', 'moved'], 'serializable')") == "22023");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.drop_refresh_group('g')") == "42704");

    db.exec("SELECT pgtrickle.create_refresh_group('books', ARRAY['held', 'moved'])");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_refresh_group('books', ARRAY['held', 'moved'])") == "42710");
    CHECK(db.scalar("SELECT members::text || ' ' || isolation FROM pgtrickle.refresh_groups()") ==
          "{public.held,public.moved} read_committed");

    const auto writer = [&](int seed) {
        return [&, seed](const std::stop_token& stop) {
            auto w = server.connect();
            for (int i = seed; !stop.stop_requested(); i += 7) {
                const std::string amount = std::to_string(1 + i % 9);
                w.exec("BEGIN; UPDATE accounts SET balance = balance - " + amount + " WHERE id = " + std::to_string(1 + i % 50) +
                       "; INSERT INTO ledger (amount) VALUES (" + amount + "); COMMIT");
                std::this_thread::sleep_for(3ms);
            }
        };
    };
    test_thread w1(writer(1)), w2(writer(4));
    const std::string sum = "SELECT (SELECT total FROM held) + coalesce((SELECT total FROM moved), 0)";
    int samples = 0, off = 0;
    const auto until = std::chrono::steady_clock::now() + 7s;
    while (std::chrono::steady_clock::now() < until) {
        off += db.scalar(sum) != "50000";
        ++samples;
        std::this_thread::sleep_for(20ms);
    }
    w1.request_stop();
    w2.request_stop();
    w1.join();
    w2.join();
    std::cout << "refresh group: " << off << " inconsistent samples in " << samples << "\n";
    CHECK(off == 0);
    CHECK(db.scalar("SELECT count(*) >= 2 FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                    "WHERE s.pgt_name = 'moved' AND h.action <> 'NO_DATA'") == "t");
    CHECK(wait_for([&] { return db.scalar("SELECT n FROM moved") == db.scalar("SELECT count(*) FROM ledger"); }, 10s));

    // Dropped, each refreshes on its own again.
    db.exec("SELECT pgtrickle.drop_refresh_group('books')");
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.refresh_groups()") == "0");
}
