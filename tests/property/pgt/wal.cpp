// Change capture from the WAL on a live server (wal_level = logical): what cdc_mode = 'wal'
// requires, sources moving to the WAL and back with nothing lost or applied twice, a refresh
// inside a writing transaction, giving up when decoding may no longer load pg_trickle, and
// the postmaster killed while changes are decoded and refreshed.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "live_checks.hpp"
#include "runner.hpp"
#include "test_thread.hpp"

namespace {

using namespace std::chrono_literals;
using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;
using pgt::testing::equal_to_query;
using pgt::testing::test_thread;
using pgt::testing::wait_for;

const char* sums_query = "SELECT g, count(*) AS n, sum(v) AS total FROM items GROUP BY g";

struct wal_server {
    cluster server{cluster_options{"pg_trickle",
                                   {"wal_level = logical", "pg_trickle.scheduler_interval_ms = 200", "synchronous_commit = on"}}};
    connection db = server.connect();
    wal_server() {
        db.exec("CREATE EXTENSION pg_trickle");
        db.exec("CREATE TABLE items (id int PRIMARY KEY, g int, v int)");
        db.exec("INSERT INTO items SELECT i, i % 7, i FROM generate_series(1, 500) i");
    }
    std::string mode(connection& c) {
        return c.scalar("SELECT cdc_mode FROM pgtrickle.pgt_change_tracking WHERE source_relid = 'items'::regclass").value_or("");
    }
    std::string capture_triggers(connection& c) {
        return *c.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'items'::regclass AND tgname LIKE 'pg\\_trickle\\_cdc%'");
    }
};

/// A server with `setting` besides WAL capture, `items` with `rows` rows, the statements
/// `before`, and the stream table `sums` over `items` asked to capture from the WAL.
struct wal_sums_server {
    cluster server;
    connection db;
    std::string slot; ///< the database's capture slot
    wal_sums_server(const std::string& setting, int rows, const std::vector<std::string>& before = {})
        : server{cluster_options{"pg_trickle", {"wal_level = logical", "pg_trickle.scheduler_interval_ms = 200", setting}}},
          db(server.connect()) {
        db.exec("CREATE EXTENSION pg_trickle");
        db.exec("CREATE TABLE items (id int PRIMARY KEY, g int, v int)");
        db.exec("INSERT INTO items SELECT i, i % 7, i FROM generate_series(1, " + std::to_string(rows) + ") i");
        for (const auto& statement : before) db.exec(statement);
        pgt::testing::allow_wal_capture(db);
        db.exec(std::string("SELECT pgtrickle.create_stream_table('sums', '") + sums_query + "', schedule => '24h', cdc_mode => 'wal')");
        slot = "pgtrickle_" + *db.scalar("SELECT oid FROM pg_database WHERE datname = current_database()");
    }
    /// Whether the scheduler has moved `items` to the WAL (waiting for it up to 20 s).
    bool captured_from_wal() {
        return wait_for([&] { return db.scalar("SELECT cdc_mode FROM pgtrickle.pgt_change_tracking") == "WAL"; }, 20s).has_value();
    }
    /// `column` of pg_stat_replication_slots for the capture slot ("none": no row yet).
    std::string slot_stat(const std::string& column) {
        return db.scalar("SELECT " + column + " FROM pg_stat_replication_slots WHERE slot_name = '" + slot + "'").value_or("none");
    }
    /// Refreshes `sums` and compares it with its query.
    bool refreshed_exact() {
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        return equal_to_query(db, "sums", "g, n, total", sums_query);
    }
};

/// Writes of every kind, some committed asynchronously.
void write_round(connection& db, int round) {
    const std::string r = std::to_string(round);
    db.exec("INSERT INTO items SELECT 1000 * " + r + " + i, i % 7, i FROM generate_series(1, 20) i");
    db.exec("UPDATE items SET v = v + 1, g = (g + 1) % 7 WHERE id % 11 = " + std::to_string(round % 11));
    db.exec("BEGIN; SET LOCAL synchronous_commit = off; DELETE FROM items WHERE id % 13 = " + std::to_string(round % 13) +
            "; COMMIT");
}

connection reconnect(const cluster& server) {
    for (int i = 0; i < 300; ++i) {
        try {
            auto c = server.connect();
            if (c.scalar("SELECT NOT pg_is_in_recovery()") == "t") return c;
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(100ms);
    }
    FAIL("the server did not come back:\n" << server.log());
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("WAL capture: sources move to the WAL and back and stay exact", "[wal]") {
    wal_server s;
    auto& db = s.db;
    // Minors since 15.19 load only the output plugins output_plugin_libraries names.
    if (db.scalar("SELECT current_setting('output_plugin_libraries', true) IS NOT NULL") == "t") {
        try {
            db.exec(std::string("SELECT pgtrickle.create_stream_table('sums', '") + sums_query + "', cdc_mode => 'wal')");
            FAIL("cdc_mode = 'wal' was accepted without pg_trickle in output_plugin_libraries");
        } catch (const pgt::testing::server_error& e) {
            CHECK(e.sqlstate == "22023");
            CHECK_THAT(e.what(), Catch::Contains("output_plugin_libraries"));
        }
    }
    pgt::testing::allow_wal_capture(db);
    db.exec(std::string("SELECT pgtrickle.create_stream_table('sums', '") + sums_query + "', schedule => '1s', cdc_mode => 'wal')");
    INFO("server log:\n" << s.server.log());
    REQUIRE(wait_for([&] { return s.mode(db) == "WAL"; }, 20s));
    CHECK(s.capture_triggers(db) == "0");
    CHECK(db.scalar("SELECT relreplident FROM pg_class WHERE oid = 'items'::regclass") == "f");

    SECTION("the scheduler decodes and refreshes on its own; a manual refresh sees what committed before it") {
        for (int round = 1; round <= 3; ++round) write_round(db, round);
        CHECK(wait_for([&] { return equal_to_query(db, "sums", "g, n, total", sums_query); }, 20s));
        write_round(db, 4);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        CHECK(db.scalar("SELECT count(*) FROM pgtrickle.check_cdc_health() WHERE cdc_mode = 'WAL' AND alert IS NULL") == "1");
        // More changes than work_mem holds: decoded through a temporary file, closed after.
        db.exec("INSERT INTO items SELECT i, i % 7, i FROM generate_series(100001, 160000) i");
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(s.server.log().find("temporary file leak") == std::string::npos);
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
    SECTION("a refresh inside a writing transaction applies the transaction's changes once") {
        db.exec("BEGIN");
        write_round(db, 5);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        db.exec("COMMIT");
        write_round(db, 6);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
    SECTION("a refresh sees every transaction committed before it: long, with subtransactions, before a rewrite") {
        // Refreshes skip decoding when no commit since the last pass may have changed a source.
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        auto other = s.server.connect();
        other.exec("BEGIN");
        other.exec("INSERT INTO items VALUES (90001, 1, 100)"); // written before the next pass, committed after
        db.exec("INSERT INTO items VALUES (90004, 4, 1)");
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        other.exec("COMMIT");
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        db.exec("BEGIN; SAVEPOINT a; INSERT INTO items VALUES (90002, 2, 7); RELEASE a; SAVEPOINT b; "
                "DELETE FROM items WHERE id = 3; ROLLBACK TO b; UPDATE items SET v = 0 WHERE id = 4; COMMIT");
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        db.exec("INSERT INTO items VALUES (90003, 3, 11)");
        db.exec("VACUUM FULL items"); // the rows move to another file
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        db.exec("UPDATE items SET v = v + 1 WHERE id = 90003");
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
    SECTION("a refresh right after a commit waits for the database's WAL decoder, or decodes itself without one") {
        const auto decoders = [&] {
            return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_trickle WAL decoder'");
        };
        REQUIRE(wait_for([&] { return decoders() == "1"; }, 20s));
        for (int round = 20; round < 30; ++round) {
            write_round(db, round);
            db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
            CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        }
        // (The scheduler starts another at its next look: the refresh may find either.)
        db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'pg_trickle WAL decoder'");
        write_round(db, 30);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        REQUIRE(wait_for([&] { return decoders() == "1"; }, 20s));
        write_round(db, 31);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
    SECTION("the source's columns change between its changes: each change is decoded with the columns of its time") {
        // (Columns added and dropped without a rewrite: the rows before and after share the
        // file, and only the catalogs of their time tell their columns apart.)
        const char* weights_query = "SELECT g, sum(w) AS w FROM items GROUP BY g";
        db.exec("ALTER TABLE items ADD COLUMN w int DEFAULT 1");
        db.exec("INSERT INTO items (id, g, v, w) SELECT 70000 + i, i % 7, i, 3 * i FROM generate_series(1, 30) i");
        db.exec(std::string("SELECT pgtrickle.create_stream_table('weights', '") + weights_query + "', cdc_mode => 'wal')");
        db.exec("UPDATE items SET w = w + 2 WHERE id % 5 = 0");
        db.exec("BEGIN; UPDATE items SET w = w + 1 WHERE id % 3 = 0; ALTER TABLE items ADD COLUMN note text; "
                "UPDATE items SET w = 2 * w, note = 'x' WHERE id % 7 = 0; COMMIT");
        db.exec("SELECT pgtrickle.refresh_stream_table('weights')");
        CHECK(equal_to_query(db, "weights", "g, w", weights_query));
        db.exec("ALTER TABLE items DROP COLUMN note");
        db.exec("DELETE FROM items WHERE id % 9 = 0");
        write_round(db, 40);
        db.exec("SELECT pgtrickle.refresh_stream_table('weights')");
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "weights", "g, w", weights_query));
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
    SECTION("the scheduler never waits for a change buffer's lock: a transaction dropping buffers never deadlocks with it") {
        // As drop_stream_table does, one buffer locked and then another: a scheduler waiting
        // here would hold the source and the other buffers.
        auto other = s.server.connect();
        other.exec("BEGIN");
        other.exec("LOCK TABLE pgtrickle_changes.changes_" + *db.scalar("SELECT 'items'::regclass::oid") +
                   " IN ACCESS EXCLUSIVE MODE");
        db.exec("INSERT INTO items VALUES (90010, 1, 5)"); // a commit the scheduler's passes would decode
        std::this_thread::sleep_for(1500ms);             // its passes, every 200 ms
        CHECK(other.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted") == "0");
        other.exec("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
        other.exec("COMMIT");
        CHECK(wait_for([&] { return equal_to_query(db, "sums", "g, n, total", sums_query); }, 20s));
    }
    SECTION("the replica identity stays FULL; catalog, monitoring and lifecycle show the WAL mode") {
        try {
            db.exec("ALTER TABLE items REPLICA IDENTITY DEFAULT");
            FAIL("the replica identity of a WAL source was changed");
        } catch (const pgt::testing::server_error& e) {
            CHECK(e.sqlstate == "55000");
        }
        CHECK(db.scalar("SELECT string_agg(DISTINCT cdc_mode, ',') FROM pgtrickle.pgt_dependencies") == "WAL");
        db.exec("CREATE ROLE watcher LOGIN");
        db.exec("GRANT USAGE ON SCHEMA pgtrickle TO watcher");
        auto watcher = s.server.connect("postgres", "watcher");
        CHECK(watcher.scalar("SELECT count(*) FROM pgtrickle.check_cdc_health() WHERE alert IS NULL") == "1");
        CHECK(watcher.scalar("SELECT severity FROM pgtrickle.health_check() WHERE check_name = 'slot_lag'") == "OK");
        // create_or_replace with another cdc_mode changes it, as alter_stream_table does.
        db.exec(std::string("SELECT pgtrickle.create_or_replace_stream_table('sums', '") + sums_query +
                "', schedule => '1s', cdc_mode => 'trigger')");
        CHECK(s.mode(db) == "TRIGGER");
        CHECK(db.scalar("SELECT string_agg(DISTINCT cdc_mode, ',') FROM pgtrickle.pgt_dependencies") == "TRIGGER");
        db.exec(std::string("SELECT pgtrickle.create_or_replace_stream_table('sums', '") + sums_query +
                "', schedule => '1s', cdc_mode => 'wal')");
        REQUIRE(wait_for([&] { return s.mode(db) == "WAL"; }, 20s));
        // Dropping the last reader releases the source without a word about absent triggers.
        (void)db.take_notices();
        db.exec("SELECT pgtrickle.drop_stream_table('sums')");
        CHECK(db.take_notices().empty());
        CHECK(wait_for([&] { return db.scalar("SELECT count(*) FROM pg_replication_slots") == "0"; }, 20s));
    }
    SECTION("back to triggers and to the WAL again, with writes in between") {
        write_round(db, 7);
        db.exec("SELECT pgtrickle.alter_stream_table('sums', cdc_mode => 'trigger')");
        CHECK(s.mode(db) == "TRIGGER");
        CHECK(s.capture_triggers(db) != "0");
        write_round(db, 8);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        db.exec("SELECT pgtrickle.alter_stream_table('sums', cdc_mode => 'wal')");
        write_round(db, 9);
        REQUIRE(wait_for([&] { return s.mode(db) == "WAL"; }, 20s));
        write_round(db, 10);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
    SECTION("a source moved to the WAL while the scheduler drops the unused slot keeps a slot and loses no change") {
        // The scheduler drops the slot when no source is read from the WAL. A move to the WAL
        // that commits first must stop it: here the move is queued on the decoding lock before
        // the scheduler may decide to drop, and commits first.
        db.exec("ALTER SYSTEM SET pg_trickle.enabled = off"); // (capture goes on; no refresh holds the scheduler)
        db.exec("SELECT pg_reload_conf()");
        write_round(db, 14);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        std::optional<test_thread> mover; // (joined after `holder` lets it go)
        auto holder = s.server.connect();
        holder.exec("SELECT pg_advisory_lock(1885828215, 0)"); // the decoding lock (wal_capture.cpp)
        holder.exec("SELECT pgtrickle.alter_stream_table('sums', cdc_mode => 'trigger')");
        const auto waits = [&](const std::string& who) {
            return db.scalar("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' "
                             "AND NOT l.granted AND a.application_name = '" + who + "'") == "1";
        };
        mover.emplace([&] {
            auto c = s.server.connect();
            c.exec("SET application_name = 'mover'");
            c.exec("SELECT pgtrickle.alter_stream_table('sums', cdc_mode => 'wal')");
        });
        REQUIRE(wait_for([&] { return waits("mover"); }, 20s));
        // What a decoding pass does with the window the move to triggers opened, every change
        // in it decoded already. Then the scheduler's look (it may have queued before).
        holder.exec("UPDATE pgtrickle.pgt_change_tracking SET wal_from_lsn = NULL, wal_until_lsn = NULL");
        CHECK(wait_for([&] { return waits("pg_trickle scheduler"); }, 20s));
        holder.exec("SELECT pg_advisory_unlock(1885828215, 0)");
        mover->join();
        write_round(db, 15);
        REQUIRE(wait_for([&] { return s.mode(db) == "WAL"; }, 20s));
        std::this_thread::sleep_for(1s); // the scheduler's passes, every 200 ms
        CHECK(db.scalar("SELECT count(*) FROM pg_replication_slots") == "1");
        write_round(db, 16);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
    SECTION("when decoding may no longer load pg_trickle, its sources go back to triggers") {
        write_round(db, 11);
        db.exec("ALTER SYSTEM SET output_plugin_libraries = 'pgoutput', 'test_decoding'");
        db.exec("SELECT pg_reload_conf()");
        REQUIRE(wait_for([&] { return s.mode(db) == "TRIGGER"; }, 20s));
        CHECK(s.capture_triggers(db) != "0");
        CHECK(db.scalar("SELECT count(*) FROM pg_replication_slots") == "0");
        CHECK(db.scalar("SELECT alert FROM pgtrickle.check_cdc_health()") == "wal_unavailable");
        // The changes the slot had not delivered are lost to it: the reader recomputes once.
        write_round(db, 12);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
        write_round(db, 13);
        db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
}

TEST_CASE("WAL capture: the postmaster killed while changes are decoded and refreshed: none lost, none twice", "[wal]") {
    wal_server s;
    pgt::testing::allow_wal_capture(s.db);
    // `joined` scans `pads` for every change of `items`: its refreshes last long enough to be
    // caught running.
    s.db.exec("CREATE TABLE pads (g int, w int)");
    s.db.exec("INSERT INTO pads SELECT i % 7, i FROM generate_series(1, 200000) i");
    const std::string joined_query = "SELECT i.g, count(*) AS n, sum(p.w) AS total FROM items i JOIN pads p ON p.g = i.g GROUP BY i.g";
    s.db.exec(std::string("SELECT pgtrickle.create_stream_table('sums', '") + sums_query + "', schedule => '1s', cdc_mode => 'wal')");
    s.db.exec("SELECT pgtrickle.create_stream_table('joined', '" + joined_query + "', schedule => '1s', cdc_mode => 'wal')");
    INFO("server log:\n" << s.server.log());
    REQUIRE(wait_for([&] { return s.mode(s.db) == "WAL"; }, 20s));

    // A writer commits small transactions throughout; its failures during a crash are retried
    // (a transaction either committed or did not: the table says which). A failed REQUIRE stops
    // it before the server goes (jthread).
    std::atomic<int> committed{0};
    std::jthread writer([&](const std::stop_token& stop) {
        std::mt19937 rng(7);
        std::optional<connection> c;
        int next_id = 100000;
        while (!stop.stop_requested()) {
            try {
                if (!c) c.emplace(s.server.connect());
                const std::string id = std::to_string(next_id++);
                switch (rng() % 3) {
                case 0: c->exec("INSERT INTO items VALUES (" + id + ", " + id + " % 7, " + id + ")"); break;
                case 1: c->exec("UPDATE items SET v = v + 1 WHERE id % 50 = " + std::to_string(rng() % 50)); break;
                default: c->exec("DELETE FROM items WHERE id = (SELECT min(id) FROM items)"); break;
                }
                ++committed;
            } catch (const std::exception&) {
                c.reset();
                std::this_thread::sleep_for(50ms);
            }
        }
    });
    int during_refresh = 0;
    for (int crash = 0; crash < 4; ++crash) {
        // Let the scheduler decode and refresh some of the writer's transactions first.
        const int before = committed;
        REQUIRE(wait_for([&] { return committed > before + 50; }, 60s));
        auto c = reconnect(s.server);
        if (crash % 2 == 0) {
            // At a time of its own: the scheduler decodes every 200 ms while the writer commits.
            std::this_thread::sleep_for(std::chrono::milliseconds(150 + 170 * crash));
        } else if (wait_for([&] {
                       return c.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables "
                                       "USING (pgt_id) WHERE pgt_name = 'joined' AND h.status = 'RUNNING'") != "0";
                   }, 20s)) {
            ++during_refresh; // while a refresh reads what was decoded
        }
        s.server.kill_and_restart();
    }
    CHECK(during_refresh > 0);
    std::this_thread::sleep_for(1s);
    writer.request_stop();
    writer.join();
    auto c = reconnect(s.server);
    CHECK(s.mode(c) == "WAL");
    CHECK(wait_for([&] { return equal_to_query(c, "sums", "g, n, total", sums_query); }, 30s));
    CHECK(wait_for([&] { return equal_to_query(c, "joined", "g, n, total", joined_query); }, 30s));
    c.exec("SELECT pgtrickle.refresh_stream_table('sums')");
    CHECK(equal_to_query(c, "sums", "g, n, total", sums_query));
}

TEST_CASE("WAL capture: generated columns (virtual from PostgreSQL 18) and TOASTed values written or left unchanged",
          "[wal]") {
    wal_server s;
    auto& db = s.db;
    pgt::testing::allow_wal_capture(db);
    // Virtual generated columns hold NULL in the decoded rows: capture computes them. `body` is
    // stored out of line (TOAST): an UPDATE that leaves it unchanged does not log it in the new
    // row, and `chars`, computed from it, must come from the old row's value; one that writes
    // it gets it reassembled by decoding in memory freed after the change.
    const std::string generated = PGT_PG_MAJOR >= 18 ? "VIRTUAL" : "STORED";
    db.exec("CREATE TABLE priced (id int PRIMARY KEY, price int, qty int, body text, total int GENERATED ALWAYS AS "
            "(price * qty) " + generated + ", chars int GENERATED ALWAYS AS (length(body)) " + generated + ")");
    db.exec("INSERT INTO priced SELECT i, i, i % 5, CASE WHEN i % 10 = 0 THEN (SELECT string_agg(md5(i::text || g), '') "
            "FROM generate_series(1, 300) g) ELSE 'b' || i END FROM generate_series(1, 100) i");
    const std::string query = "SELECT qty, count(*) AS n, sum(total) AS total, sum(chars) AS chars FROM priced GROUP BY qty";
    const std::string bodies = "SELECT id, md5(body) AS digest, chars FROM priced";
    db.exec("SELECT pgtrickle.create_stream_table('totals', '" + query + "', schedule => '1s', cdc_mode => 'wal')");
    db.exec("SELECT pgtrickle.create_stream_table('bodies', '" + bodies + "', schedule => '1s', cdc_mode => 'wal')");
    INFO("server log:\n" << s.server.log());
    REQUIRE(wait_for([&] {
        return db.scalar("SELECT cdc_mode FROM pgtrickle.pgt_change_tracking WHERE source_relid = 'priced'::regclass") == "WAL";
    }, 20s));
    CHECK(db.scalar("SELECT pg_relation_size(reltoastrelid) > 0 FROM pg_class WHERE oid = 'priced'::regclass") == "t");
    db.exec("INSERT INTO priced VALUES (101, 7, 3, 'new')");
    db.exec("UPDATE priced SET price = price + 1 WHERE id % 3 = 0"); // the TOASTed bodies unchanged
    db.exec("UPDATE priced SET qty = (qty + 1) % 5, body = body || 'x' WHERE id % 7 = 0");
    db.exec("UPDATE priced SET body = md5(body) || body WHERE id % 10 = 0"); // new TOASTed values
    db.exec("DELETE FROM priced WHERE id % 4 = 0");
    db.exec("SELECT pgtrickle.refresh_stream_table(n) FROM unnest(ARRAY['totals', 'bodies']) n");
    CHECK(db.scalar("SELECT count(*) FROM totals WHERE total IS NULL OR chars IS NULL") == "0");
    CHECK(equal_to_query(db, "totals", "qty, n, total, chars", query));
    CHECK(equal_to_query(db, "bodies", "id, digest, chars", bodies));
}

TEST_CASE("WAL capture: a database whose sources are captured from the WAL can be dropped", "[wal]") {
    wal_server s;
    pgt::testing::allow_wal_capture(s.db);
    s.db.exec("CREATE DATABASE dropped");
    auto make = [&] {
        connection other = s.server.connect("dropped");
        other.exec("CREATE EXTENSION pg_trickle");
        other.exec("CREATE TABLE items (id int PRIMARY KEY, g int, v int)");
        other.exec(std::string("SELECT pgtrickle.create_stream_table('sums', '") + sums_query +
                   "', schedule => '1s', cdc_mode => 'wal')");
        INFO("server log:\n" << s.server.log());
        REQUIRE(wait_for([&] { return s.mode(other) == "WAL"; }, 20s));
        // Writes keep its scheduler decoding, its slot often active.
        for (int round = 1; round <= 3; ++round) write_round(other, round);
        // Its scheduler is connected to it.
        REQUIRE(wait_for([&] {
            return s.db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = 'dropped' AND backend_type = 'pg_trickle scheduler'") == "1";
        }, 20s));
    };
    make();
    SECTION("without FORCE once no session of its users is left: its scheduler ends first") {
        s.db.exec("DROP DATABASE dropped");
    }
    SECTION("WITH (FORCE) while it decodes") {
        connection writer = s.server.connect("dropped");
        writer.exec("INSERT INTO items SELECT i, i % 7, i FROM generate_series(10001, 60000) i");
        s.db.exec("DROP DATABASE dropped WITH (FORCE)");
    }
    CHECK(s.db.scalar("SELECT count(*) FROM pg_database WHERE datname = 'dropped'") == "0");
    CHECK(s.db.scalar("SELECT count(*) FROM pg_replication_slots") == "0");
    // The launcher keeps serving the other databases.
    s.db.exec("CREATE TABLE other (id int PRIMARY KEY, g int)");
    s.db.exec("SELECT pgtrickle.create_stream_table('other_counts', 'SELECT g, count(*) AS n FROM other GROUP BY g', schedule => '1s')");
    s.db.exec("INSERT INTO other SELECT i, i % 3 FROM generate_series(1, 30) i");
    CHECK(wait_for([&] { return equal_to_query(s.db, "other_counts", "g, n", "SELECT g, count(*) AS n FROM other GROUP BY g"); }, 20s));
}

TEST_CASE("WAL capture: a refresh of one source never takes the decoder's place for another's changes", "[wal]") {
    // The decoder cannot append to the buffer of `tags` while `held` locks it: a commit that
    // changed `tags` stays undecoded. The refresh of `sums` reads the WAL past that commit,
    // which does not concern it; the refresh of `tag_totals` right after must still get it.
    wal_server s;
    auto& db = s.db;
    db.exec("CREATE TABLE tags (id int PRIMARY KEY, v int)");
    db.exec("INSERT INTO tags SELECT i, i FROM generate_series(1, 300) i");
    pgt::testing::allow_wal_capture(db);
    db.exec(std::string("SELECT pgtrickle.create_stream_table('sums', '") + sums_query + "', schedule => '24h', cdc_mode => 'wal')");
    const std::string tag_query = "SELECT count(*) AS n, sum(v) AS total FROM tags";
    db.exec("SELECT pgtrickle.create_stream_table('tag_totals', '" + tag_query + "', schedule => '24h', cdc_mode => 'wal')");
    INFO("server log:\n" << s.server.log());
    REQUIRE(wait_for([&] { return db.scalar("SELECT count(*) FROM pgtrickle.pgt_change_tracking WHERE cdc_mode = 'WAL'") == "2"; }, 20s));
    REQUIRE(wait_for([&] {
        return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_trickle WAL decoder'") == "1";
    }, 20s));
    db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
    db.exec("SELECT pgtrickle.refresh_stream_table('tag_totals')");
    auto other = s.server.connect();
    std::optional<test_thread> refresh; // (joined after `held` lets it go)
    auto held = s.server.connect();
    held.exec("BEGIN");
    held.exec("LOCK TABLE " + *db.scalar("SELECT 'pgtrickle_changes.changes_' || 'tags'::regclass::oid") + " IN SHARE MODE");
    db.exec("UPDATE tags SET v = v + 1 WHERE id <= 100");
    db.exec("SELECT pgtrickle.refresh_stream_table('sums')");
    // (Waits for the buffer until `held` commits: the decoder, or the refresh itself, decodes.)
    refresh.emplace([&] { other.exec("SELECT pgtrickle.refresh_stream_table('tag_totals')"); });
    std::this_thread::sleep_for(500ms);
    held.exec("COMMIT");
    refresh->join();
    CHECK(equal_to_query(db, "tag_totals", "n, total", tag_query));
    db.exec("SELECT pgtrickle.refresh_stream_table('tag_totals')");
    CHECK(equal_to_query(db, "tag_totals", "n, total", tag_query));
}

TEST_CASE("WAL capture: writes to several sources and refreshes of each in turn leave every stream table exact", "[wal]") {
    // Each refresh reads the WAL since the decoder's point for its own sources' commits, while
    // the decoder, a few milliseconds behind, decodes the others'.
    wal_server s;
    auto& db = s.db;
    pgt::testing::allow_wal_capture(db);
    const int tables = 3;
    const auto query = [](int i) { return "SELECT g, count(*) AS n, sum(v) AS total FROM t" + std::to_string(i) + " GROUP BY g"; };
    for (int i = 0; i < tables; ++i) {
        const std::string t = "t" + std::to_string(i);
        db.exec("CREATE TABLE " + t + " (id int PRIMARY KEY, g int, v int)");
        db.exec("INSERT INTO " + t + " SELECT i, i % 5, i FROM generate_series(1, 200) i");
        db.exec("SELECT pgtrickle.create_stream_table('s" + std::to_string(i) + "', '" + query(i) +
                "', schedule => '24h', cdc_mode => 'wal')");
    }
    INFO("server log:\n" << s.server.log());
    REQUIRE(wait_for([&] {
        return db.scalar("SELECT count(*) FROM pgtrickle.pgt_change_tracking WHERE cdc_mode = 'WAL'") == std::to_string(tables);
    }, 20s));
    test_thread writer([&](const std::stop_token& stop) {
        std::mt19937 rng(11);
        auto c = s.server.connect();
        for (int id = 1000; !stop.stop_requested(); ++id) {
            const std::string t = "t" + std::to_string(rng() % tables), k = std::to_string(id);
            switch (rng() % 3) {
            case 0: c.exec("INSERT INTO " + t + " VALUES (" + k + ", " + k + " % 5, " + k + ")"); break;
            case 1: c.exec("UPDATE " + t + " SET v = v + 1 WHERE id % 40 = " + std::to_string(rng() % 40)); break;
            default: c.exec("DELETE FROM " + t + " WHERE id = (SELECT min(id) FROM " + t + ")"); break;
            }
        }
    });
    const auto until = std::chrono::steady_clock::now() + 4s;
    while (std::chrono::steady_clock::now() < until)
        for (int i = 0; i < tables; ++i) db.exec("SELECT pgtrickle.refresh_stream_table('s" + std::to_string(i) + "')");
    writer.request_stop();
    writer.join(); // (rethrows a failed write)
    for (int i = 0; i < tables; ++i) {
        db.exec("SELECT pgtrickle.refresh_stream_table('s" + std::to_string(i) + "')");
        CHECK(equal_to_query(db, "s" + std::to_string(i), "g, n, total", query(i)));
    }
}

TEST_CASE("WAL capture: a change committed without waiting for the flush is in the next refresh", "[wal]") {
    // A commit with synchronous_commit = off is visible before its WAL is flushed, and the WAL
    // is read only up to what is flushed: the refresh right after it must flush that much. (The
    // WAL writer, told to wait 10 s, does not flush it first.)
    wal_sums_server s("wal_writer_delay = 10000", 500);
    INFO("server log:\n" << s.server.log());
    REQUIRE(s.captured_from_wal());
    REQUIRE(s.refreshed_exact());
    for (int round = 0; round < 10; ++round) {
        s.db.exec("BEGIN; SET LOCAL synchronous_commit = off; UPDATE items SET v = v + 1 WHERE id % 10 = " + std::to_string(round) +
                  "; COMMIT");
        CHECK(s.refreshed_exact());
    }
}

TEST_CASE("WAL capture: a write before the decoder's passes that found nothing, committed after them, is in the next refresh",
          "[wal]") {
    // Passes that find no source's commit publish their end as a point a refresh reads on from,
    // with the transactions that wrote a source before it and had not ended. A writer open
    // across such passes (at the top level, then in a subtransaction) commits while the decoder
    // cannot append to the buffer: the refresh right after must find that commit is the writer's
    // and wait for it to be decoded, not take its snapshot without it.
    wal_sums_server s("synchronous_commit = on", 500, {"CREATE TABLE other (id int)"});
    INFO("server log:\n" << s.server.log());
    REQUIRE(s.captured_from_wal());
    connection& db = s.db;
    REQUIRE(wait_for([&] {
        return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_trickle WAL decoder'") == "1";
    }, 20s));
    REQUIRE(s.refreshed_exact());
    const std::string buffer = *db.scalar("SELECT 'pgtrickle_changes.changes_' || 'items'::regclass::oid");
    auto writer = s.server.connect();
    auto other = s.server.connect();
    std::optional<test_thread> refresh; // (joined after `held` lets it go)
    auto held = s.server.connect();
    for (int round = 0; round < 2; ++round) {
        writer.exec("BEGIN");
        if (round == 1) writer.exec("SAVEPOINT s");
        writer.exec("UPDATE items SET v = v + 3 WHERE id % 4 = " + std::to_string(round));
        if (round == 1) writer.exec("RELEASE s");
        // Commits of another table wake the decoder: passes that find nothing to decode.
        for (int i = 0; i < 8; ++i) {
            db.exec("INSERT INTO other VALUES (" + std::to_string(i) + ")");
            std::this_thread::sleep_for(50ms);
        }
        held.exec("BEGIN");
        held.exec("LOCK TABLE " + buffer + " IN SHARE MODE");
        writer.exec("COMMIT");
        refresh.emplace([&] { other.exec("SELECT pgtrickle.refresh_stream_table('sums')"); });
        std::this_thread::sleep_for(500ms);
        held.exec("COMMIT");
        refresh->join();
        CHECK(equal_to_query(db, "sums", "g, n, total", sums_query));
    }
}

TEST_CASE("WAL capture: an atomic diamond over a WAL-captured source applies its changes", "[wal]") {
    // The group's members share one snapshot, taken once the source's changes are decoded: each
    // applies them (pinning the snapshot gives the transaction an id, which is no write).
    wal_server s;
    auto& db = s.db;
    pgt::testing::allow_wal_capture(db);
    db.exec("SELECT pgtrickle.create_stream_table('totals', 'SELECT g, sum(v) AS total FROM items GROUP BY g', schedule => '24h', "
            "cdc_mode => 'wal')");
    db.exec("SELECT pgtrickle.create_stream_table('counts', 'SELECT g, count(*) AS n FROM items GROUP BY g', schedule => '24h', "
            "cdc_mode => 'wal')");
    db.exec("SELECT pgtrickle.create_stream_table('both_sides', 'SELECT t.g, t.total, c.n FROM totals t JOIN counts c USING (g)', "
            "schedule => '24h')");
    INFO("server log:\n" << s.server.log());
    REQUIRE(wait_for([&] { return s.mode(db) == "WAL"; }, 20s));
    const std::string sides = "SELECT g, sum(v) AS total, count(*) AS n FROM items GROUP BY g";
    for (int round = 40; round < 43; ++round) {
        write_round(db, round);
        db.exec("SELECT pgtrickle.refresh_stream_table('both_sides')");
        CHECK(equal_to_query(db, "both_sides", "g, total, n", sides));
    }
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                    "WHERE s.pgt_name IN ('totals', 'counts', 'both_sides') AND h.initiated_by = 'MANUAL' AND h.action <> 'DIFFERENTIAL'") == "0");
}

TEST_CASE("WAL capture: a FULL stream table's fresh heap is left out of logical decoding", "[wal]") {
    wal_server s;
    s.db.exec("INSERT INTO items SELECT i, i % 7, i FROM generate_series(1001, 20000) i");
    s.db.exec("SELECT pgtrickle.create_stream_table('copy_full', 'SELECT id, g, v FROM items', refresh_mode => 'FULL', "
              "schedule => '24h')");
    s.db.exec("SELECT pg_create_logical_replication_slot('watch', 'test_decoding')");
    s.db.exec("INSERT INTO items SELECT i, i % 7, i FROM generate_series(20001, 20100) i");
    s.db.exec("SELECT pgtrickle.refresh_stream_table('copy_full')");
    CHECK(equal_to_query(s.db, "copy_full", "id, g, v", "SELECT id, g, v FROM items"));
    // Decoded with 64 kB of memory by test_decoding with only-local, which skips rows written
    // with an origin as pg_trickle's decoder does: the fresh heap's 19,600 rows would be queued,
    // and spilled to disk, were they not written with one.
    s.db.exec("SET logical_decoding_work_mem = '64kB'");
    CHECK(s.db.scalar("SELECT count(*) FROM pg_logical_slot_get_changes('watch', NULL, NULL, 'only-local', '1') "
                      "WHERE data LIKE 'table public.items: INSERT%'") == "100");
    CHECK(s.db.scalar("SELECT count(*) FROM pg_stat_replication_slots WHERE slot_name = 'watch'") == "1");
    CHECK(s.db.scalar("SELECT spill_txns FROM pg_stat_replication_slots WHERE slot_name = 'watch'") == "0");
    s.db.exec("SELECT pg_drop_replication_slot('watch')");
}

TEST_CASE("WAL capture: other tables' bulk writes between a source's changes are followed, not decoded", "[wal]") {
    // 64 kB of decoding memory: a transaction queued whole by the decoder spills to disk, which
    // pg_stat_replication_slots counts.
    wal_sums_server s("pg_trickle.wal_decoding_work_mem = '64kB'", 500,
                      {"CREATE TABLE other (id int, pad text)",
                       "CREATE MATERIALIZED VIEW bulk AS SELECT i, repeat('x', 50) AS pad FROM generate_series(1, 20000) i"});
    INFO("server log:\n" << s.server.log());
    REQUIRE(s.captured_from_wal());
    const cluster& server = s.server;
    connection& db = s.db;
    auto refreshed_exact = [&] { return s.refreshed_exact(); };
    auto spilled = [&] { return s.slot_stat("spill_txns"); };
    for (int round = 1; round <= 4; ++round) {
        // Bulk writes to other tables before, between and after the source's changes.
        db.exec("REFRESH MATERIALIZED VIEW bulk");
        write_round(db, round);
        db.exec("INSERT INTO other SELECT i, repeat('y', 50) FROM generate_series(1, 20000) i");
        CHECK(refreshed_exact());
        db.exec("REFRESH MATERIALIZED VIEW bulk");
        CHECK(refreshed_exact());
    }
    // (The decoder reports its statistics at the end of its passes, asynchronously.)
    (void)wait_for([&] { return spilled() == "0"; }, 10s);
    CHECK(spilled() == "0");
    CHECK(db.scalar("SELECT total_txns > 0 FROM pg_stat_replication_slots WHERE slot_name = '" + s.slot + "'") == "t");
    auto other = server.connect();
    auto holder = server.connect();
    for (int round = 8; round <= 9; ++round) {
        // A transaction open across the source's changes and a bulk write to another table, which
        // is in progress across the decoder's passes: those passes decode the source's commits,
        // not the bulk write.
        holder.exec("BEGIN");
        holder.exec("INSERT INTO other VALUES (0, 'h')");
        write_round(db, round);
        other.exec("BEGIN");
        other.exec("INSERT INTO other SELECT i, repeat('y', 50) FROM generate_series(1, 20000) i");
        std::this_thread::sleep_for(500ms);
        other.exec("INSERT INTO other SELECT i, repeat('y', 50) FROM generate_series(1, 20000) i");
        other.exec("COMMIT");
        holder.exec("COMMIT");
        CHECK(refreshed_exact());
    }
    (void)wait_for([&] { return spilled() == "0"; }, 10s);
    CHECK(spilled() == "0");
    for (int round = 10; round <= 11; ++round) {
        // A transaction followed across passes (it wrote only another table) that then writes
        // the source, at the top level or in a subtransaction.
        other.exec("BEGIN");
        other.exec("INSERT INTO other SELECT i, repeat('y', 50) FROM generate_series(1, 5000) i");
        std::this_thread::sleep_for(500ms);
        if (round == 11) other.exec("SAVEPOINT s");
        other.exec("UPDATE items SET v = v + 7 WHERE id % 5 = " + std::to_string(round % 5));
        if (round == 11) other.exec("RELEASE s");
        other.exec("COMMIT");
        CHECK(refreshed_exact());
    }
    for (int round = 5; round <= 7; ++round) {
        // A transaction open across passes and refreshes: other tables first, the source last.
        other.exec("BEGIN");
        other.exec("INSERT INTO other VALUES (1, 'z')");
        db.exec("REFRESH MATERIALIZED VIEW bulk");
        CHECK(refreshed_exact());
        std::this_thread::sleep_for(300ms); // the decoder's passes, every 200 ms
        other.exec("SAVEPOINT s");
        other.exec("UPDATE items SET v = v + 100 WHERE id % 5 = " + std::to_string(round % 5));
        other.exec("RELEASE s");
        other.exec("COMMIT");
        CHECK(refreshed_exact());
        // A source rewritten after a change in its old file.
        db.exec("UPDATE items SET v = v - 1 WHERE id % 3 = " + std::to_string(round % 3));
        db.exec("REFRESH MATERIALIZED VIEW bulk");
        db.exec("VACUUM FULL items");
        CHECK(refreshed_exact());
    }
}

TEST_CASE("WAL capture: a source's large transaction is queued in pg_trickle.wal_decoding_work_mem", "[wal]") {
    // logical_decoding_work_mem is 64 kB. The decoder queues the changes of a transaction in
    // progress in its own setting (256 MB by default) instead; with -1 it spills them past
    // logical_decoding_work_mem, as any decoding would.
    wal_sums_server s("logical_decoding_work_mem = '64kB'", 0);
    INFO("server log:\n" << s.server.log());
    REQUIRE(s.captured_from_wal());
    connection& db = s.db;
    auto stat = [&](const std::string& column) { return s.slot_stat(column); };
    auto refreshed_exact = [&] { return s.refreshed_exact(); };
    db.exec("INSERT INTO items SELECT i, i % 7, i FROM generate_series(1, 20000) i");
    CHECK(refreshed_exact());
    // (The decoder reports its statistics at the end of its passes, asynchronously.)
    REQUIRE(wait_for([&] { return stat("total_txns") != "none" && stat("total_txns") != "0"; }, 10s));
    CHECK(stat("spill_txns") == "0");
    db.exec("ALTER SYSTEM SET pg_trickle.wal_decoding_work_mem = -1");
    db.exec("SELECT pg_reload_conf()");
    std::this_thread::sleep_for(500ms); // the decoder takes the setting in between two passes
    db.exec("UPDATE items SET v = v + 1");
    CHECK(refreshed_exact());
    CHECK(wait_for([&] { return stat("spill_txns") != "0"; }, 10s));
}
