#pragma once
// One kept query, tried in every mode at once: a stream table per mode over the same sources,
// rounds of random writes to those sources, a refresh of the non-IMMEDIATE ones after each
// round, and the multiset invariant checked for each after its creation and every round.
//
// A write that fails is tried again in a rolled-back transaction without the IMMEDIATE stream
// table, then without any: if it then succeeds (and the query still runs on its result), a
// stream table broke the write — an error after creation. A write that fails without them is
// the write's own error; one that succeeds only without the IMMEDIATE stream table because the
// query then fails (a division by zero on the new row) is refused by a query that cannot hold
// its result, which is no error either.

#include <cstdint>
#include <string>
#include <vector>

#include "schema.hpp"
#include "session.hpp"

namespace pgt::fuzz {

struct kept_query {
    std::size_t number = 0;           ///< its place among the kept queries (names its stream tables)
    std::uint64_t smith_seed = 0;     ///< the sqlsmith seed that wrote it
    std::size_t statement = 0;        ///< its place among that seed's statements
    std::string sql;
    std::vector<std::string> columns; ///< output columns, quoted
    std::vector<std::string> tables;  ///< the tables it reads (a view's base tables)
};

struct trial_options {
    std::vector<std::string> modes;
    int rounds = 3;
    std::uint64_t seed = 1;         ///< the writes of query n come from derive_seed(seed, n)
    std::string immediate_schedule; ///< see create_call
};

struct mode_outcome {
    std::string mode;
    bool accepted = false;
    std::string refusal;     ///< reason, when refused
    std::string effective;   ///< AUTO: DIFFERENTIAL or FULL
    std::string full_reason; ///< AUTO: why FULL
    bool wrong = false;
    int wrong_round = -1;    ///< 0: right after creation
    long long wrong_rows = 0;
    std::string error;       ///< the error after creation (of a refresh, write or read), if any
};

struct trial_result {
    std::vector<mode_outcome> modes;
    int writes_applied = 0, writes_own_error = 0, writes_query_cannot_hold = 0;
    int rounds_query_failed = 0;
};

/// The writes the trial of `q` tries, per round (a function of the seed and the query's number).
std::vector<std::vector<std::string>> planned_writes(const schema& s, const kept_query& q, const trial_options& o);

/// Throws connection_lost when the server goes away: the trial can then be run again.
trial_result run_trial(session& db, const schema& s, const kept_query& q, const trial_options& o);

/// The name of query `q`'s stream table in `mode`.
std::string stream_table_name(const kept_query& q, const std::string& mode);

} // namespace pgt::fuzz
