#pragma once
// Runs a case end to end against a live server and checks, after the initial load and after
// every round of DML, the multiset invariant three ways:
//   lowered  the stream table maintained by the lowered delta SQL (run here on tables holding
//            the round's changes) equals the defining query run afresh;
//   extension a real stream table (pgtrickle.create_stream_table, DIFFERENTIAL, refreshed by
//            pgtrickle.refresh_stream_table; with trigger capture also one IMMEDIATE) equals
//            the defining query run afresh;
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

/// How the extension's stream table captures its sources: by triggers (and the same query is
/// also checked IMMEDIATE), or from the WAL (cdc_mode => 'wal'; needs a server with
/// wal_level = logical whose capture slot already exists, and no IMMEDIATE reader, which would
/// keep the sources on triggers).
enum class capture_mode { triggers, wal };

/// Lets logical decoding load pg_trickle on a server with wal_level = logical: minors since
/// 15.19 load only the output plugins output_plugin_libraries names (older ones have no check).
void allow_wal_capture(connection& db);

outcome run_case(connection& db, const case_spec& c, capture_mode capture = capture_mode::triggers);

/// The smallest variant of a failing case (rounds, statements and rows removed one at a time
/// while it still fails).
case_spec shrink(connection& db, case_spec c, capture_mode capture = capture_mode::triggers);

} // namespace pgt::testing
