// ALTER EXTENSION pg_trickle UPDATE from the previous release (0.1.0), on a real server: stream
// tables made on 0.1.0 (an aggregate, a join, IMMEDIATE; aggregates with 0.1.0's storage, every
// aggregate's state in a hidden column) are still maintained after the update,
// the new objects are there (pgt_definitions filled from the catalog), and a fresh install and
// an updated one have the same objects.
#include <catch2/catch.hpp>

#include "pg_cluster.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;

long long mismatches(connection& db, const std::string& st, const std::string& cols, const std::string& query) {
    return std::stoll(*db.scalar("SELECT count(*) FROM ((SELECT " + cols + " FROM " + st + " EXCEPT ALL (" + query +
                                 ")) UNION ALL ((" + query + ") EXCEPT ALL SELECT " + cols + " FROM " + st + ")) x"));
}

/// Every object of the extension, described (for comparing two installations).
std::string extension_objects(connection& db) {
    return *db.scalar("SELECT string_agg(pg_describe_object(classid, objid, 0), E'\\n' ORDER BY 1) FROM pg_depend "
                      "WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e' AND refobjid = "
                      "(SELECT oid FROM pg_extension WHERE extname = 'pg_trickle')");
}

} // namespace

TEST_CASE("ALTER EXTENSION pg_trickle UPDATE keeps stream tables made on 0.1.0 working", "[operations]") {
    cluster server(cluster_options{"pg_trickle", {}});
    {
        auto admin = server.connect();
        admin.exec("CREATE DATABASE old");
        admin.exec("CREATE DATABASE fresh");
    }
    auto db = server.connect("old");
    db.exec("CREATE EXTENSION pg_trickle VERSION '0.1.0'");
    db.exec("CREATE TABLE customers (id int PRIMARY KEY, segment text)");
    db.exec("INSERT INTO customers SELECT i, 'seg' || (i % 4) FROM generate_series(1, 40) i");
    db.exec("CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount numeric)");
    db.exec("INSERT INTO orders SELECT i, 1 + i % 40, i % 17 FROM generate_series(1, 400) i");
    const std::string agg = "SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id";
    const std::string join = "SELECT c.segment, sum(o.amount) AS total FROM orders o JOIN customers c ON c.id = o.customer_id "
                             "GROUP BY c.segment";
    const std::string rows = "SELECT id, amount FROM orders WHERE amount > 10";
    db.exec("SELECT pgtrickle.create_stream_table('per_customer', '" + agg + "', schedule => '24h')");
    db.exec("SELECT pgtrickle.create_stream_table('per_segment', '" + join + "', schedule => '24h')");
    db.exec("SELECT pgtrickle.create_stream_table('big_orders', '" + rows + "', refresh_mode => 'IMMEDIATE')");
    // Grouped by an interval, whose row ids 0.2.0 hashes differently: recomputed once.
    db.exec("CREATE TABLE waits (id int PRIMARY KEY, d interval)");
    db.exec("INSERT INTO waits VALUES (1, '1 day'), (2, '2 hours')");
    const std::string by_wait = "SELECT d, count(*) AS n FROM waits GROUP BY d";
    db.exec("SELECT pgtrickle.create_stream_table('per_wait', '" + by_wait + "', schedule => '24h', refresh_mode => 'DIFFERENTIAL')");
    // 0.1.0's library kept every aggregate's state in a hidden column, a COUNT's and a SUM's too
    // (this one keeps them in the visible column): its storage, made by hand.
    db.exec("CREATE TABLE sales (id int PRIMARY KEY, store int, amount numeric)");
    db.exec("INSERT INTO sales SELECT i, i % 7, i % 11 FROM generate_series(1, 300) i");
    const std::string per_store = "SELECT store, count(*) AS n, sum(amount) AS total FROM sales GROUP BY store";
    db.exec("SELECT pgtrickle.create_stream_table('per_store', '" + per_store + "', schedule => '24h')");
    db.exec("SELECT pgtrickle.create_stream_table('per_store_now', '" + per_store + "', refresh_mode => 'IMMEDIATE')");
    for (const char* t : {"per_store", "per_store_now"})
        db.exec(std::string("ALTER TABLE ") + t + " ADD COLUMN __pgt_count bigint, ADD COLUMN __pgt_a1 numeric; " +
                "SET session_replication_role = replica; UPDATE " + t + " SET __pgt_count = n, __pgt_a1 = total; " +
                "RESET session_replication_role");
    // A SUM whose argument takes two scales (2 and 0): this library counts the inputs of scale 2
    // in a column 0.1.0's storage does not have, so that stream table recomputes the touched
    // groups' sums instead.
    db.exec("CREATE TABLE prices (id int PRIMARY KEY, store int, price numeric(8,2))");
    db.exec("INSERT INTO prices SELECT i, i % 5, i * 1.25 FROM generate_series(1, 200) i");
    const std::string pivot = "SELECT store, count(*) AS n, sum(CASE WHEN id % 3 = 0 THEN price ELSE 0 END) AS third "
                              "FROM prices GROUP BY store";
    db.exec("SELECT pgtrickle.create_stream_table('pivot', '" + pivot + "', schedule => '24h', refresh_mode => 'DIFFERENTIAL')");
    db.exec("SELECT pgtrickle.create_stream_table('pivot_now', '" + pivot + "', refresh_mode => 'IMMEDIATE')");
    for (const char* t : {"pivot", "pivot_now"})
        db.exec(std::string("ALTER TABLE ") + t + " DROP COLUMN __pgt_a1_s2_n, ADD COLUMN __pgt_count bigint, ADD COLUMN __pgt_a1 numeric; " +
                "SET session_replication_role = replica; UPDATE " + t + " SET __pgt_count = n, __pgt_a1 = third; " +
                "RESET session_replication_role");
    db.exec("UPDATE orders SET amount = amount + 3 WHERE id % 5 = 0"); // pending across the update
    // 0.1.0's library made its capture triggers plain ENABLE (this one makes them ALWAYS).
    for (const char* t : {"orders", "customers", "waits"})
        for (const char* trigger : {"pg_trickle_cdc_ins", "pg_trickle_cdc_upd", "pg_trickle_cdc_del", "pg_trickle_cdc_trunc"})
            db.exec(std::string("ALTER TABLE ") + t + " ENABLE TRIGGER " + trigger);

    db.exec("ALTER EXTENSION pg_trickle UPDATE");
    CHECK(db.scalar("SELECT extversion FROM pg_extension WHERE extname = 'pg_trickle'") == "0.3.0");
    CHECK(db.scalar("SELECT library || ' ' || extension FROM pgtrickle.version()") == "0.3.0 0.3.0");
    CHECK(db.scalar("SELECT string_agg(pgt_name, ',' ORDER BY pgt_id) FROM pgtrickle.pgt_definitions") ==
          "per_customer,per_segment,big_orders,per_wait,per_store,per_store_now,pivot,pivot_now");
    CHECK(db.scalar("SELECT string_agg(pgt_name, ',' ORDER BY pgt_id) FROM pgtrickle.pgt_stream_tables WHERE needs_reinit") ==
          "per_wait");
    db.exec("INSERT INTO waits VALUES (3, '24 hours')");
    db.exec("SELECT pgtrickle.refresh_stream_table('per_wait')");
    CHECK(mismatches(db, "per_wait", "d, n", by_wait) == 0);
    CHECK(db.scalar("SELECT action FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                    "WHERE s.pgt_name = 'per_wait' ORDER BY refresh_id DESC LIMIT 1") == "REINITIALIZE");
    // The capture triggers made on 0.1.0 now fire ALWAYS (replica-role changes captured too).
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.trigger_inventory() WHERE NOT enabled") == "0");
    CHECK(db.scalar("SELECT string_agg(DISTINCT tgenabled::text, ',') FROM pg_trigger WHERE tgname LIKE 'pg\\_trickle\\_cdc\\_%'") ==
          "A");

    db.exec("DELETE FROM orders WHERE id % 9 = 0");
    db.exec("UPDATE customers SET segment = 'seg7' WHERE id % 3 = 0");
    CHECK(mismatches(db, "big_orders", "id, amount", rows) == 0);
    db.exec("SELECT pgtrickle.refresh_stream_table('per_customer'); SELECT pgtrickle.refresh_stream_table('per_segment')");
    CHECK(mismatches(db, "per_customer", "customer_id, n, total", agg) == 0);
    CHECK(mismatches(db, "per_segment", "segment, total", join) == 0);
    CHECK(db.scalar("SELECT action FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                    "WHERE s.pgt_name = 'per_customer' ORDER BY refresh_id DESC LIMIT 1") == "DIFFERENTIAL");
    // The 0.1.0 storage keeps its hidden state up to date (a session that never saw the tables).
    {
        auto later = server.connect("old");
        later.exec("UPDATE sales SET amount = amount + 2 WHERE id % 4 = 0");
        later.exec("DELETE FROM sales WHERE id % 13 = 0");
        later.exec("UPDATE sales SET amount = amount + 1 WHERE id = 20");
        later.exec("INSERT INTO sales VALUES (1000, 3, 5), (1001, 9, 8)");
        later.exec("SELECT pgtrickle.refresh_stream_table('per_store')");
        for (const char* t : {"per_store", "per_store_now"}) {
            INFO(t);
            CHECK(mismatches(later, t, "store, n, total", per_store) == 0);
            CHECK(later.scalar(std::string("SELECT count(*) FROM ") + t +
                               " WHERE __pgt_count IS DISTINCT FROM n OR __pgt_a1 IS DISTINCT FROM total") == "0");
        }
    }
    {
        auto later = server.connect("old");
        later.exec("UPDATE prices SET price = price + 0.5 WHERE id % 4 = 0");
        later.exec("DELETE FROM prices WHERE id % 7 = 0");
        later.exec("INSERT INTO prices VALUES (1000, 2, 3.75), (1002, 3, 9)");
        later.exec("SELECT pgtrickle.refresh_stream_table('pivot')");
        for (const char* t : {"pivot", "pivot_now"}) {
            INFO(t);
            CHECK(mismatches(later, t, "store, n, third", pivot) == 0);
            CHECK(later.scalar(std::string("SELECT count(*) FROM ") + t +
                               " WHERE __pgt_count IS DISTINCT FROM n OR __pgt_a1 IS DISTINCT FROM third") == "0");
        }
        CHECK(later.scalar("SELECT action FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                           "WHERE s.pgt_name = 'pivot' ORDER BY refresh_id DESC LIMIT 1") == "DIFFERENTIAL");
    }
    // Changes after the update reach pgt_definitions.
    db.exec("SELECT pgtrickle.alter_stream_table('per_customer', schedule => '5m')");
    CHECK(db.scalar("SELECT schedule FROM pgtrickle.pgt_definitions WHERE pgt_name = 'per_customer'") == "5m");

    auto fresh = server.connect("fresh");
    fresh.exec("CREATE EXTENSION pg_trickle");
    CHECK(fresh.scalar("SELECT extversion FROM pg_extension WHERE extname = 'pg_trickle'") == "0.3.0");
    CHECK(extension_objects(fresh) == extension_objects(db));
}
