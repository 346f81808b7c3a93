#pragma once
// The executor's and ProcessUtility's hooks, reported as plain events: when a statement that
// may change data starts, finishes (its AFTER triggers fired) and ends. The hooks chain to
// whatever was installed before them.

#include <vector>

namespace pgt::server {

struct statement_observer {
    /// After ExecutorStart of `query` (an identity only); `changes_data`: DML, or a SELECT with
    /// a data-modifying WITH.
    void (*query_started)(const void* query, bool changes_data);
    /// After ExecutorFinish of `query`: its AFTER triggers have fired.
    void (*query_finished)(const void* query);
    /// Before ExecutorEnd of `query`.
    void (*query_ending)(const void* query);
    /// Before a utility statement runs; `changes_rows`: COPY or TRUNCATE, which change tables
    /// outside the executor.
    void (*utility_starting)(bool changes_rows);
    /// After it ran (not after an error); `transaction_control`: BEGIN, COMMIT, SAVEPOINT …
    void (*utility_done)(bool changes_rows, bool transaction_control);
};

/// The tables a query that started changing data writes (its targets, and those of its
/// data-modifying WITH) that carry a trigger whose name starts with `trigger_prefix`, each as
/// its partitioned table's root when it is a partition; sorted, without duplicates.
std::vector<unsigned> written_tables_with_trigger(const void* query, const char* trigger_prefix);

/// Installs the hooks; from _PG_init, once. The observer's functions run inside the server's
/// hooks, outside any error boundary.
void observe_statements(const statement_observer& observer);

} // namespace pgt::server
