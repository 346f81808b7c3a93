// Stream tables over Citus distributed and reference tables (docs/SCALE_OUT.md §3), on a real
// local cluster: a coordinator and two workers, each a throwaway PostgreSQL with Citus and
// pg_trickle preloaded, reaching each other over localhost TCP. Writers on the coordinator and
// on both workers (Citus routes a worker's writes too); stream tables of the shapes the issue
// names (an aggregate, a join on the distribution column, a join with a reference table, a
// filter, DISTINCT, a UNION, AUTO and FULL) checked against their queries after every refresh;
// then concurrent writers moving amounts between customers on different workers while the
// refreshes run (a transfer is applied whole or not at all: the total never changes), a shard
// move under writes, a worker down (the stream table reports ERROR with the reason, and comes
// back) and a worker restart.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "pg_cluster.hpp"
#include "test_thread.hpp"
#include "property/pgt/live_checks.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;
using pgt::testing::mismatches;
using pgt::testing::server_error;
using pgt::testing::test_thread;
using pgt::testing::wait_for;

/// A coordinator and two workers, Citus and pg_trickle preloaded on each.
struct citus_cluster {
    std::vector<std::unique_ptr<cluster>> nodes;

    citus_cluster() {
        for (int i = 0; i < 3; ++i) {
            cluster_options o;
            o.preload = "citus, pg_trickle";
            o.port = pgt::testing::free_port();
            o.settings = {"wal_level = logical", "max_prepared_transactions = 100", "max_connections = 120",
                          "max_worker_processes = 32", "pg_trickle.scheduler_interval_ms = 200"};
            nodes.push_back(std::make_unique<cluster>(o));
        }
        for (auto& n : nodes) n->connect().exec("CREATE EXTENSION citus");
        auto c = coordinator();
        c.exec("SELECT citus_set_coordinator_host('localhost', " + port(0) + ")");
        for (int i = 1; i < 3; ++i) c.exec("SELECT citus_add_node('localhost', " + port(i) + ")");
        c.exec("CREATE EXTENSION pg_trickle");
    }
    std::string port(int i) const {
        const std::string info = nodes[static_cast<std::size_t>(i)]->conninfo();
        const auto at = info.find("port=") + 5;
        return info.substr(at, info.find(' ', at) - at);
    }
    connection coordinator() { return nodes[0]->connect(); }
    connection worker(int i) { return nodes[static_cast<std::size_t>(i)]->connect(); }
};

struct shape {
    const char* name;
    const char* mode;
    const char* cols;
    const char* query;
    const char* options = ""; ///< more arguments of create_stream_table
};
const shape shapes[] = {
    {"by_region", "DIFFERENTIAL", "region, n, total", "SELECT region, count(*) AS n, sum(amount) AS total FROM orders GROUP BY region"},
    {"by_segment", "DIFFERENTIAL", "segment, n, total",
     "SELECT c.segment, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.segment"},
    {"by_zone", "DIFFERENTIAL", "zone, n", "SELECT r.zone, count(*) AS n FROM orders o JOIN regions r ON r.region = o.region GROUP BY r.zone"},
    {"large", "DIFFERENTIAL", "id, customer_id, amount", "SELECT id, customer_id, amount FROM orders WHERE amount > 90"},
    {"regions_used", "DIFFERENTIAL", "region", "SELECT DISTINCT region FROM orders"},
    {"watched", "DIFFERENTIAL", "customer_id",
     "SELECT customer_id FROM orders WHERE amount > 95 UNION SELECT id FROM customers WHERE segment = 'seg3'"},
    {"auto_segment", "AUTO", "segment, n", "SELECT c.segment, count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.segment"},
    {"full_zone", "FULL", "zone, n", "SELECT r.zone, count(*) AS n FROM orders o JOIN regions r ON r.region = o.region GROUP BY r.zone"},
    // Bags (rows without a key): their copies are deleted by ctid, in a statement of their own.
    {"amounts_bag", "DIFFERENTIAL", "customer_id, amount",
     "SELECT customer_id, amount FROM orders WHERE amount > 95 UNION ALL SELECT id, 0 FROM customers WHERE segment = 'seg3'"},
    {"cheap_bag", "DIFFERENTIAL", "region, amount", "SELECT region, amount FROM orders WHERE amount < 5"},
    // Set operations between distributed tables: a changed row's copies in each side counted by
    // a grouped pass, which Citus runs (a subquery per row it refuses).
    {"uncustomered", "DIFFERENTIAL", "customer_id", "SELECT customer_id FROM orders WHERE amount > 90 EXCEPT SELECT id FROM customers WHERE segment = 'seg1'"},
    {"common_ids", "DIFFERENTIAL", "id", "SELECT customer_id AS id FROM orders WHERE amount < 20 INTERSECT ALL SELECT id FROM customers"},
    // An outer join: a preserved row's matches counted by a join grouped back (a subquery per
    // row Citus refuses).
    {"big_orders_per_segment", "DIFFERENTIAL", "segment, n",
     "SELECT c.segment, count(o.id) AS n FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.amount > 90 GROUP BY c.segment"},
    // EXISTS and NOT EXISTS: a row's matches counted by a join grouped back.
    {"with_big_orders", "DIFFERENTIAL", "id, segment",
     "SELECT c.id, c.segment FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 95)"},
    {"without_big_orders", "DIFFERENTIAL", "id",
     "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 99)"},
    // Citus refuses its maintenance SQL (an uncorrelated IN: a subquery per row in the full
    // load's select list): AUTO recomputes it in full.
    {"seg3_orders", "AUTO", "id, amount", "SELECT id, amount FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE segment = 'seg3')"},
    // MIN and MAX of groups that lost rows are recomputed from the shards.
    {"extremes", "DIFFERENTIAL", "region, lo, hi, n", "SELECT region, min(amount) AS lo, max(id) AS hi, count(*) AS n FROM orders GROUP BY region"},
    // Distributed themselves, co-located with orders.
    {"per_customer_dist", "DIFFERENTIAL", "customer_id, n, total, lo",
     "SELECT customer_id, count(*) AS n, sum(amount) AS total, min(amount) AS lo FROM orders GROUP BY customer_id",
     ", output_distribution_column => 'customer_id'"},
    {"large_dist", "AUTO", "id, customer_id, amount", "SELECT id, customer_id, amount FROM orders WHERE amount > 50",
     ", output_distribution_column => 'customer_id'"},
    // Distributed by a key the query splits by: a small change reads and deletes stored rows on
    // its values' shards alone; where customers changed too, on theirs as well; where a region
    // (a reference table) changed, on every shard.
    {"segment_dist", "DIFFERENTIAL", "customer_id, segment, n",
     "SELECT c.id AS customer_id, c.segment, count(*) AS n FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.segment",
     ", output_distribution_column => 'customer_id'"},
    {"zone_dist", "DIFFERENTIAL", "customer_id, zone, n",
     "SELECT o.customer_id, r.zone, count(*) AS n FROM orders o JOIN regions r ON r.region = o.region GROUP BY o.customer_id, r.zone",
     ", output_distribution_column => 'customer_id'"},
    // Distributed by a value that changes: its rows move between shards.
    {"moving_dist", "DIFFERENTIAL", "region, n, total", "SELECT region, count(*) AS n, sum(amount) AS total FROM orders GROUP BY region",
     ", output_distribution_column => 'n'"},
    // Distributed rows that are only their key: found stored or not, never updated.
    {"segment_ids_dist", "DIFFERENTIAL", "id", "SELECT id FROM customers WHERE segment <> 'seg3'", ", output_distribution_column => 'id'"},
};

void refresh_all(connection& c) {
    for (const auto& s : shapes) c.exec(std::string("SELECT pgtrickle.refresh_stream_table('") + s.name + "')");
}

/// Runs `step` of a session while another node writes: Citus cancels one transaction of a
/// distributed deadlock (40P01), e.g. two multi-shard writes from two nodes, and a refresh gives
/// up on its sources' locks after 800 ms (55P03); either is done again, as an application or
/// the scheduler would. (Any other failure, or a fifth, ends the test.)
template <class Step>
void beside_writer(Step step) {
    for (int attempt = 1;; ++attempt) {
        try {
            return step();
        } catch (const server_error& e) {
            if ((e.sqlstate != "40P01" && e.sqlstate != "55P03") || attempt == 5) throw;
        }
    }
}

void check_all(connection& c) {
    for (const auto& s : shapes) {
        INFO(s.name);
        CHECK(mismatches(c, s.name, s.cols, s.query) == 0);
    }
}

/// A round of random writes through `db` (any node): updates, inserts and deletes of orders,
/// a customer changing segment, a region changing zone.
void write_round(connection& db, std::mt19937& rng, long long& next_id) {
    auto r = [&](int n) { return std::to_string(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
    db.exec("UPDATE orders SET amount = amount + 1 WHERE id % 97 = " + r(97));
    std::string values;
    for (int i = 0; i < 12; ++i)
        values += (values.empty() ? "" : ", ") + std::string("(") + std::to_string(next_id++) + ", " + std::to_string(1 + std::stoi(r(400))) +
                  ", 'r" + r(12) + "', " + r(10000) + " / 100.0)";
    db.exec("INSERT INTO orders VALUES " + values);
    db.exec("DELETE FROM orders WHERE id % 101 = " + r(101));
    db.exec("UPDATE customers SET segment = 'seg" + r(5) + "' WHERE id = " + std::to_string(1 + std::stoi(r(400))));
    db.exec("UPDATE regions SET zone = 'z" + r(4) + "' WHERE region = 'r" + r(12) + "'");
}

/// A small round (a few records a source, which a refresh copies to the coordinator or reads
/// in place): ten orders of one customer updated, an order inserted for another and one of a
/// third deleted, a customer changing segment.
void small_write_round(connection& db, std::mt19937& rng) {
    auto customer = [&] { return std::to_string(1 + std::uniform_int_distribution<int>(0, 399)(rng)); };
    const std::string updated = customer(), deleted = customer();
    db.exec("UPDATE orders SET amount = amount + 1 WHERE customer_id = " + updated + " AND id IN (SELECT id FROM orders WHERE customer_id = " +
            updated + " ORDER BY id LIMIT 10)");
    db.exec("INSERT INTO orders SELECT max(id) + 1, " + customer() + ", 'r5', 12.5 FROM orders");
    db.exec("DELETE FROM orders WHERE customer_id = " + deleted + " AND id = (SELECT min(id) FROM orders WHERE customer_id = " + deleted + ")");
    db.exec("UPDATE customers SET segment = 'seg" + std::to_string(rng() % 5) + "' WHERE id = " + customer());
}

long long count_of(connection& c, const std::string& sql) { return std::stoll(*c.scalar(sql)); }

} // namespace

TEST_CASE("Citus: stream tables over distributed and reference tables stay exact through writes on every node, a shard move and "
          "a worker restart") {
    citus_cluster cl;
    auto c = cl.coordinator();
    c.exec("CREATE TABLE customers (id int PRIMARY KEY, segment text)");
    c.exec("SELECT create_distributed_table('customers', 'id')");
    c.exec("CREATE TABLE orders (id bigint, customer_id int, region text, amount numeric(10,2), PRIMARY KEY (customer_id, id))");
    c.exec("SELECT create_distributed_table('orders', 'customer_id', colocate_with => 'customers')");
    c.exec("CREATE TABLE regions (region text PRIMARY KEY, zone text)");
    c.exec("SELECT create_reference_table('regions')");
    c.exec("INSERT INTO customers SELECT i, 'seg' || (i % 5) FROM generate_series(1, 400) i");
    c.exec("INSERT INTO orders SELECT i, 1 + (i * 7919) % 400, 'r' || (i % 12), (i % 10000) / 100.0 FROM generate_series(1, 20000) i");
    c.exec("INSERT INTO regions SELECT 'r' || i, 'z' || (i % 4) FROM generate_series(0, 11) i");
    for (const auto& s : shapes)
        c.exec(std::string("SELECT pgtrickle.create_stream_table('") + s.name + "', $q$" + s.query + "$q$, schedule => '24h', refresh_mode => '" +
               s.mode + "'" + s.options + ")");
    check_all(c);
    CHECK(count_of(c, "SELECT count(*) FROM pg_dist_partition p JOIN pg_dist_partition s ON s.colocationid = p.colocationid "
                      "WHERE p.logicalrelid = 'orders'::regclass AND s.logicalrelid IN ('per_customer_dist'::regclass, 'large_dist'::regclass)") == 2);
    // What a distributed stream table cannot be, or be read by.
    auto create = [&](const std::string& query, const std::string& column) {
        return sqlstate_of(c, "SELECT pgtrickle.create_stream_table('refused', $q$" + query + "$q$, output_distribution_column => '" + column + "')");
    };
    CHECK(create("SELECT DISTINCT customer_id FROM orders", "customer_id") == "0A000");
    CHECK(create("SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id", "region") == "42703");
    c.exec("CREATE TABLE plain (id int PRIMARY KEY)");
    CHECK(create("SELECT id FROM plain", "id") == "0A000");
    CHECK(sqlstate_of(c, "SELECT pgtrickle.create_stream_table('refused', 'SELECT count(*) AS n FROM per_customer_dist')") == "0A000");
    // DIFFERENTIAL, where Citus refuses the maintenance SQL, is refused with Citus's reason.
    CHECK(sqlstate_of(c, "SELECT pgtrickle.create_stream_table('refused', $q$SELECT id FROM orders WHERE customer_id IN "
                         "(SELECT id FROM customers WHERE segment = 'seg3')$q$, refresh_mode => 'DIFFERENTIAL')") == "0A000");
    CHECK(c.scalar("SELECT refresh_mode FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'seg3_orders'") == "FULL");
    // IMMEDIATE: the writes commit on the workers.
    CHECK(sqlstate_of(c, "SELECT pgtrickle.create_stream_table('refused', 'SELECT region, count(*) AS n FROM orders GROUP BY region', "
                         "refresh_mode => 'IMMEDIATE')") == "0A000");
    // Each source captured where its shards are, into a buffer distributed like it.
    CHECK(*c.scalar("SELECT string_agg(source_relid::regclass || ':' || placement, ',' ORDER BY source_relid::regclass::text) "
                    "FROM pgtrickle.pgt_citus_sources") == "customers:distributed,orders:distributed,regions:reference");
    CHECK(count_of(c, "SELECT count(*) FROM pg_dist_partition p JOIN pg_dist_partition b ON b.colocationid = p.colocationid "
                      "WHERE p.logicalrelid = 'orders'::regclass AND b.logicalrelid = (SELECT buffer_relid FROM pgtrickle.pgt_citus_sources "
                      "WHERE source_relid = 'orders'::regclass)::regclass") == 1);

    std::mt19937 rng(20261128);
    long long next_id = 1000000;
    SECTION("writes on the coordinator and on both workers") {
        auto w1 = cl.worker(1), w2 = cl.worker(2);
        for (int round = 0; round < 6; ++round) {
            write_round(c, rng, next_id);
            write_round(w1, rng, next_id);
            write_round(w2, rng, next_id);
            refresh_all(c);
            check_all(c);
        }
        // Small changes: the joins of orders with customers read them in place, and find there
        // the rows that the stream tables refreshed before them claimed.
        for (int round = 0; round < 4; ++round) {
            small_write_round(round % 2 ? w1 : w2, rng);
            small_write_round(c, rng);
            refresh_all(c);
            check_all(c);
        }
        // With auto_explain instrumenting every statement (log_analyze), as on servers that
        // log slow plans: Citus ran a coordinator stream table's write over a connection (which
        // its guard refused) and refused the distributed one's INSERT … SELECT.
        c.exec("LOAD 'auto_explain'");
        c.exec("SET auto_explain.log_min_duration = 0");
        c.exec("SET auto_explain.log_nested_statements = on");
        c.exec("SET auto_explain.log_analyze = on");
        small_write_round(w1, rng);
        refresh_all(c);
        check_all(c);
        CHECK(c.scalar("SHOW auto_explain.log_analyze") == "on"); // (set off for the refreshes only)
        c.exec("RESET auto_explain.log_min_duration");
        c.exec("RESET auto_explain.log_nested_statements");
        c.exec("RESET auto_explain.log_analyze");
        // A distributed stream table's history counts a row updated in place as one deleted and
        // one inserted, as a local one's does (its upsert counted it as inserted).
        w2.exec("UPDATE orders SET amount = amount + 1 WHERE customer_id = 7");
        c.exec("SELECT pgtrickle.refresh_stream_table('per_customer_dist')");
        CHECK(c.scalar("SELECT h.rows_inserted || '/' || h.rows_deleted FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                       "USING (pgt_id) WHERE s.pgt_name = 'per_customer_dist' ORDER BY h.refresh_id DESC LIMIT 1") == "1/1");
        refresh_all(c);
        check_all(c);
        // Applied differentially, and the buffers trimmed behind.
        const auto recomputed = c.scalar("SELECT string_agg(s.pgt_name || ' ' || h.action || coalesce(' ' || h.refresh_reason, '') || coalesce(' ' || h.error_message, ''), '; ') "
                                         "FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                                         "WHERE s.requested_mode = 'DIFFERENTIAL' AND h.action NOT IN ('DIFFERENTIAL', 'NO_DATA') "
                                         "AND h.initiated_by = 'MANUAL'");
        CHECK(recomputed.value_or("none") == "none");
        CHECK(count_of(c, "SELECT count(*) FROM pgtrickle_dist.changes_" + *c.scalar("SELECT 'orders'::regclass::oid") +
                              " WHERE __pgt_batch IS NULL") == 0);
        // A stream table owned by a role that may only read the sources: its refreshes lock
        // and claim as the extension owner, and read a large change from the buffer.
        c.exec("CREATE ROLE analyst LOGIN");
        c.exec("GRANT SELECT ON orders, customers TO analyst");
        c.exec("GRANT CREATE ON SCHEMA public TO analyst");
        auto analyst = cl.nodes[0]->connect("postgres", "analyst");
        const std::string per_customer = "SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id";
        analyst.exec("SELECT pgtrickle.create_stream_table('per_customer', $q$" + per_customer +
                     "$q$, schedule => '24h', refresh_mode => 'DIFFERENTIAL')");
        write_round(w1, rng, next_id);
        analyst.exec("SELECT pgtrickle.refresh_stream_table('per_customer')");
        c.exec("UPDATE orders SET amount = amount + 1 WHERE id % 7 = 1"); // a large change: read from the buffer
        analyst.exec("SELECT pgtrickle.refresh_stream_table('per_customer')");
        CHECK(mismatches(analyst, "per_customer", "customer_id, n", per_customer) == 0);
        // TRUNCATE (seen on the coordinator) reinitialises every reader.
        c.exec("TRUNCATE regions");
        c.exec("INSERT INTO regions SELECT 'r' || i, 'z' || (i % 3) FROM generate_series(0, 11) i");
        refresh_all(c);
        check_all(c);
        // A plain numeric's running sums count their inputs' scales up to 999, and their deltas
        // read no shard. A worker raising the data exception that an input of a larger scale
        // raises makes the refresh recompute in full; the delta takes over once it is gone.
        c.exec("CREATE TABLE readings (id int, k int, x numeric, PRIMARY KEY (k, id))");
        c.exec("SELECT create_distributed_table('readings', 'k')");
        c.exec("INSERT INTO readings SELECT i, i % 40, i / 7.0 FROM generate_series(1, 400) i");
        const std::string sums = "SELECT k, sum(x) AS s, avg(x) AS a FROM readings GROUP BY k";
        c.exec("SELECT pgtrickle.create_stream_table('reading_sums', $q$" + sums +
               "$q$, schedule => '24h', refresh_mode => 'DIFFERENTIAL', output_distribution_column => 'k')");
        CHECK(c.scalar("SELECT value LIKE '%rescanned%' FROM pgtrickle.explain_st('reading_sums') WHERE property = 'delta_query'") == "f");
        // Its plan, as Citus explains it: estimated (its EXPLAIN ANALYZE refuses such statements;
        // the refresh's parameters were once missing).
        CHECK(c.scalar("SELECT value LIKE '(estimated%Distributed Subplan%' FROM pgtrickle.explain_st('by_segment', with_analyze => true) "
                       "WHERE property = 'delta_plan'") == "t");
        const auto refreshed = [&](const std::string& action) {
            c.exec("SELECT pgtrickle.refresh_stream_table('reading_sums')");
            CHECK(c.scalar("SELECT h.action FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                           "WHERE s.pgt_name = 'reading_sums' ORDER BY h.refresh_id DESC LIMIT 1") == action);
            CHECK(mismatches(c, "reading_sums", "k, s, a", sums) == 0);
            CHECK(mismatches(c, "reading_sums", "k, s::text, a::text", "SELECT k, s::text, a::text FROM (" + sums + ") q") == 0);
        };
        w1.exec("UPDATE readings SET x = x * 3 WHERE id % 9 = 0");
        refreshed("DIFFERENTIAL");
        w2.exec("INSERT INTO readings VALUES (401, 3, round(1.5, 1200))");
        refreshed("FULL");
        w1.exec("UPDATE readings SET x = x + 1 WHERE id = 401");
        refreshed("FULL");
        c.exec("DELETE FROM readings WHERE id = 401");
        refreshed("DIFFERENTIAL");
    }
    SECTION("concurrent writers on both workers: every change applied once, a transaction over two workers whole") {
        // Transfers between a customer on one worker and one on the other, in one transaction:
        // the stream table of the total must never show half of one.
        c.exec("SELECT pgtrickle.create_stream_table('total', 'SELECT sum(amount) AS total, count(*) AS n FROM orders', "
               "schedule => '24h', refresh_mode => 'DIFFERENTIAL')");
        const std::string total = *c.scalar("SELECT total FROM total");
        // (The node of each customer's shard, read from Citus's metadata on the coordinator.)
        const auto pair_on_two_workers = c.query(
            "WITH placed AS (SELECT i, (SELECT nodeport FROM citus_shards WHERE table_name = 'orders'::regclass "
            "AND shardid = get_shard_id_for_distribution_column('orders', i)) AS port FROM generate_series(1, 400) i) "
            "SELECT a.i, b.i FROM placed a, placed b WHERE a.port <> b.port ORDER BY 1, 2 LIMIT 1");
        REQUIRE(pair_on_two_workers.size() == 1);
        const std::string from = *pair_on_two_workers[0][0], to = *pair_on_two_workers[0][1];
        std::atomic<int> failed_writes{0};
        std::list<test_thread> writers;
        for (int w = 1; w <= 2; ++w)
            writers.emplace_back([&, w](const std::stop_token& stop) {
                auto db = cl.worker(w);
                std::mt19937 local(static_cast<unsigned>(w));
                long long id = 5000000 + w * 1000000;
                while (!stop.stop_requested()) {
                    try {
                        db.exec("BEGIN; UPDATE orders SET amount = amount - 1 WHERE customer_id = " + from + " AND id = (SELECT min(id) FROM orders "
                                "WHERE customer_id = " + from + "); UPDATE orders SET amount = amount + 1 WHERE customer_id = " + to +
                                " AND id = (SELECT min(id) FROM orders WHERE customer_id = " + to + "); COMMIT");
                        db.exec("INSERT INTO orders VALUES (" + std::to_string(id++) + ", " + std::to_string(1 + local() % 400) + ", 'r1', 0)");
                    } catch (const server_error&) {
                        ++failed_writes;
                        db.exec("ROLLBACK");
                    }
                }
            });
        int refreshes = 0;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(6);
        while (std::chrono::steady_clock::now() < until) {
            try {
                c.exec("SELECT pgtrickle.refresh_stream_table('total')");
                ++refreshes;
                // Inserted rows add 0: the total is the same at every refresh.
                CHECK(*c.scalar("SELECT total FROM total") == total);
            } catch (const server_error& e) {
                CHECK(e.sqlstate == "55P03"); // the writers held the sources past the refresh's patience
            }
        }
        for (auto& t : writers) t.request_stop();
        for (auto& t : writers) t.join();
        CHECK(failed_writes == 0); // a refresh never makes a write fail
        CHECK(refreshes > 3);
        refresh_all(c);
        c.exec("SELECT pgtrickle.refresh_stream_table('total')");
        check_all(c);
        CHECK(mismatches(c, "total", "total, n", "SELECT sum(amount) AS total, count(*) AS n FROM orders") == 0);
    }
    SECTION("a shard move under writes, then a worker down and back") {
        const std::string shard = *c.scalar("SELECT shardid FROM citus_shards WHERE table_name = 'orders'::regclass AND nodeport = " +
                                            cl.port(1) + " ORDER BY shardid LIMIT 1");
        std::atomic<bool> stop{false};
        std::string writer_failure; // (reported after the writer is joined)
        {
            // (Joined however the block ends: an error below is reported, not an abort.)
            std::jthread writer([&] {
                try {
                    auto db = cl.worker(2);
                    std::mt19937 local(7);
                    long long id = 9000000;
                    // (Its multi-shard writes and the session's can deadlock: Citus cancels one.)
                    while (!stop) beside_writer([&] { write_round(db, local, id); });
                } catch (const std::exception& e) {
                    writer_failure = e.what();
                }
            });
            struct stopper {
                std::atomic<bool>& stop;
                ~stopper() { stop = true; }
            } stops{stop};
            beside_writer([&] { write_round(c, rng, next_id); });
            beside_writer([&] { refresh_all(c); });
            c.exec("SELECT citus_move_shard_placement(" + shard + ", 'localhost', " + cl.port(1) + ", 'localhost', " + cl.port(2) + ")");
            beside_writer([&] { write_round(c, rng, next_id); });
        }
        INFO(writer_failure);
        CHECK(writer_failure.empty());
        // Its buffer's shard (the one with its hash range) moved with it.
        CHECK(*c.scalar("SELECT count(*) FROM pg_dist_shard s JOIN pg_dist_shard b ON b.shardminvalue = s.shardminvalue "
                        "JOIN pgtrickle.pgt_citus_sources t ON b.logicalrelid = t.buffer_relid::regclass AND t.source_relid = 'orders'::regclass "
                        "JOIN citus_shards cs ON cs.shardid = b.shardid WHERE s.shardid = " + shard + " AND cs.nodeport = " + cl.port(2)) == "1");
        refresh_all(c);
        check_all(c);

        // A worker down: refreshes fail with the reason; under the scheduler the stream table
        // shows ERROR (not SUSPENDED) and recovers once the worker is back.
        c.exec("SELECT pgtrickle.alter_stream_table('by_region', schedule => '1s')");
        cl.nodes[2]->shut_down();
        try {
            c.exec("SELECT pgtrickle.refresh_stream_table('large')");
            FAIL("a refresh reading a down worker's shards succeeded");
        } catch (const server_error& e) {
            INFO(e.what());
            CHECK(e.sqlstate.substr(0, 2) == "08");
        }
        CHECK(wait_for([&] { return c.scalar("SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'by_region'") == "ERROR"; },
                       std::chrono::seconds(30)));
        CHECK(c.scalar("SELECT last_error_message LIKE '%" + cl.port(2) + "%' FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'by_region'") == "t");
        CHECK(c.scalar("SELECT citus_capture LIKE '%unreachable%' FROM pgtrickle.pgt_status() WHERE name = 'public.by_region'") == "t");
        CHECK(c.scalar("SELECT severity FROM pgtrickle.health_check() WHERE check_name = 'citus_capture'") == "ERROR");
        cl.nodes[2]->start_up();
        write_round(c, rng, next_id);
        CHECK(wait_for([&] { return c.scalar("SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'by_region'") == "ACTIVE"; },
                       std::chrono::seconds(60)));
        // A worker restart between writes and the refresh.
        write_round(c, rng, next_id);
        cl.nodes[1]->restart();
        write_round(c, rng, next_id);
        refresh_all(c);
        check_all(c);
    }
}
