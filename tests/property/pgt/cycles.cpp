// Cycles of stream tables on a live server (pg_trickle.allow_circular): a transitive closure
// made of two stream tables reading each other equals WITH RECURSIVE's after random inserts and
// deletes of edges; cycles that are not monotone are refused, naming the operator; a cycle that
// does not converge stops at pg_trickle.max_fixpoint_iterations and keeps its contents.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "live_checks.hpp"

namespace {

using namespace std::chrono_literals;
using pgt::testing::message_of;
using pgt::testing::server_with_extension;
using pgt::testing::sqlstate_of;
using pgt::testing::wait_for;

const std::string closure = "WITH RECURSIVE r(src, dst) AS (SELECT src, dst FROM edges UNION "
                            "SELECT r.src, e.dst FROM r JOIN edges e ON e.src = r.dst) SELECT src, dst FROM r";

} // namespace

TEST_CASE("cycles: a transitive closure of two stream tables equals WITH RECURSIVE's", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("CREATE TABLE edges (src int NOT NULL, dst int NOT NULL)");
    db.exec("INSERT INTO edges VALUES (1, 2), (2, 3), (3, 4), (4, 5), (1, 3), (2, 5), (5, 1)");
    db.exec("SELECT pgtrickle.create_stream_table('reach', 'SELECT src, dst FROM edges', schedule => '1h')");
    db.exec("SELECT pgtrickle.create_stream_table('reach_step', "
            "'SELECT DISTINCT r.src, e.dst FROM reach r JOIN edges e ON e.src = r.dst', schedule => '1h')");
    const std::string closed = "SELECT pgtrickle.alter_stream_table('reach', query => "
                               "'SELECT src, dst FROM edges UNION SELECT src, dst FROM reach_step')";

    // Refused while pg_trickle.allow_circular is off, and when a query is not monotone.
    CHECK(sqlstate_of(db, closed) == "3F000");
    db.exec("SET pg_trickle.allow_circular = on");
    const auto except = message_of(db, "SELECT pgtrickle.alter_stream_table('reach', query => "
                                     "'SELECT src, dst FROM edges EXCEPT SELECT src, dst FROM reach_step')");
    CHECK(except.find("reach cannot be part of a cycle") != std::string::npos);
    CHECK(except.find("EXCEPT") != std::string::npos);
    CHECK(sqlstate_of(db, "SELECT pgtrickle.alter_stream_table('reach', query => 'SELECT src, max(dst) AS dst FROM "
                          "(SELECT src, dst FROM edges UNION ALL SELECT src, dst FROM reach_step) x GROUP BY src')") == "3F000");
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_scc_status()") == "0");

    db.exec(closed);
    CHECK(db.scalar("SELECT member_count || ' ' || members::text FROM pgtrickle.pgt_scc_status()") ==
          "2 {public.reach,public.reach_step}");
    CHECK(db.scalar("SELECT count(DISTINCT scc_id) FROM pgtrickle.pgt_status() WHERE scc_id IS NOT NULL") == "1");
    CHECK(pgt::testing::equal_to_query(db, "reach", "src, dst", closure));
    CHECK(db.scalar("SELECT last_iterations > 1 FROM pgtrickle.pgt_scc_status()") == "t");
    CHECK(db.scalar("SELECT explain_dag LIKE '%subgraph cycle_1%' FROM pgtrickle.explain_dag()") == "t");

    // Random edges among 10 nodes (duplicates and loops included) inserted and deleted.
    std::mt19937 rng(29);
    auto node = [&] { return std::to_string(1 + rng() % 10); };
    for (int round = 0; round < 25; ++round) {
        for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i)
            db.exec("INSERT INTO edges VALUES (" + node() + ", " + node() + ")");
        if (rng() % 3 != 0)
            db.exec("DELETE FROM edges WHERE ctid IN (SELECT ctid FROM edges ORDER BY random() LIMIT " +
                    std::to_string(1 + rng() % 3) + ")");
        db.exec(std::string("SELECT pgtrickle.refresh_stream_table('") + (round % 2 ? "reach" : "reach_step") + "')");
        INFO("round " << round);
        REQUIRE(pgt::testing::mismatches(db, "reach", "src, dst", closure) == 0);
        REQUIRE(pgt::testing::equal_to_query(db, "reach_step", "src, dst",
                                             "SELECT DISTINCT r.src, e.dst FROM reach r JOIN edges e ON e.src = r.dst"));
    }

    // Edges only added: each round applies what the last one added (semi-naive), nothing is
    // recomputed.
    const auto before = *db.scalar("SELECT max(refresh_id) FROM pgtrickle.pgt_refresh_history");
    db.exec("INSERT INTO edges VALUES (" + node() + ", " + node() + "), (" + node() + ", " + node() + "), (" + node() + ", " + node() + ")");
    db.exec("SELECT pgtrickle.refresh_stream_table('reach')");
    REQUIRE(pgt::testing::mismatches(db, "reach", "src, dst", closure) == 0);
    CHECK(db.scalar("SELECT count(*) FILTER (WHERE action = 'DIFFERENTIAL') > 0 AND count(*) FILTER (WHERE action NOT IN "
                    "('DIFFERENTIAL', 'NO_DATA')) = 0 FROM pgtrickle.pgt_refresh_history WHERE refresh_id > " + before) == "t");

    // The scheduler refreshes the cycle as one unit.
    db.exec("SELECT pgtrickle.alter_stream_table('reach', schedule => '1s')");
    db.exec("DELETE FROM edges");
    db.exec("INSERT INTO edges VALUES (7, 8), (8, 9), (9, 7)");
    CHECK(wait_for([&] { return pgt::testing::mismatches(db, "reach", "src, dst", closure) == 0; }, 15s));
    CHECK(db.scalar("SELECT count(*) FROM reach") == "9");

    // Dropping a member cascades around the cycle.
    CHECK(sqlstate_of(db, "SELECT pgtrickle.drop_stream_table('reach')") == "2BP01");
    db.exec("SELECT pgtrickle.drop_stream_table('reach', cascade => true)");
    CHECK(db.scalar("SELECT count(*) FROM pgtrickle.pgt_stream_tables") == "0");
}

TEST_CASE("cycles: one that does not converge stops at the limit and keeps its contents", "[scheduler]") {
    server_with_extension s;
    auto& db = s.db;
    db.exec("ALTER SYSTEM SET pg_trickle.max_fixpoint_iterations = 20");
    db.exec("SELECT pg_reload_conf()");
    db.exec("SET pg_trickle.allow_circular = on");
    db.exec("SET pg_trickle.max_fixpoint_iterations = 20");
    // counting: each value below 1000 brings the next one; from 995, six rounds.
    db.exec("CREATE TABLE seeds (x int NOT NULL)");
    db.exec("INSERT INTO seeds VALUES (995)");
    db.exec("SELECT pgtrickle.create_stream_table('counting', 'SELECT x FROM seeds', schedule => '1h')");
    db.exec("SELECT pgtrickle.create_stream_table('next_up', 'SELECT x + 1 AS x FROM counting WHERE x < 1000', schedule => '1h')");
    db.exec("SELECT pgtrickle.alter_stream_table('counting', query => 'SELECT x FROM seeds UNION ALL SELECT x FROM next_up')");
    CHECK(db.scalar("SELECT string_agg(x::text, ',' ORDER BY x) FROM counting") == "995,996,997,998,999,1000");

    // From 900 it would take a hundred rounds.
    db.exec("INSERT INTO seeds VALUES (900)");
    const auto stopped = message_of(db, "SELECT pgtrickle.refresh_stream_table('counting')");
    CHECK(stopped.find("did not converge within 20 rounds") != std::string::npos);
    CHECK(db.scalar("SELECT count(*) FROM counting") == "6");
    // The scheduler's attempt fails the same way: in ERROR, the contents kept.
    db.exec("SELECT pgtrickle.alter_stream_table('counting', schedule => '1s')");
    CHECK(wait_for([&] { return db.scalar("SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE status IN ('ERROR', "
                                          "'SUSPENDED') AND last_error_message LIKE '%did not converge%'") == "1"; },
                   15s));
    CHECK(db.scalar("SELECT count(*) FROM counting") == "6");
    // A higher limit lets it finish: {900, …, 1000} and {995, …, 1000}.
    db.exec("ALTER SYSTEM SET pg_trickle.max_fixpoint_iterations = 2000");
    db.exec("SELECT pg_reload_conf()");
    db.exec("SELECT pgtrickle.resume_stream_table(pgt_schema || '.' || pgt_name) FROM pgtrickle.pgt_stream_tables "
            "WHERE status IN ('ERROR', 'SUSPENDED')");
    CHECK(wait_for([&] { return db.scalar("SELECT count(*) FROM counting") == "107"; }, 30s));
    CHECK(db.scalar("SELECT last_iterations > 100 FROM pgtrickle.pgt_scc_status()") == "t");
}
