// Stream tables read on other servers (docs/SCALE_OUT.md), with real PostgreSQL servers:
//
// * Logical replication: a primary publishes the storage tables of an aggregate, a bag and a FULL
//   stream table; a subscriber without pg_trickle gets tables made by pg_dump of that storage.
//   After each round of random writes and refreshes on the primary, once the subscriber reports
//   the primary's WAL position, its tables equal the primary's storage (hidden columns included)
//   and the defining queries. Refreshes arrive as row changes (MERGE/DELETE as UPDATE/DELETE,
//   FULL refreshes as TRUNCATE). Redefining a stream table takes its new storage out of the
//   publication; redoing the publication and the subscriber's table brings it back.
// * A source on a subscriber: health_check flags it while a subscription writes into it (the
//   apply worker fires no statement triggers, so capture by triggers misses those changes).
// * Physical replication: a hot standby made with pg_basebackup -R replays refreshes; stream
//   tables and the monitoring functions read there; refreshes are refused with 25006.
#include <catch2/catch.hpp>

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "pg_cluster.hpp"

namespace {

namespace fs = std::filesystem;
using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;
using pgt::testing::server_error;
using pgt::testing::text_row;
using rows = std::vector<text_row>;

constexpr auto wait_limit = std::chrono::seconds(30);

std::string q(const std::string& s) {
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return r + "'";
}

bool running_as_root() { return geteuid() == 0; }

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string tail(const std::string& text, std::size_t n = 3000) {
    return text.size() <= n ? text : "…" + text.substr(text.size() - n);
}

/// Runs `command` under bash -o pipefail, as the postgres user when `as_owner` and we are root.
void run(const std::string& command, bool as_owner = false, const std::string& log_file = "") {
    std::string full = "bash -o pipefail -c " + q(command);
    if (as_owner && running_as_root()) full = "runuser -u postgres -- " + full;
    if (std::system(full.c_str()) != 0)
        throw std::runtime_error("command failed: " + command + (log_file.empty() ? "" : "\n" + tail(read_text(log_file))));
}

std::string bin(const std::string& program) { return pgt::testing::pg_bin_dir() + "/" + program; }

/// The Unix socket directory of a cluster made by pg_cluster (its data directory's parent).
std::string socket_dir(const cluster& c) { return fs::path(c.data_dir()).parent_path().string(); }

/// A hot standby of a running primary: pg_basebackup -R into a fresh temporary folder (owned by
/// postgres when we are root, as pg_cluster does), reachable only through a Unix socket in that
/// folder; stopped and removed when the object dies, also when the constructor fails.
class standby {
public:
    explicit standby(const cluster& primary) {
        std::string tmpl = (fs::temp_directory_path() / "pgt_standby_XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        data_ = dir_ + "/data";
        try {
            if (running_as_root()) {
                const passwd* pw = getpwnam("postgres");
                if (!pw || chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
                    throw std::runtime_error("cannot give " + dir_ + " to the postgres user");
            }
            run(q(bin("pg_basebackup")) + " -h " + q(socket_dir(primary)) + " -U postgres -D " + q(data_) +
                    " -R -X stream -c fast >" + q(dir_ + "/basebackup.log") + " 2>&1",
                true, dir_ + "/basebackup.log");
            // The copied postgresql.conf points at the primary's socket directory: later lines win.
            std::ofstream conf(data_ + "/postgresql.conf", std::ios::app);
            conf << "unix_socket_directories = '" << dir_ << "'\nhot_standby = on\n";
            conf.close();
            run(q(bin("pg_ctl")) + " -D " + q(data_) + " -l " + q(dir_ + "/server.log") + " -w -t 60 start >/dev/null", true,
                dir_ + "/server.log");
            running_ = true;
        } catch (...) {
            cleanup();
            throw;
        }
    }
    ~standby() { cleanup(); }
    standby(const standby&) = delete;
    standby& operator=(const standby&) = delete;

    connection connect() const { return connection("host=" + dir_ + " dbname=postgres user=postgres"); }
    std::string log() const { return read_text(dir_ + "/server.log"); }

private:
    void cleanup() noexcept {
        try {
            if (running_) run(q(bin("pg_ctl")) + " -D " + q(data_) + " -m immediate -w -t 60 stop >/dev/null", true);
        } catch (...) {
            // Best effort: the test's own failure is what matters.
        }
        running_ = false;
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string dir_, data_;
    bool running_ = false;
};

/// Polls `done` every 20 ms for up to wait_limit.
bool wait_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

std::string show(const text_row& r) {
    std::string s = "(";
    for (std::size_t i = 0; i < r.size(); ++i) s += (i ? ", " : "") + (r[i] ? *r[i] : std::string("NULL"));
    return s + ")";
}

rows sorted(rows r) {
    std::sort(r.begin(), r.end());
    return r;
}

/// Rows of `a` missing from `b`, as multisets (both sorted), at most five, for messages.
std::string missing(const rows& a, const rows& b) {
    rows out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    std::string s;
    for (std::size_t i = 0; i < out.size() && i < 5; ++i) s += " " + show(out[i]);
    return std::to_string(out.size()) + " row(s)" + s;
}

/// CHECKs that two results are equal as multisets; returns the (sorted) result of `got`.
rows check_same(const rows& got_rows, const rows& want_rows, const std::string& what) {
    rows got = sorted(got_rows), want = sorted(want_rows);
    INFO(what << ": " << got.size() << " rows, expected " << want.size() << "; extra " << missing(got, want)
              << "; missing " << missing(want, got));
    CHECK(got == want);
    return got;
}

// ---- the source and its writes --------------------------------------------------------------------

struct stream_table {
    std::string name, query, columns, mode, maintenance;
    char replica_identity; // 'i': the unique row-id index; 'f': FULL
};

const std::vector<stream_table> logical_set = {
    {"by_group", "SELECT g, count(*) AS n, sum(v) AS total, max(v) AS top FROM items GROUP BY g", "g, n, total, top",
     "DIFFERENTIAL", "aggregate", 'i'},
    // The projection drops the key: stored as a bag, with many exact duplicates.
    {"tags", "SELECT g, tag FROM items", "g, tag", "DIFFERENTIAL", "bag", 'f'},
    {"by_tag", "SELECT tag, count(*) AS n, min(v) AS low FROM items GROUP BY tag", "tag, n, low", "FULL", "", 'f'},
};

int pick(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

std::string random_tag(std::mt19937& rng) {
    static const char* tags[] = {"'red'", "'green'", "'blue'", "'teal'", "NULL"};
    return tags[pick(rng, 0, 4)];
}

std::string insert_items(std::mt19937& rng, int& next_id, int n) {
    std::string sql = "INSERT INTO items VALUES ";
    for (int i = 0; i < n; ++i) {
        const std::string v = pick(rng, 0, 9) == 0 ? "NULL" : std::to_string(pick(rng, -20, 100));
        sql += (i ? ", (" : "(") + std::to_string(next_id++) + ", " + std::to_string(pick(rng, 0, 5)) + ", " + v + ", " +
               random_tag(rng) + ")";
    }
    return sql;
}

/// Random inserts, updates (of values, groups and tags) and deletes, one transaction each.
void write_round(connection& db, std::mt19937& rng, int& next_id) {
    db.exec(insert_items(rng, next_id, pick(rng, 8, 20)));
    int m = pick(rng, 3, 6);
    db.exec("UPDATE items SET v = coalesce(v, 0) + " + std::to_string(pick(rng, 1, 9)) + " WHERE id % " + std::to_string(m) +
            " = " + std::to_string(pick(rng, 0, m - 1)));
    m = pick(rng, 7, 11);
    db.exec("UPDATE items SET g = " + std::to_string(pick(rng, 0, 6)) + ", tag = " + random_tag(rng) + " WHERE id % " +
            std::to_string(m) + " = " + std::to_string(pick(rng, 0, m - 1)));
    m = pick(rng, 6, 10);
    db.exec("DELETE FROM items WHERE id % " + std::to_string(m) + " = " + std::to_string(pick(rng, 0, m - 1)));
}

void create_source(connection& db, std::mt19937& rng, int& next_id) {
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("CREATE TABLE items (id int PRIMARY KEY, g int NOT NULL, v int, tag text)");
    db.exec(insert_items(rng, next_id, 300));
}

void create_stream_table(connection& db, const stream_table& st) {
    db.exec("SELECT pgtrickle.create_stream_table('" + st.name + "', $$" + st.query + "$$, schedule => '24h', refresh_mode => '" +
            st.mode + "')");
}

/// The storage layout pg_trickle chose and the replica identity it gave the storage table.
void check_storage(connection& db, const stream_table& st) {
    INFO("stream table " << st.name);
    CHECK(db.scalar("SELECT coalesce(maintenance, '') FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + st.name + "'") ==
          st.maintenance);
    CHECK(db.scalar("SELECT relreplident::text FROM pg_class WHERE oid = '" + st.name + "'::regclass") ==
          std::string(1, st.replica_identity));
    if (st.replica_identity == 'i')
        CHECK(db.scalar("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = '" + st.name +
                        "'::regclass AND indisreplident") ==
              "CREATE UNIQUE INDEX " + st.name + "___pgt_row_id_idx ON public." + st.name + " USING btree (__pgt_row_id)");
}

/// Refreshes `st` on the primary and CHECKs that its newest history row is `action` and changed rows.
void refresh(connection& db, const stream_table& st, const std::string& action) {
    try {
        db.exec("SELECT pgtrickle.refresh_stream_table('" + st.name + "')");
    } catch (const server_error& e) {
        FAIL("refresh of published stream table " << st.name << " failed: SQLSTATE " << e.sqlstate << ": " << e.what());
    }
    const auto h = db.query("SELECT action, rows_inserted + rows_deleted FROM pgtrickle.get_refresh_history('" + st.name + "', 1)");
    REQUIRE(h.size() == 1);
    INFO("stream table " << st.name);
    CHECK(h[0][0] == action);
    CHECK(std::stoll(h[0][1].value_or("0")) > 0);
}

// ---- logical replication ----------------------------------------------------------------------------

/// Creates the subscriber's copies of the primary's storage tables, columns, indexes and replica
/// identity included, without the stream tables' triggers (their functions exist only with
/// pg_trickle). This is the command docs/SCALE_OUT.md shows.
void copy_table_definitions(const cluster& primary, const cluster& subscriber, const std::vector<std::string>& tables) {
    std::string cmd = q(bin("pg_dump")) + " -h " + q(socket_dir(primary)) + " -U postgres -d postgres --schema-only --no-owner --no-privileges";
    for (const auto& t : tables) cmd += " -t public." + t;
    const std::string log_file = fs::path(subscriber.data_dir()).parent_path().string() + "/definitions.log";
    cmd += " | grep -Ev '^CREATE TRIGGER (pgt_dml_guard|pg_trickle_cdc_)' | " + q(bin("psql")) +
           " -X -q -v ON_ERROR_STOP=1 -h " + q(socket_dir(subscriber)) + " -U postgres -d postgres >" + q(log_file) + " 2>&1";
    run(cmd, false, log_file);
}

/// Waits until every table of the subscription is synchronized ('r') and its apply worker has
/// reported the primary's current WAL position (taken after the primary's last commit, which
/// was flushed: the session runs with synchronous_commit = on).
void wait_for_subscriber(connection& pdb, connection& sdb, const cluster& subscriber, std::size_t tables) {
    const std::string all = std::to_string(tables) + "/" + std::to_string(tables);
    if (!wait_until([&] {
            return sdb.scalar("SELECT count(*) FILTER (WHERE srsubstate = 'r') || '/' || count(*) FROM pg_subscription_rel") == all;
        }))
        FAIL("the subscription's tables are not all synchronized; subscriber log:\n" << tail(subscriber.log()));
    const std::string lsn = *pdb.scalar("SELECT pg_current_wal_lsn()");
    if (!wait_until([&] {
            return sdb.scalar("SELECT coalesce(bool_and(latest_end_lsn >= '" + lsn +
                              "'::pg_lsn), false) FROM pg_stat_subscription WHERE subname = 'st_sub' AND relid IS NULL") == "t";
        }))
        FAIL("the subscriber did not reach " << lsn << "; subscriber log:\n" << tail(subscriber.log()));
}

/// The subscriber's copy equals the primary's storage (every column) and the defining query.
rows check_copy(connection& pdb, connection& sdb, const stream_table& st) {
    check_same(sdb.query("SELECT * FROM " + st.name), pdb.query("SELECT * FROM " + st.name),
               "subscriber's " + st.name + " vs the primary's storage");
    return check_same(sdb.query("SELECT " + st.columns + " FROM " + st.name), pdb.query(st.query),
                      "subscriber's " + st.name + " vs its defining query on the primary");
}

std::string table_list(const std::vector<stream_table>& sts) {
    std::string s;
    for (const auto& st : sts) s += (s.empty() ? "" : ", ") + st.name;
    return s;
}

/// Makes the subscriber log each row change and TRUNCATE its apply worker makes to `tables`
/// (ENABLE ALWAYS: the apply worker runs with session_replication_role = replica, and with an
/// empty search_path).
void log_applied_changes(connection& sdb, const std::vector<stream_table>& tables) {
    sdb.exec("CREATE TABLE applied (tbl text, op text)");
    sdb.exec("CREATE FUNCTION log_applied() RETURNS trigger LANGUAGE plpgsql AS "
             "$$BEGIN INSERT INTO public.applied VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END$$");
    for (const auto& st : tables)
        sdb.exec("CREATE TRIGGER log_rows AFTER INSERT OR UPDATE OR DELETE ON " + st.name +
                 " FOR EACH ROW EXECUTE FUNCTION log_applied(); "
                 "CREATE TRIGGER log_truncate AFTER TRUNCATE ON " + st.name + " FOR EACH STATEMENT EXECUTE FUNCTION log_applied(); "
                 "ALTER TABLE " + st.name + " ENABLE ALWAYS TRIGGER log_rows, ENABLE ALWAYS TRIGGER log_truncate");
}

/// The changes logged since the last call, counted by "table OPERATION"; clears the log.
std::map<std::string, long long> applied(connection& sdb) {
    std::map<std::string, long long> out;
    for (const auto& r : sdb.query("SELECT tbl || ' ' || op, count(*) FROM applied GROUP BY 1")) out[*r[0]] = std::stoll(*r[1]);
    sdb.exec("TRUNCATE applied");
    return out;
}

} // namespace

TEST_CASE("stream tables replicate to a logical subscriber as row changes", "[logical]") {
    cluster primary{cluster_options{"pg_trickle", {"wal_level = logical", "max_wal_senders = 20", "max_replication_slots = 20"}}};
    cluster subscriber{cluster_options{"", {}}};
    auto pdb = primary.connect();
    auto sdb = subscriber.connect();
    pdb.exec("SET synchronous_commit = on");
    std::mt19937 rng(20261124);
    int next_id = 1;
    create_source(pdb, rng, next_id);
    std::vector<stream_table> sts = logical_set;
    for (const auto& st : sts) {
        create_stream_table(pdb, st);
        check_storage(pdb, st);
    }
    CHECK(pdb.scalar("SELECT count(*) > count(DISTINCT (g, tag)) FROM tags") == "t"); // duplicates in the bag

    // Publish the storage tables, make the subscriber's tables from them, subscribe.
    pdb.exec("CREATE PUBLICATION st_pub FOR TABLE " + table_list(sts));
    copy_table_definitions(primary, subscriber, {"by_group", "tags", "by_tag"});
    CHECK(sdb.scalar("SELECT relreplident::text FROM pg_class WHERE oid = 'by_group'::regclass") == "i");
    log_applied_changes(sdb, sts);
    sdb.exec("CREATE SUBSCRIPTION st_sub CONNECTION '" + primary.conninfo() + "' PUBLICATION st_pub");
    wait_for_subscriber(pdb, sdb, subscriber, sts.size());
    std::vector<rows> last;
    for (const auto& st : sts) {
        last.push_back(check_copy(pdb, sdb, st));
        CHECK(!last.back().empty());
    }
    applied(sdb); // the initial copies

    for (int round = 1; round <= 5; ++round) {
        INFO("round " << round);
        // Round 3 truncates the source: its DIFFERENTIAL readers recompute (truncate and reload).
        const bool truncate = round == 3;
        if (truncate) {
            pdb.exec("TRUNCATE items");
            pdb.exec(insert_items(rng, next_id, 150));
        }
        write_round(pdb, rng, next_id);
        for (const auto& st : sts) refresh(pdb, st, st.mode == "FULL" || truncate ? "FULL" : "DIFFERENTIAL");
        wait_for_subscriber(pdb, sdb, subscriber, sts.size());
        for (std::size_t i = 0; i < sts.size(); ++i) {
            auto now = check_copy(pdb, sdb, sts[i]);
            INFO("stream table " << sts[i].name);
            CHECK(!now.empty());
            CHECK(now != last[i]); // the refresh changed it, and the change arrived
            last[i] = std::move(now);
        }
        // How the changes arrived: DIFFERENTIAL refreshes as row changes (the aggregate's groups
        // updated in place), recomputations as TRUNCATE and INSERT of every row.
        const auto ops = applied(sdb);
        INFO("changes applied on the subscriber: " << [&] {
            std::string s;
            for (const auto& [what, n] : ops) s += what + " " + std::to_string(n) + "; ";
            return s;
        }());
        const auto n = [&](const std::string& what) { return ops.count(what) ? ops.at(what) : 0LL; };
        if (truncate) {
            CHECK(n("by_group TRUNCATE") == 1);
            CHECK(n("tags TRUNCATE") == 1);
            CHECK(n("tags INSERT") == static_cast<long long>(last[1].size()));
        } else {
            CHECK(n("by_group TRUNCATE") == 0);
            CHECK(n("tags TRUNCATE") == 0);
            CHECK(n("by_group UPDATE") > 0);
            CHECK(n("tags INSERT") > 0);
            CHECK(n("tags DELETE") > 0);
        }
        CHECK(n("by_tag TRUNCATE") == 1);
        CHECK(n("by_tag INSERT") == static_cast<long long>(last[2].size()));
    }

    // Redefining a stream table rebuilds its storage: the new table is not in the publication,
    // and the subscriber's table no longer receives anything. Redo both.
    stream_table& tags = sts[1];
    tags.query = "SELECT g, tag, v FROM items WHERE v IS NOT NULL";
    tags.columns = "g, tag, v";
    pdb.exec("SELECT pgtrickle.alter_stream_table('tags', query => $$" + tags.query + "$$)");
    CHECK(pdb.scalar("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'st_pub' AND tablename = 'tags'") == "0");
    check_storage(pdb, tags);
    pdb.exec("ALTER PUBLICATION st_pub ADD TABLE tags");
    sdb.exec("DROP TABLE tags");
    copy_table_definitions(primary, subscriber, {"tags"});
    sdb.exec("ALTER SUBSCRIPTION st_sub REFRESH PUBLICATION");
    wait_for_subscriber(pdb, sdb, subscriber, sts.size());
    CHECK(!check_copy(pdb, sdb, tags).empty());
    write_round(pdb, rng, next_id);
    for (const auto& st : sts) refresh(pdb, st, st.mode == "FULL" ? "FULL" : "DIFFERENTIAL");
    wait_for_subscriber(pdb, sdb, subscriber, sts.size());
    for (const auto& st : sts) check_copy(pdb, sdb, st);
}

TEST_CASE("health_check flags a source a subscription writes into: its apply worker fires no capture trigger", "[logical]") {
    cluster publisher{cluster_options{"", {"wal_level = logical", "max_wal_senders = 10", "max_replication_slots = 10"}}};
    cluster subscriber{cluster_options{"pg_trickle", {}}};
    auto pdb = publisher.connect();
    auto sdb = subscriber.connect();
    pdb.exec("CREATE TABLE orders (id int PRIMARY KEY, amount int)");
    pdb.exec("INSERT INTO orders SELECT i, i FROM generate_series(1, 10) i");
    pdb.exec("CREATE PUBLICATION shop_pub FOR TABLE orders");
    sdb.exec("CREATE EXTENSION pg_trickle");
    sdb.exec("CREATE TABLE orders (id int PRIMARY KEY, amount int)");
    sdb.exec("SELECT pgtrickle.create_stream_table('order_total', 'SELECT sum(amount) AS total FROM orders', schedule => '1h')");
    const std::string check = "SELECT severity || ' ' || detail FROM pgtrickle.health_check() WHERE check_name = 'subscribed_sources'";
    CHECK(sdb.scalar(check) == "OK none");
    sdb.exec("CREATE SUBSCRIPTION shop_sub CONNECTION '" + publisher.conninfo() + "' PUBLICATION shop_pub");
    CHECK(sdb.scalar(check) == "WARN orders: written by subscription shop_sub, whose changes triggers do not capture "
                               "(use cdc_mode => 'wal')");
    // A stream table made over it now says so.
    (void)sdb.take_notices();
    sdb.exec("SELECT pgtrickle.create_stream_table('order_count', 'SELECT count(*) AS n FROM orders', schedule => '1h')");
    const auto notices = sdb.take_notices();
    CHECK(std::ranges::any_of(notices, [](const std::string& n) {
        return n.find("table public.orders is written by subscription shop_sub") != std::string::npos;
    }));
    sdb.exec("DROP SUBSCRIPTION shop_sub");
    CHECK(sdb.scalar(check) == "OK none");
}

TEST_CASE("a hot standby replays refreshes, serves reads and refuses to refresh", "[standby]") {
    cluster primary{cluster_options{"pg_trickle", {"max_wal_senders = 10"}}};
    auto pdb = primary.connect();
    pdb.exec("SET synchronous_commit = on");
    std::mt19937 rng(11242026);
    int next_id = 1;
    create_source(pdb, rng, next_id);
    const std::vector<stream_table> sts(logical_set.begin(), logical_set.begin() + 2);
    for (const auto& st : sts) create_stream_table(pdb, st);

    standby replica(primary);
    auto rdb = replica.connect();
    REQUIRE(rdb.scalar("SELECT pg_is_in_recovery()") == "t");

    for (int round = 1; round <= 3; ++round) {
        INFO("round " << round);
        write_round(pdb, rng, next_id);
        for (const auto& st : sts) refresh(pdb, st, "DIFFERENTIAL");
        const std::string lsn = *pdb.scalar("SELECT pg_current_wal_lsn()");
        if (!wait_until([&] { return rdb.scalar("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn") == "t"; }))
            FAIL("the standby did not replay up to " << lsn << "; standby log:\n" << tail(replica.log()));
        for (const auto& st : sts) {
            check_same(rdb.query("SELECT * FROM " + st.name), pdb.query("SELECT * FROM " + st.name),
                       "standby's " + st.name + " vs the primary's");
            CHECK(!check_same(rdb.query("SELECT " + st.columns + " FROM " + st.name), pdb.query(st.query),
                              "standby's " + st.name + " vs its defining query on the primary")
                       .empty());
        }
    }

    // Monitoring reads the replayed catalog.
    const std::string status = "SELECT name, status, refresh_mode, is_populated, consecutive_errors, data_timestamp FROM pgtrickle.pgt_status()";
    const auto on_standby = check_same(rdb.query(status), pdb.query(status), "pgt_status() on the standby vs the primary");
    CHECK(on_standby.size() == 2);
    const std::string history = "SELECT refresh_id, action, status, rows_inserted, rows_deleted FROM pgtrickle.get_refresh_history('by_group')";
    CHECK(check_same(rdb.query(history), pdb.query(history), "get_refresh_history() on the standby").size() == 4);
    const std::string stats = "SELECT pgt_name, total_refreshes, total_rows_inserted, last_refresh_action FROM pgtrickle.st_refresh_stats()";
    check_same(rdb.query(stats), pdb.query(stats), "st_refresh_stats() on the standby");
    CHECK(rdb.scalar("SELECT get_staleness FROM pgtrickle.get_staleness('tags')") == "0");
    for (const char* read : {"SELECT * FROM pgtrickle.stream_tables_info", "SELECT * FROM pgtrickle.pg_stat_stream_tables",
                             "SELECT * FROM pgtrickle.quick_health", "SELECT * FROM pgtrickle.health_summary()",
                             "SELECT * FROM pgtrickle.refresh_timeline()", "SELECT * FROM pgtrickle.change_buffer_sizes()",
                             "SELECT * FROM pgtrickle.trigger_inventory()", "SELECT * FROM pgtrickle.dependency_tree()",
                             "SELECT * FROM pgtrickle.explain_st('by_group')", "SELECT * FROM pgtrickle.list_sources('tags')",
                             "SELECT * FROM pgtrickle.health_check()"}) {
        INFO(read);
        try {
            CHECK(!rdb.query(read).empty());
        } catch (const server_error& e) {
            FAIL("on the standby: " << read << ": SQLSTATE " << e.sqlstate << ": " << e.what());
        }
    }

    // No pg_trickle worker runs on a standby (the primary has its launcher).
    CHECK(wait_until([&] { return pdb.scalar("SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'pg_trickle%'") != "0"; }));
    CHECK(rdb.scalar("SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'pg_trickle%'") == "0");

    // Refreshing and defining are refused, naming the standby.
    try {
        rdb.exec("SELECT pgtrickle.refresh_stream_table('by_group')");
        FAIL("a refresh on the standby succeeded");
    } catch (const server_error& e) {
        CHECK(e.sqlstate == "25006");
        CHECK_THAT(e.what(), Catch::Matches("ERROR:  cannot refresh a stream table during recovery \\(on a standby\\)"));
    }
    try {
        rdb.exec("SELECT pgtrickle.create_stream_table('more', 'SELECT g FROM items')");
        FAIL("creating a stream table on the standby succeeded");
    } catch (const server_error& e) {
        CHECK(e.sqlstate == "25006");
        CHECK_THAT(e.what(), Catch::Matches("ERROR:  cannot change stream tables during recovery \\(on a standby\\)"));
    }
}
