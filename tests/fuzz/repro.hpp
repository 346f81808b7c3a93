#pragma once
// Repro files of findings: a psql script that builds the schema and its rows, creates the
// stream table, applies the writes round by round (refreshing after each) and prints the rows
// in which the stream table and its query differ. The writes are first shrunk: rounds, then
// single writes, are removed while the stream table, replayed alone, still shows the finding.

#include <string>
#include <vector>

#include "schema.hpp"
#include "session.hpp"
#include "trial.hpp"

namespace pgt::fuzz {

struct repro_context {
    const schema* s = nullptr;
    std::string directory;
    std::string immediate_schedule; ///< see create_call
    std::string command;            ///< the fuzzer command line that found it
};

using write_rounds = std::vector<std::vector<std::string>>;

/// The writes of a finding of `q` in `mode` shrunk (replayed on `db`): a wrong result, or, when
/// `error` is set, that error after creation (worded as trial_result words it). Unchanged when
/// the stream table does not show the finding alone.
write_rounds shrink_writes(session& db, const repro_context& ctx, const kept_query& q, const std::string& mode,
                           write_rounds rounds, const std::string& error = "");

/// Writes the repro file of `q` with stream tables in `modes` and returns its path.
std::string write_repro(const repro_context& ctx, const std::string& kind, const kept_query& q,
                        const std::vector<std::string>& modes, const write_rounds& rounds, const std::string& finding);

} // namespace pgt::fuzz
