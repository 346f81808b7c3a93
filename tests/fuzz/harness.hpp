#pragma once
// The steps a trial and a replay take on a worker's database: put the sources back to the
// schema's initial rows, create and refresh stream tables, and compare a stream table with its
// defining query run afresh, as multisets of row texts (NULLs and duplicates included; every
// type has a text form, json and point too, which have no equality). Floats print with 12
// significant digits: a sum taken in another order may differ in its last bits.

#include <string>
#include <vector>

#include "session.hpp"

namespace pgt::fuzz {

/// Drops every stream table of the database and gives `tables` their initial rows again
/// (kept in schema fz_init).
void restore_sources(session& db, const std::vector<std::string>& tables);

/// Copies the initial rows of `tables` to schema fz_init.
void keep_initial_rows(session& db, const std::vector<std::string>& tables);

/// The create_stream_table call of `query` as stream table `name` in `mode`; IMMEDIATE ones get
/// `immediate_schedule` (e.g. ", schedule => NULL"), the others a schedule of a day, so that only
/// explicit refreshes run.
std::string create_call(const std::string& name, const std::string& query, const std::string& mode,
                        const std::string& immediate_schedule);

void refresh(session& db, const std::string& name);

/// Evaluates `query` now into the temporary table the comparison reads; false when the query
/// fails on the current data (nothing can then equal it).
bool evaluate_expected(session& db, const std::string& query);

/// Rows in which stream table `name` (its `columns`) and the last evaluated query differ.
long long mismatches(session& db, const std::string& name, const std::vector<std::string>& columns);

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ");

} // namespace pgt::fuzz
