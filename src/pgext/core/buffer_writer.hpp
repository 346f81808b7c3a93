#pragma once
// Writes one statement's captured changes into its source's change buffer (layout in
// capture.hpp), from a capture trigger.
//
// The transition tables are copied with bulk heap inserts, as COPY loads a table: no SQL is
// planned or executed per statement, and rows go in batches of up to 1,000 (one WAL record
// per page). Buffer columns are matched to the source's by name; a partition writes to the
// buffer of the partitioned table at the root of its tree.

extern "C" struct TriggerData;

namespace pgt::ext {

/// Appends the changes of the statement that fired `td` (a statement-level AFTER trigger on a
/// captured table) to its buffer: old rows as 'D', new rows as 'I', a TRUNCATE as one 'T' row,
/// all stamped with the top transaction and one statement number. Does nothing for a table
/// no stream table reads (no buffer). Raises PostgreSQL errors as pgt::error.
void append_statement_changes(TriggerData* td);

} // namespace pgt::ext
