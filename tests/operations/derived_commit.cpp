// Which commits skip the WAL flush (pg/derived_commit): a transaction that only refreshed stream
// tables, one refresh or several, and no transaction that wrote anything else before, between
// or after them. The decision is reported at DEBUG1.
#include <catch2/catch.hpp>

#include <algorithm>

#include "pg_cluster.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;

/// Whether `sql`, run as given, ended in a commit that did not wait for the WAL flush.
bool commits_without_flush(connection& db, const std::string& sql) {
    db.take_notices();
    db.exec(sql);
    const auto notices = db.take_notices();
    return std::ranges::any_of(notices, [](const std::string& n) { return n.find("does not wait for the WAL flush") != std::string::npos; });
}

} // namespace

TEST_CASE("a transaction that only refreshes stream tables commits without waiting for the WAL flush", "[operations]") {
    cluster server(cluster_options{"pg_trickle", {}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("CREATE TABLE items (id int PRIMARY KEY, kind int, price numeric)");
    db.exec("INSERT INTO items SELECT i, i % 3, i FROM generate_series(1, 30) i");
    db.exec("SELECT pgtrickle.create_stream_table('per_kind', 'SELECT kind, sum(price) AS total FROM items GROUP BY kind', "
            "schedule => '24h', refresh_mode => 'DIFFERENTIAL')");
    db.exec("SELECT pgtrickle.create_stream_table('cheap', 'SELECT id, price FROM items WHERE price < 10', schedule => '24h', "
            "refresh_mode => 'DIFFERENTIAL')");
    db.exec("SET client_min_messages = debug1");

    db.exec("UPDATE items SET price = price + 1 WHERE id < 5");
    CHECK(commits_without_flush(db, "SELECT pgtrickle.refresh_stream_table('per_kind')"));
    CHECK(commits_without_flush(db, "SELECT pgtrickle.refresh_stream_table('per_kind')")); // nothing to do
    db.exec("UPDATE items SET price = price + 1 WHERE id < 5");
    CHECK(commits_without_flush(db, "BEGIN; SELECT pgtrickle.refresh_stream_table('per_kind'); "
                                    "SELECT pgtrickle.refresh_stream_table('cheap'); COMMIT"));

    // Anything else the transaction writes commits as the session says.
    CHECK_FALSE(commits_without_flush(db, "BEGIN; UPDATE items SET price = price + 1 WHERE id = 7; "
                                          "SELECT pgtrickle.refresh_stream_table('per_kind'); COMMIT"));
    CHECK_FALSE(commits_without_flush(db, "BEGIN; SELECT pgtrickle.refresh_stream_table('per_kind'); "
                                          "UPDATE items SET price = price + 1 WHERE id = 8; COMMIT"));
    CHECK_FALSE(commits_without_flush(db, "BEGIN; SELECT pgtrickle.refresh_stream_table('per_kind'); "
                                          "INSERT INTO items VALUES (100, 1, 1); SELECT pgtrickle.refresh_stream_table('cheap'); COMMIT"));
    CHECK_FALSE(commits_without_flush(db, "UPDATE items SET price = price + 1 WHERE id = 9"));
    // Results stay exact.
    db.exec("SELECT pgtrickle.refresh_stream_table('per_kind'); SELECT pgtrickle.refresh_stream_table('cheap')");
    CHECK(db.scalar("SELECT count(*) FROM (SELECT kind, total FROM per_kind EXCEPT SELECT kind, sum(price) FROM items GROUP BY kind) x") == "0");
}
