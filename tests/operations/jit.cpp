// A refresh's own statements (its bookkeeping, the pending counts, the delta, the trims) are never
// JIT-compiled, whatever the session says: a large change buffer makes their estimates pass
// jit_above_cost, and compiling one took longer than running it. Full loads follow the
// session's jit as REFRESH MATERIALIZED VIEW of the defining query would: compiled when
// PostgreSQL's plan of that query passes jit_above_cost. auto_explain reports every statement
// run, nested ones included, with a "JIT:" section when it was compiled.
#include <catch2/catch.hpp>

#include <algorithm>

#include "pg_cluster.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;

struct explained {
    std::size_t statements = 0; ///< plans auto_explain logged
    std::size_t compiled = 0;   ///< of which JIT-compiled
};

explained explain(connection& db, const std::string& sql) {
    db.take_notices();
    db.exec(sql);
    explained e;
    for (const auto& n : db.take_notices()) {
        if (n.find("Query Text:") == std::string::npos) continue;
        ++e.statements;
        if (n.find("JIT:") != std::string::npos) ++e.compiled;
    }
    return e;
}

/// Creates the extension in `db` when its server can JIT-compile (else warns: nothing to check).
bool with_extension_if_jit(connection& db) {
    if (db.scalar("SELECT pg_jit_available()") != "t") {
        WARN("this server has no JIT provider (llvmjit): nothing to check");
        return false;
    }
    db.exec("CREATE EXTENSION pg_trickle");
    return true;
}

} // namespace

TEST_CASE("a refresh JIT-compiles its loads as the session says, and never its own statements", "[operations]") {
    cluster server(cluster_options{"pg_trickle", {}});
    auto db = server.connect();
    if (!with_extension_if_jit(db)) return;
    db.exec("CREATE TABLE items (id int PRIMARY KEY, kind int, price numeric)");
    db.exec("INSERT INTO items SELECT i, i % 3, i FROM generate_series(1, 300) i");
    db.exec("SELECT pgtrickle.create_stream_table('per_kind', 'SELECT kind, sum(price) AS total FROM items GROUP BY kind', "
            "schedule => '24h', refresh_mode => 'DIFFERENTIAL')");
    db.exec("SELECT pgtrickle.create_stream_table('per_kind_full', 'SELECT kind, sum(price) AS total FROM items GROUP BY kind', "
            "schedule => '24h', refresh_mode => 'FULL')");
    // Every statement's estimate passes the threshold; compiling without optimising is quick.
    db.exec("SET jit = on; SET jit_above_cost = 0; SET jit_optimize_above_cost = -1; SET jit_inline_above_cost = -1");
    db.exec("LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on");
    db.exec("SET client_min_messages = log");

    db.exec("UPDATE items SET price = price + 1 WHERE id % 7 = 0");
    const auto differential = explain(db, "SELECT pgtrickle.refresh_stream_table('per_kind')");
    CHECK(differential.statements > 3);
    // The only one compiled is the call itself, the session's own statement.
    CHECK(differential.compiled == 1);

    const auto full = explain(db, "SELECT pgtrickle.refresh_stream_table('per_kind_full')");
    CHECK(full.compiled >= 2); // the call and the load
    CHECK(full.compiled < full.statements);
    CHECK(db.scalar("SHOW jit") == "on");

    db.exec("SET jit = off");
    CHECK(explain(db, "SELECT pgtrickle.refresh_stream_table('per_kind_full')").compiled == 0);

    db.exec("RESET client_min_messages");
    CHECK(db.scalar("SELECT count(*) FROM (SELECT kind, total FROM per_kind EXCEPT SELECT kind, sum(price) FROM items GROUP BY kind) x") == "0");
}

TEST_CASE("a full load is JIT-compiled where PostgreSQL's plan of the defining query would be, whatever the load's own estimate",
          "[operations]") {
    cluster server(cluster_options{"pg_trickle", {}});
    auto db = server.connect();
    if (!with_extension_if_jit(db)) return;
    db.exec("CREATE TABLE g (id int PRIMARY KEY, p point, k int)");
    db.exec("INSERT INTO g SELECT i, point(i, i), i % 3 FROM generate_series(1, 20) i");
    db.exec("ANALYZE g");
    // Nested correlated EXISTS: PostgreSQL's plan of them costs little; the differential stream
    // table's load, decorrelated, is estimated in the millions, past jit_above_cost, and
    // compiling its plan took seconds.
    const std::string query =
        "SELECT t0.id, t0.p FROM g t0 WHERE EXISTS (SELECT t1.p FROM g t1 WHERE t1.k = t0.k AND t1.id >= t0.id AND EXISTS ("
        "SELECT t2.p FROM g t2 WHERE t2.k = t1.k AND t2.id >= t0.id AND EXISTS (SELECT t3.p FROM g t3 WHERE t3.k = t2.k AND "
        "t3.id >= t0.id AND EXISTS (SELECT t4.p FROM g t4 WHERE t4.k = t3.k AND t4.id >= t0.id))))";
    const auto traced = [](connection& c, const std::string& above) {
        c.exec("SET jit = on; SET jit_above_cost = " + above + "; SET jit_optimize_above_cost = -1; SET jit_inline_above_cost = -1");
        c.exec("LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on");
        c.exec("SET client_min_messages = log");
    };
    const std::string reload = "TRUNCATE g; INSERT INTO g SELECT i, point(i, i), i % 3 FROM generate_series(1, 20) i";
    traced(db, "100000");
    // Creation (describing the load's columns, the first load) and a recomputation compile nothing.
    CHECK(explain(db, "SELECT pgtrickle.create_stream_table('nested', $q$" + query +
                          "$q$, schedule => '24h', refresh_mode => 'DIFFERENTIAL')")
              .compiled == 0);
    db.exec(reload);
    db.take_notices();
    db.exec("SELECT pgtrickle.refresh_stream_table('nested')");
    const auto notices = db.take_notices();
    CHECK(std::ranges::none_of(notices, [](const std::string& n) { return n.find("JIT:") != std::string::npos; }));
    // (Estimated at more than a hundred times the query's plan, the circuit's load gives way to
    // the query as written.)
    CHECK(std::ranges::any_of(notices, [](const std::string& n) { return n.find("EXISTS (SELECT t1.p FROM g t1") != std::string::npos; }));
    // Where the query's own plan passes the threshold, the load is compiled (in a session of its
    // own: a session keeps the plans it made).
    auto other = server.connect();
    traced(other, "1");
    other.exec(reload);
    CHECK(explain(other, "SELECT pgtrickle.refresh_stream_table('nested')").compiled >= 1);

    db.exec("RESET client_min_messages");
    CHECK(db.scalar("SELECT count(*) FROM ((SELECT id, p::text FROM nested EXCEPT ALL SELECT id, p::text FROM (" + query +
                    ") q) UNION ALL (SELECT id, p::text FROM (" + query + ") q EXCEPT ALL SELECT id, p::text FROM nested)) x") == "0");
}
