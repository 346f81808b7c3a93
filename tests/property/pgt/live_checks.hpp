#pragma once
// Checks shared by the live-server tests: a stream table against its defining query, and
// waiting for the background scheduler.

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
