// Concurrent writers and refreshes: a change committed while a refresh runs is neither lost nor
// applied twice. Deterministic interleavings first (a transaction that took its xid before a
// refresh and commits after it; a refresh inside a writing transaction), then a randomized run
// with writers in parallel sessions and a refresher, checked against the defining query at the
// end.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <list>
#include <optional>
#include <random>
#include <thread>

#include "live_checks.hpp"
#include "test_thread.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;
using pgt::testing::mismatches;
using pgt::testing::test_thread;

const char* sum_query = "SELECT g, count(*) AS n, sum(v) AS total FROM items GROUP BY g";
const char* rows_query = "SELECT id, g, v FROM items WHERE v % 3 <> 0";

void require_exact(connection& db) {
    CHECK(mismatches(db, "sums", "g, n, total", sum_query) == 0);
    CHECK(mismatches(db, "rows_kept", "id, g, v", rows_query) == 0);
}

void refresh_all(connection& db) {
    db.exec("SELECT pgtrickle.refresh_stream_table('sums'); SELECT pgtrickle.refresh_stream_table('rows_kept')");
}

struct fixture {
    cluster server{cluster_options{"pg_trickle", {}}};
    connection db = server.connect();
    fixture() {
        db.exec("CREATE EXTENSION pg_trickle");
        db.exec("CREATE TABLE items (id int PRIMARY KEY, g int, v int)");
        db.exec("INSERT INTO items SELECT i, i % 5, i FROM generate_series(1, 200) i");
        // One DIFFERENTIAL; one AUTO, which recomputes when a refresh finds more than 15 % of
        // these 200 rows changed.
        db.exec(std::string("SELECT pgtrickle.create_stream_table('sums', '") + sum_query +
                "', refresh_mode => 'DIFFERENTIAL', schedule => '24h')");
        db.exec(std::string("SELECT pgtrickle.create_stream_table('rows_kept', '") + rows_query + "', schedule => '24h')");
    }
};

} // namespace

TEST_CASE("a writer that commits after a refresh started is applied by the next refresh", "[concurrency]") {
    fixture f;
    auto writer = f.server.connect();
    // The writer's transaction has an xid older than the refresh's snapshot but is still in
    // progress when the refresh runs: its change must wait for the next refresh, exactly once.
    writer.exec("BEGIN; INSERT INTO items VALUES (1001, 1, 1000)");
    f.db.exec("INSERT INTO items VALUES (1002, 2, 2000)");
    refresh_all(f.db);
    writer.exec("UPDATE items SET v = v + 1 WHERE id = 1");
    writer.exec("COMMIT");
    CHECK(mismatches(f.db, "sums", "g, n, total", sum_query) != 0); // not yet applied
    refresh_all(f.db);
    require_exact(f.db);
    refresh_all(f.db); // and not applied twice
    require_exact(f.db);
}

TEST_CASE("a stream table created while a writer commits keeps the writer's change, whatever other readers trim", "[concurrency]") {
    fixture f;
    // The writer's change is not in the new stream table's first load (its snapshot sees the
    // writer running); another reader applies it before the creation commits, when it does not
    // see the new reader yet, and must not trim it (the creation's first refresh holds the
    // buffer's trim lock until it commits).
    auto writer = f.server.connect(), creator = f.server.connect();
    writer.exec("BEGIN; INSERT INTO items VALUES (4001, 1, 500)");
    const std::string counts = "SELECT g, count(*) AS n FROM items GROUP BY g";
    creator.exec("BEGIN");
    creator.exec("SELECT pgtrickle.create_stream_table('counts', '" + counts + "', refresh_mode => 'DIFFERENTIAL', schedule => '24h')");
    writer.exec("COMMIT");
    // (The DIFFERENTIAL reader last: an AUTO one leaves the trim to it.)
    f.db.exec("SELECT pgtrickle.refresh_stream_table('rows_kept'); SELECT pgtrickle.refresh_stream_table('sums')");
    creator.exec("COMMIT");
    f.db.exec("SELECT pgtrickle.refresh_stream_table('counts')");
    CHECK(mismatches(f.db, "counts", "g, n", counts) == 0);
    require_exact(f.db);
}

TEST_CASE("dropping a source's last reader while another is created keeps the source captured", "[concurrency]") {
    fixture f;
    f.db.exec("CREATE TABLE logs (id int PRIMARY KEY, k int)");
    f.db.exec("INSERT INTO logs SELECT i, i % 3 FROM generate_series(1, 30) i");
    const std::string per_k = "SELECT k, count(*) AS n FROM logs GROUP BY k";
    f.db.exec("SELECT pgtrickle.create_stream_table('old_reader', '" + per_k + "', refresh_mode => 'DIFFERENTIAL', schedule => '24h')");
    // The new reader's creation is not committed when the drop looks for other readers.
    std::optional<test_thread> dropper; // (joined after `creator` commits)
    auto creator = f.server.connect();
    creator.exec("BEGIN");
    creator.exec("SELECT pgtrickle.create_stream_table('new_reader', '" + per_k + "', refresh_mode => 'DIFFERENTIAL', schedule => '24h')");
    dropper.emplace([&] {
        auto c = f.server.connect();
        c.exec("SET application_name = 'dropper'");
        c.exec("SELECT pgtrickle.drop_stream_table('old_reader')");
    });
    REQUIRE(pgt::testing::wait_for([&] {
        return f.db.scalar("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE NOT l.granted "
                           "AND a.application_name = 'dropper'") != "0";
    }, std::chrono::seconds(20)));
    creator.exec("COMMIT");
    dropper->join();
    f.db.exec("INSERT INTO logs VALUES (31, 1), (32, 2); DELETE FROM logs WHERE id = 3");
    f.db.exec("SELECT pgtrickle.refresh_stream_table('new_reader')");
    CHECK(mismatches(f.db, "new_reader", "k, n", per_k) == 0);
}

TEST_CASE("records a reader applied and another still needs are not applied again", "[concurrency]") {
    // The buffer keeps what `sums` applied for `rows_kept`, which has not refreshed since: the
    // next refresh of `sums` reads those records besides the new ones, and must tell them apart.
    fixture f;
    f.db.exec("UPDATE items SET v = v + 1 WHERE id % 4 = 0");
    f.db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
    f.db.exec("UPDATE items SET v = v + 2 WHERE id % 3 = 0");
    f.db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
    CHECK(mismatches(f.db, "sums", "g, n, total", sum_query) == 0);
    f.db.exec("DELETE FROM items WHERE id % 7 = 0");
    refresh_all(f.db);
    require_exact(f.db);
}

TEST_CASE("a small change is found wherever the buffer put it, before or after what a slower reader holds back",
          "[concurrency]") {
    // A small change's statement reads the buffer from the first page its count found a record
    // the frontier may not have applied. `rows_kept` refreshes every fourth round and holds
    // records back in between; VACUUM lets new records land on the pages its trims emptied,
    // before the held ones (new sessions ask the free space map); a writer whose transaction
    // spans a refresh leaves a record that turns pending only at the next one, on a page
    // before that refresh's other records.
    fixture f;
    const std::string buffer =
        *f.db.scalar("SELECT buffer_relid::regclass::text FROM pgtrickle.pgt_change_tracking WHERE source_relid = 'items'::regclass");
    std::mt19937 rng(11);
    std::optional<connection> spanning;
    int next_id = 5000;
    for (int round = 0; round < 24; ++round) {
        if (round % 4 == 0) {
            f.db.exec("SELECT pgtrickle.refresh_stream_table('rows_kept')");
            f.db.exec("VACUUM " + buffer);
        }
        // Up to 46 records a round (a small change's, which spans pages now and then).
        for (int w = 0; w < 2; ++w) {
            auto c = f.server.connect();
            const std::string id = std::to_string(next_id++);
            c.exec("INSERT INTO items VALUES (" + id + ", " + std::to_string(rng() % 5) + ", " + id + ")");
            c.exec("UPDATE items SET v = v + 1 WHERE id % 20 = " + std::to_string(rng() % 20));
        }
        if (spanning) {
            spanning->exec("COMMIT");
            spanning.reset();
        }
        if (round % 3 == 1) {
            spanning.emplace(f.server.connect());
            spanning->exec("BEGIN; UPDATE items SET g = (g + 1) % 5 WHERE id = " + std::to_string(1 + rng() % 200));
        }
        f.db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        INFO("round " << round);
        CHECK(mismatches(f.db, "sums", "g, n, total", sum_query) == 0); // (the open transaction's change seen by neither)
    }
    if (spanning) spanning->exec("COMMIT");
    refresh_all(f.db);
    require_exact(f.db);
}

TEST_CASE("a large change skips the frontier's test only where its buffer holds no applied record", "[concurrency]") {
    // A change of more than a thousand records is read without testing each against the
    // frontier when the count saw no record the frontier applied. Here `sums` applies large
    // changes while the buffer still holds records it applied: ones `rows_kept` has not read
    // (it refreshes every third round), and its own transaction's earlier ones.
    fixture f;
    int next_id = 10000;
    const auto large_change = [&](connection& c) {
        c.exec("INSERT INTO items SELECT i, i % 5, i FROM generate_series(" + std::to_string(next_id) + ", " +
               std::to_string(next_id + 599) + ") i");
        next_id += 600;
        c.exec("UPDATE items SET v = v + 1 WHERE id % 2 = " + std::to_string(next_id % 2));
    };
    for (int round = 0; round < 6; ++round) {
        large_change(f.db);
        f.db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        if (round % 3 == 2) f.db.exec("SELECT pgtrickle.refresh_stream_table('rows_kept')");
        INFO("round " << round);
        CHECK(mismatches(f.db, "sums", "g, n, total", sum_query) == 0);
    }
    f.db.exec("BEGIN");
    large_change(f.db);
    f.db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
    large_change(f.db);
    f.db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
    CHECK(mismatches(f.db, "sums", "g, n, total", sum_query) == 0);
    f.db.exec("COMMIT");
    large_change(f.db);
    refresh_all(f.db);
    require_exact(f.db);
}

TEST_CASE("a refresh inside a writing transaction applies its earlier changes once", "[concurrency]") {
    fixture f;
    f.db.exec("BEGIN");
    f.db.exec("INSERT INTO items VALUES (2001, 3, 7)");
    refresh_all(f.db);
    f.db.exec("DELETE FROM items WHERE id = 2");      // after the refresh, same transaction
    f.db.exec("COMMIT");
    refresh_all(f.db);
    require_exact(f.db);
}

TEST_CASE("a rolled back transaction leaves no trace", "[concurrency]") {
    fixture f;
    f.db.exec("BEGIN; INSERT INTO items VALUES (3001, 4, 4); DELETE FROM items WHERE id < 50; ROLLBACK");
    f.db.exec("BEGIN; SAVEPOINT s; UPDATE items SET v = 0; ROLLBACK TO s; INSERT INTO items VALUES (3002, 4, 4); COMMIT");
    refresh_all(f.db);
    require_exact(f.db);
}

TEST_CASE("parallel writers while refreshing lose nothing and apply nothing twice", "[concurrency]") {
    fixture f;
    std::atomic<int> next_id{10000};
    auto write = [&](unsigned seed, const std::stop_token& stop) {
        auto c = f.server.connect();
        std::mt19937 rng(seed);
        while (!stop.stop_requested()) {
            const int id = next_id++;
            const int pick = static_cast<int>(rng() % 5);
            try {
                if (pick == 0) c.exec("INSERT INTO items VALUES (" + std::to_string(id) + ", " + std::to_string(rng() % 7) + ", 1)");
                if (pick == 1) c.exec("UPDATE items SET v = v + 1 WHERE id = " + std::to_string(rng() % 300));
                if (pick == 2) c.exec("DELETE FROM items WHERE id = " + std::to_string(rng() % 300));
                if (pick == 3)
                    c.exec("BEGIN; INSERT INTO items VALUES (" + std::to_string(id) + ", 1, 5); SELECT pg_sleep(0.01); "
                           "UPDATE items SET g = g + 1 WHERE id = " + std::to_string(rng() % 300) + "; COMMIT");
                if (pick == 4) c.exec("BEGIN; UPDATE items SET v = v * 2 WHERE g = 3; ROLLBACK");
            } catch (const pgt::testing::server_error&) {
                c.exec("ROLLBACK"); // a deadlock between writers is theirs to retry; nothing to check
            }
        }
    };
    const auto writer = [&](unsigned seed) { return [&write, seed](const std::stop_token& stop) { write(seed, stop); }; };
    test_thread a(writer(1)), b(writer(2)), c(writer(3));
    auto refresher = f.server.connect();
    for (int i = 0; i < 40; ++i) {
        refresh_all(refresher);
        std::this_thread::sleep_for(std::chrono::milliseconds(10)); // the writers get ahead of the refreshes
    }
    for (auto* t : {&a, &b, &c}) t->request_stop();
    for (auto* t : {&a, &b, &c}) t->join();
    refresh_all(refresher);
    require_exact(f.db);
    CHECK(std::stoll(*f.db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE action = 'DIFFERENTIAL'")) > 20);
}

TEST_CASE("two refreshes of one stream table serialize", "[concurrency]") {
    fixture f;
    auto other = f.server.connect();
    std::atomic<bool> done{false};
    std::optional<test_thread> t; // (joined after `first` lets it go)
    auto first = f.server.connect();
    f.db.exec("INSERT INTO items VALUES (4001, 1, 1)");
    first.exec("BEGIN; SELECT pgtrickle.refresh_stream_table('sums')");
    t.emplace([&] {
        other.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(done); // waits for the first refresh's transaction
    first.exec("INSERT INTO items VALUES (4002, 1, 1); COMMIT");
    t->join();
    CHECK(done);
    refresh_all(f.db);
    require_exact(f.db);
}

TEST_CASE("IMMEDIATE: 8 concurrent writers of a join + aggregate end exact", "[concurrency][immediate]") {
    cluster server{cluster_options{"pg_trickle", {}}};
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("CREATE TABLE customers (id int PRIMARY KEY, segment int)");
    db.exec("CREATE TABLE orders (id int PRIMARY KEY, customer int, amount int)");
    db.exec("INSERT INTO customers SELECT i, i % 4 FROM generate_series(1, 40) i");
    db.exec("INSERT INTO orders SELECT i, 1 + i % 45, i % 100 FROM generate_series(1, 400) i");
    const std::string segments = "SELECT c.segment, count(*) AS n, sum(o.amount) AS total FROM orders o "
                                 "JOIN customers c ON c.id = o.customer GROUP BY c.segment";
    const std::string per_customer = "SELECT customer, count(*) AS n, max(amount) AS top FROM orders GROUP BY customer";
    db.exec("SELECT pgtrickle.create_stream_table('segments', $q$" + segments + "$q$, refresh_mode => 'IMMEDIATE')");
    db.exec("SELECT pgtrickle.create_stream_table('per_customer', $q$" + per_customer + "$q$, refresh_mode => 'IMMEDIATE')");
    std::atomic<int> next_id{10000}, failed{0};
    auto write = [&](unsigned seed) {
        auto c = server.connect();
        std::mt19937 rng(seed);
        auto n = [&](unsigned k) { return std::to_string(rng() % k); };
        for (int i = 0; i < 1000; ++i) {
            const std::string id = std::to_string(next_id++);
            try {
                switch (rng() % 8) {
                case 0: c.exec("INSERT INTO orders VALUES (" + id + ", " + n(45) + ", " + n(100) + ")"); break;
                case 1: c.exec("UPDATE orders SET amount = amount + 1 WHERE id = " + n(500)); break;
                case 2: c.exec("UPDATE orders SET customer = " + n(45) + " WHERE id = " + n(500)); break;
                case 3: c.exec("DELETE FROM orders WHERE id = " + n(500)); break;
                case 4: c.exec("UPDATE customers SET segment = " + n(5) + " WHERE id = " + n(45)); break;
                case 5:
                    c.exec("BEGIN; INSERT INTO orders VALUES (" + id + ", " + n(45) + ", 7); UPDATE customers SET segment = " +
                           n(5) + " WHERE id = " + n(45) + "; COMMIT");
                    break;
                case 6: c.exec("BEGIN; DELETE FROM orders WHERE customer = " + n(45) + "; ROLLBACK"); break;
                default:
                    c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ; UPDATE orders SET amount = 0 WHERE id = " + n(500) +
                           "; COMMIT");
                    break;
                }
            } catch (const pgt::testing::server_error&) {
                // A deadlock between writers, or a stale REPEATABLE READ snapshot (40001): the
                // transaction is rolled back, which is what the writer would retry.
                ++failed;
                c.exec("ROLLBACK");
            }
        }
    };
    std::list<test_thread> writers;
    for (unsigned s = 1; s <= 8; ++s) writers.emplace_back([&write, s] { write(s); });
    for (auto& t : writers) t.join();
    CHECK(mismatches(db, "segments", "segment, n, total", segments) == 0);
    CHECK(mismatches(db, "per_customer", "customer, n, top", per_customer) == 0);
    CHECK(failed < 8000 / 4); // most statements went through
}
