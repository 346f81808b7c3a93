// auto_backoff on a live server: a stream table whose refreshes take longer than its schedule
// is refreshed less often, and pgt_status() says so; with the setting off it is not.
#include <catch2/catch.hpp>

#include <chrono>

#include "live_checks.hpp"

namespace {

using namespace std::chrono_literals;
using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::wait_for;

} // namespace

TEST_CASE("auto_backoff: a refresh longer than its schedule stretches it, and pgt_status shows it", "[scheduler]") {
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 100"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("CREATE TABLE src (v int)");
    db.exec("INSERT INTO src VALUES (1)");
    // Each refresh takes 1.5 s; the schedule says every second.
    db.exec("SELECT pgtrickle.create_stream_table('slow', 'SELECT sum(v) AS total, pg_sleep(1.5) IS NOT NULL AS slept FROM src', "
            "schedule => '1s', refresh_mode => 'FULL', initialize => false)");
    const auto changed = [&] { db.exec("UPDATE src SET v = v + 1"); };
    REQUIRE(wait_for([&] {
        changed();
        return db.scalar("SELECT count(*) >= 3 FROM pgtrickle.pgt_refresh_history WHERE status = 'COMPLETED' AND "
                         "initiated_by = 'SCHEDULER' AND action <> 'NO_DATA'") == "t";
    }, 30s));
    // (×2 here; a loaded machine may take longer than 1.9 s a refresh, and back off further.)
    const std::string factor = *db.scalar("SELECT pgtrickle._backoff_factor(pgt_id) FROM pgtrickle.pgt_stream_tables");
    CHECK((factor == "2" || factor == "4"));
    CHECK(db.scalar("SELECT pgtrickle._effective_interval(pgt_id) FROM pgtrickle.pgt_stream_tables") == factor);
    CHECK(db.scalar("SELECT schedule FROM pgtrickle.pgt_status()") == "1s (backed off ×" + factor + ": every " + factor + "s)");
    db.exec("ALTER SYSTEM SET pg_trickle.auto_backoff = off");
    db.exec("SELECT pg_reload_conf()");
    CHECK(wait_for([&] { return db.scalar("SELECT schedule FROM pgtrickle.pgt_status()") == "1s"; }, 5s));
}
