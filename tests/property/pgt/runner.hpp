#pragma once
// Runs a case end to end against a live server and checks, after the initial load and after
// every round of DML, the multiset invariant three ways:
//   lowered  the stream table maintained by the lowered delta SQL (run here on tables holding
//            the round's changes) equals the defining query run afresh;
//   extension a real stream table (pgtrickle.create_stream_table, DIFFERENTIAL, refreshed by
//            pgtrickle.refresh_stream_table) equals the defining query run afresh;
//   oracle   the in-memory incremental oracle equals the oracle's full recomputation, and
//            equals the defining query run afresh in PostgreSQL.

#include <string>

#include "case.hpp"
#include "pg_cluster.hpp"

namespace pgt::testing {

struct outcome {
    enum class result { passed, skipped, failed } status = result::passed;
    std::string message; ///< why skipped or what failed
    bool oracle_checked = false;
};

outcome run_case(connection& db, const case_spec& c);

/// The smallest variant of a failing case (rounds, statements and rows removed one at a time
/// while it still fails).
case_spec shrink(connection& db, case_spec c);

} // namespace pgt::testing
