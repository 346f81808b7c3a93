#pragma once
// Makes a sqlsmith query deterministic without dropping it. sqlsmith samples tables
// (TABLESAMPLE), cuts results with LIMIT and never writes ORDER BY, so PostgreSQL may return
// other rows each time; the rewrite keeps what the query computes from whole tables:
//   * TABLESAMPLE clauses are removed;
//   * LIMIT n of a query or subquery is removed (sqlsmith writes no ORDER BY to rank by);
//   * its scalar subqueries `(select c from t limit 1 offset n)` become `(select min(c) from t)`
//     (max for odd n), one value of the same type, which every mode can maintain; for a type
//     without min/max, through its text: `(select min(c::text)::type from t)`.

#include <functional>
#include <optional>
#include <string>

namespace pgt::fuzz {

struct column_info {
    std::string type; ///< as format_type prints it
    bool has_min_max; ///< min() and max() accept it
};

/// A column of a table or view of the schema (unqualified relation name), if it exists.
using column_lookup = std::function<std::optional<column_info>(const std::string& relation, const std::string& column)>;

struct rewritten {
    std::optional<std::string> query; ///< the deterministic query; none for a statement that is no query
    int tablesamples = 0;             ///< TABLESAMPLE clauses removed
    int limits = 0;                   ///< LIMITs removed
    int scalar_subqueries = 0;        ///< scalar subqueries rewritten
};

rewritten make_deterministic(const std::string& statement, const column_lookup& columns);

} // namespace pgt::fuzz
