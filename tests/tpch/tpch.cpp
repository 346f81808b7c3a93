// TPC-H at SF 0.01 on a live server: each of the 22 queries, as a stream table in AUTO mode, is
// DIFFERENTIAL, and after every round of refresh functions (RF1 new orders, RF2 deleted
// orders, updates of line items, customers, parts and suppliers) equals its query run afresh
// as a multiset. The queries with LIMIT are checked as TopK stream tables and without the
// LIMIT. The same queries IMMEDIATE must be exact after every statement of the refresh
// functions, with no refresh call. PGT_TPCH_SF and PGT_TPCH_ROUNDS override the scale factor and
// the number of rounds.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "pg_cluster.hpp"
#include "tpch_data.hpp"

namespace {

using namespace pgt::testing;

struct tpch_query {
    std::string name, sql;
};

std::string read_query(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string text, line;
    while (std::getline(in, line))
        if (!line.starts_with("--")) text += line + "\n";
    return text;
}

/// The 22 queries, and those with LIMIT once more without it (named qNN_all).
std::vector<tpch_query> queries() {
    std::vector<tpch_query> out;
    for (int i = 1; i <= 22; ++i) {
        char name[8];
        std::snprintf(name, sizeof name, "q%02d", i);
        const std::string sql = read_query(std::filesystem::path(PGT_TPCH_QUERIES) / (std::string(name) + ".sql"));
        out.push_back({name, sql});
        static const std::regex limit(R"(\n?LIMIT [0-9]+\s*$)");
        if (std::regex_search(sql, limit)) out.push_back({std::string(name) + "_all", std::regex_replace(sql, limit, "\n")});
    }
    return out;
}

double env_or(const char* name, double fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atof(v) : fallback;
}

std::string quoted(const std::string& s) { return "$q$" + s + "$q$"; }

/// Rows in which the stream table and its query differ, as multisets (visible columns).
long long mismatches(connection& db, const tpch_query& q) {
    const std::string cols = *db.scalar(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '" + q.name +
        "'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_\\_pgt\\_%'");
    return std::stoll(*db.scalar("SELECT count(*) FROM ((SELECT " + cols + " FROM " + q.name + " EXCEPT ALL (" + q.sql +
                                 ")) UNION ALL ((" + q.sql + ") EXCEPT ALL SELECT " + cols + " FROM " + q.name + ")) x"));
}

void load(connection& db, const tpch::config& c) {
    db.exec(tpch::schema_sql());
    for (const auto& t : tpch::tables()) {
        std::ostringstream rows;
        tpch::write_table(rows, t, c);
        db.copy_in(t, rows.str());
    }
    db.exec(tpch::index_sql());
    db.exec("ANALYZE");
}

void refresh_functions(connection& db, const tpch::config& c, int round) {
    for (const char* t : {"orders", "lineitem"}) {
        std::ostringstream rows;
        tpch::write_new_orders(rows, t, c, round);
        db.copy_in(t, rows.str());
    }
    db.exec(tpch::delete_sql(c, round));
    db.exec(tpch::update_sql(c, round));
    db.exec("ANALYZE");
}

/// A server with the TPC-H tables loaded and the 27 queries as stream tables in `mode`.
struct tpch_server {
    tpch::config c{env_or("PGT_TPCH_SF", 0.01), 20261123};
    int rounds = static_cast<int>(env_or("PGT_TPCH_ROUNDS", 3));
    cluster server{cluster_options{"pg_trickle", {}}};
    connection db = [this] {
        server.connect().exec("CREATE DATABASE tpch");
        return server.connect("tpch");
    }();
    std::vector<tpch_query> qs = queries();

    explicit tpch_server(const std::string& mode) {
        db.exec("CREATE EXTENSION pg_trickle");
        load(db, c);
        REQUIRE(qs.size() == 27);
        db.exec("SET client_min_messages = error");
        for (const auto& q : qs)
            db.exec("SELECT pgtrickle.create_stream_table('" + q.name + "', " + quoted(q.sql) + ", refresh_mode => '" + mode +
                    "', schedule => '24h')");
        for (const auto& r : db.query("SELECT pgt_name, refresh_mode, coalesce(downgrade_reason, '') FROM pgtrickle.pgt_stream_tables")) {
            INFO(*r[0] << ": " << *r[2]);
            CHECK(r[1] == (mode == "AUTO" ? "DIFFERENTIAL" : mode));
        }
        check_all("after the initial load");
    }

    void check_all(const std::string& when) {
        for (const auto& q : qs) {
            INFO(q.name << " " << when);
            CHECK(mismatches(db, q) == 0);
        }
    }
};

} // namespace

TEST_CASE("tpch: the 22 queries are differential in AUTO mode and exact under RF1, RF2 and updates", "[tpch]") {
    tpch_server t("AUTO");
    for (int round = 1; round <= t.rounds; ++round) {
        refresh_functions(t.db, t.c, round);
        for (const auto& q : t.qs) {
            t.db.exec("SELECT pgtrickle.refresh_stream_table('" + q.name + "')");
            INFO(q.name << " after round " << round);
            // A refresh that had nothing to do is fine; one that recomputed is not.
            CHECK(t.db.scalar("SELECT last_refresh_action FROM pgtrickle.st_refresh_stats() WHERE pgt_name = '" + q.name +
                              "'") != std::optional<std::string>("FULL"));
            CHECK(mismatches(t.db, q) == 0);
        }
    }
}

TEST_CASE("tpch: the 22 queries IMMEDIATE are exact after every refresh function's statement, never refreshed", "[tpch]") {
    tpch_server t("IMMEDIATE");
    for (int round = 1; round <= t.rounds; ++round) {
        for (const char* table : {"orders", "lineitem"}) {
            std::ostringstream rows;
            tpch::write_new_orders(rows, table, t.c, round);
            t.db.copy_in(table, rows.str());
            t.check_all("after round " + std::to_string(round) + "'s new " + table);
        }
        t.db.exec(tpch::delete_sql(t.c, round));
        t.check_all("after round " + std::to_string(round) + "'s deletes");
        t.db.exec(tpch::update_sql(t.c, round));
        t.check_all("after round " + std::to_string(round) + "'s updates");
    }
}
