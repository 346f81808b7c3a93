// Watermark gating on a live server: two loaders fill two tables an hour at a time and say how
// far they got; a stream table joining them refreshes only once both reached the same hour (or
// within the group's tolerance), so it never shows a half-loaded join.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "live_checks.hpp"

namespace {

using namespace std::chrono_literals;
using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::equal_to_query;
using pgt::testing::sqlstate_of;
using pgt::testing::wait_for;


const char* joined_query = "SELECT o.hour, count(*) AS lines, sum(l.qty) AS qty FROM orders o JOIN lines l USING (order_id) GROUP BY o.hour";

/// Loads hour `h`: 10 orders, or their 3 lines each.
void load_orders(pgt::testing::connection& db, int h) {
    db.exec("INSERT INTO orders SELECT " + std::to_string(h) + " * 100 + i, " + std::to_string(h) + " FROM generate_series(1, 10) i");
}
void load_lines(pgt::testing::connection& db, int h) {
    db.exec("INSERT INTO lines SELECT " + std::to_string(h) + " * 100 + i, j FROM generate_series(1, 10) i, generate_series(1, 3) j");
}
std::string hour(int h) { return "'2026-01-01 00:00:00+00'::timestamptz + interval '" + std::to_string(h) + " hours'"; }

} // namespace

TEST_CASE("watermarks: a join over two loaders refreshes only when both are loaded to the same point", "[scheduler]") {
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 100"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("SET TimeZone = 'UTC'");
    db.exec("CREATE TABLE orders (order_id int PRIMARY KEY, hour int NOT NULL)");
    db.exec("CREATE TABLE lines (order_id int NOT NULL, qty int NOT NULL)");
    db.exec("CREATE TABLE other (v int)");
    db.exec(std::string("SELECT pgtrickle.create_stream_table('joined', '") + joined_query + "', schedule => '1s')");
    db.exec("SELECT pgtrickle.create_stream_table('orders_only', 'SELECT hour, count(*) AS n FROM orders GROUP BY hour', schedule => '1s')");

    // Bad input.
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_watermark_group('etl', ARRAY['orders'])") == "22023");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_watermark_group('etl', ARRAY['orders', 'nope'])") == "42P01");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_watermark_group('etl', ARRAY['orders', 'lines'], interval '-1 hour')") == "22023");
    db.exec("SELECT pgtrickle.create_watermark_group('etl', ARRAY['orders', 'lines'])");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.create_watermark_group('etl', ARRAY['orders', 'other'])") == "42710");
    CHECK(db.scalar("SELECT aligned::text || ' ' || sources_without_watermark || ' ' || held_back::text FROM pgtrickle.watermark_status()") ==
          "false 2 {public.joined}");

    for (int h = 1; h <= 3; ++h) {
        // Orders first: the join waits; a stream table over orders alone does not.
        load_orders(db, h);
        db.exec("SELECT pgtrickle.advance_watermark('orders', " + hour(h) + ")");
        CHECK(wait_for([&] { return equal_to_query(db, "orders_only", "hour, n", "SELECT hour, count(*) FROM orders GROUP BY hour"); }, 10s));
        std::this_thread::sleep_for(1500ms); // the join is due meanwhile
        CHECK(db.scalar("SELECT count(*) FROM joined WHERE hour = " + std::to_string(h)) == "0");
        // Lines loaded but not yet said to be: still waiting.
        load_lines(db, h);
        std::this_thread::sleep_for(1500ms);
        CHECK(db.scalar("SELECT count(*) FROM joined WHERE hour = " + std::to_string(h)) == "0");
        db.exec("SELECT pgtrickle.advance_watermark('lines', " + hour(h) + ")");
        CHECK(wait_for([&] { return equal_to_query(db, "joined", "hour, lines, qty", joined_query); }, 10s));
        CHECK(db.scalar("SELECT aligned FROM pgtrickle.watermark_status()") == "t");
    }
    // Monotonic: back is refused, the same point is accepted.
    CHECK(sqlstate_of(db, "SELECT pgtrickle.advance_watermark('lines', " + hour(2) + ")") == "22023");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.advance_watermark('lines', " + hour(3) + ")").empty());

    // A tolerance of an hour: one hour apart is aligned.
    db.exec("SELECT pgtrickle.drop_watermark_group('etl')");
    db.exec("SELECT pgtrickle.create_watermark_group('etl', ARRAY['orders', 'lines'], interval '1 hour')");
    load_orders(db, 4);
    load_lines(db, 4);
    db.exec("SELECT pgtrickle.advance_watermark('orders', " + hour(4) + ")");
    CHECK(wait_for([&] { return equal_to_query(db, "joined", "hour, lines, qty", joined_query); }, 10s));
    CHECK(db.scalar("SELECT string_agg(source || ' ' || watermark, ', ' ORDER BY source) FROM pgtrickle.watermarks()") ==
          "lines 2026-01-01 03:00:00+00, orders 2026-01-01 04:00:00+00");
    db.exec("SELECT pgtrickle.drop_watermark_group('etl')");
    CHECK(sqlstate_of(db, "SELECT pgtrickle.drop_watermark_group('etl')") == "42704");
}
