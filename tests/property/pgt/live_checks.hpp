#pragma once
// Shared by the live-server tests: a server with the extension, a stream table checked against
// its defining query, waiting for the background scheduler, the error a statement raises.

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "pg_cluster.hpp"

namespace pgt::testing {

/// Rows of `relation` (visible columns `cols`) not matching `query` as multisets.
inline long long mismatches(connection& db, const std::string& relation, const std::string& cols, const std::string& query) {
    return std::stoll(*db.scalar("SELECT count(*) FROM ((SELECT " + cols + " FROM " + relation + " EXCEPT ALL (" + query +
                                 ")) UNION ALL ((" + query + ") EXCEPT ALL SELECT " + cols + " FROM " + relation + ")) x"));
}

inline bool equal_to_query(connection& db, const std::string& relation, const std::string& cols, const std::string& query) {
    return mismatches(db, relation, cols, query) == 0;
}

/// Polls `check` every 20 ms until it holds or `limit` passes; returns the time it took.
template <class F>
std::optional<std::chrono::milliseconds> wait_for(F check, std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
        if (check()) return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

/// A throwaway server with pg_trickle preloaded (the scheduler looking every 200 ms, and
/// `extra_setting`), the extension created in its postgres database and its scheduler running.
struct server_with_extension {
    cluster server;
    connection db;
    explicit server_with_extension(const std::string& extra_setting = "")
        : server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 200", extra_setting}}),
          db(server.connect()) {
        db.exec("CREATE EXTENSION pg_trickle");
        REQUIRE(wait_for([&] { return db.scalar("SELECT pgtrickle._scheduler_running()") == "t"; },
                         std::chrono::seconds(10)));
    }
};

/// The SQLSTATE `sql` fails with ("" when it succeeds).
inline std::string sqlstate_of(connection& db, const std::string& sql) {
    try {
        db.exec(sql);
    } catch (const server_error& e) {
        return e.sqlstate;
    }
    return "";
}

/// The message `sql` fails with ("" when it succeeds).
inline std::string message_of(connection& db, const std::string& sql) {
    try {
        db.exec(sql);
    } catch (const server_error& e) {
        return e.what();
    }
    return "";
}

} // namespace pgt::testing
