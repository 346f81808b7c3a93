#pragma once
// Keeps the queries whose result is a function of the tables' contents alone, as PostgreSQL runs
// them, and that can be a table's contents: no volatile function, no function of the clock,
// session or server state, no order-sensitive aggregate (sqlsmith never orders their input), no
// error, within the time limit, the same rows under another plan, output columns of storable
// types with distinct names (a query with duplicate names is wrapped as
// `SELECT * FROM (q) AS s(c0, c1, …)`).

#include <map>
#include <string>
#include <vector>

#include "session.hpp"

namespace pgt::fuzz {

/// Each pg_catalog function name with its most volatile overload ('i', 's' or 'v').
using volatility_map = std::map<std::string, char>;
volatility_map load_volatility(session& db);

struct screen_limits {
    int timeout_ms = 2000;   ///< statement_timeout of each run
    long max_rows = 2000;    ///< larger results are dropped (the checks would be slow)
};

struct screened {
    bool kept = false;
    std::string drop_reason;          ///< why not kept
    std::string query;                ///< the query as it will be defined
    std::vector<std::string> columns; ///< its output columns' names, quoted
    std::vector<std::string> sources; ///< relations it reads (tables and views), by name
};

screened screen_query(session& db, const std::string& query, const volatility_map& volatility, const screen_limits& limits);

} // namespace pgt::fuzz
