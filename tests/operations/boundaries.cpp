// The C++ / PostgreSQL boundary on a real server: a C++ exception at each kind of entry point
// (a SQL function, the hook that runs IMMEDIATE maintenance, a background worker's main) becomes
// a clean error — the statement fails with XX000, its transaction rolls back, the session and
// the server go on — never std::terminate, which the postmaster would treat as a crash and
// answer by restarting every backend. pg_trickle.inject_failure names the entry that throws.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "pg_cluster.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;
using pgt::testing::server_error;

/// The SQLSTATE and message `sql` fails with (empty when it succeeds).
std::string failure_of(connection& db, const std::string& sql) {
    try {
        db.exec(sql);
    } catch (const server_error& e) {
        return e.sqlstate + " " + e.what();
    }
    return {};
}

} // namespace

TEST_CASE("boundaries: an exception in a SQL function or the IMMEDIATE hook is a clean error", "[operations]") {
    cluster server(cluster_options{"pg_trickle", {}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("CREATE TABLE orders (id int PRIMARY KEY, customer int, amount int)");
    db.exec("INSERT INTO orders VALUES (1, 1, 10), (2, 2, 20)");
    db.exec("SELECT pgtrickle.create_stream_table('totals', 'SELECT customer, sum(amount) AS total FROM orders GROUP BY customer', "
            "refresh_mode => 'IMMEDIATE')");
    const auto started = db.scalar("SELECT pg_postmaster_start_time()");

    db.exec("SET pg_trickle.inject_failure = 'pgt_refresh_stream_table'");
    CHECK(failure_of(db, "SELECT pgtrickle.refresh_stream_table('totals')").starts_with("XX000"));
    CHECK(db.scalar("SELECT 1") == "1");

    db.exec("SET pg_trickle.inject_failure = 'pg_trickle IMMEDIATE maintenance'");
    const auto failed = failure_of(db, "INSERT INTO orders VALUES (3, 1, 5)");
    CHECK(failed.starts_with("XX000"));
    CHECK(failed.find("injected failure at pg_trickle IMMEDIATE maintenance") != std::string::npos);
    CHECK(db.scalar("SELECT count(*) FROM orders") == "2"); // the write rolled back with it
    // Inside a transaction block: the transaction is aborted, and a savepoint rolls back to it.
    db.exec("BEGIN; SAVEPOINT s");
    CHECK(failure_of(db, "UPDATE orders SET amount = 11 WHERE id = 1").starts_with("XX000"));
    db.exec("ROLLBACK TO s; RESET pg_trickle.inject_failure; UPDATE orders SET amount = 12 WHERE id = 1; COMMIT");
    CHECK(db.scalar("SELECT total FROM totals WHERE customer = 1") == "12");
    CHECK(db.scalar("SELECT pg_postmaster_start_time()") == started);
    CHECK(server.log().find("was terminated by signal") == std::string::npos);
}

TEST_CASE("boundaries: an exception in a background worker's main ends that worker, not the server", "[operations]") {
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.inject_failure = 'pg_trickle scheduler'",
                                                  "pg_trickle.scheduler_interval_ms = 200"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle"); // the launcher starts a scheduler for this database
    const auto started = db.scalar("SELECT pg_postmaster_start_time()");
    bool logged = false;
    for (int i = 0; i < 100 && !logged; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        logged = server.log().find("injected failure at pg_trickle scheduler") != std::string::npos;
    }
    INFO("server log:\n" << server.log());
    CHECK(logged);
    // The session and the server went on: no crash, no restart of every backend.
    CHECK(db.scalar("SELECT 1") == "1");
    CHECK(db.scalar("SELECT pg_postmaster_start_time()") == started);
    CHECK(server.log().find("was terminated by signal") == std::string::npos);
    CHECK(server.log().find("terminating any other active server processes") == std::string::npos);
}
