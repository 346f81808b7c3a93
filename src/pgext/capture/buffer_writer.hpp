#pragma once
// Writes one statement's captured changes into its source's change buffer (layout in
// capture.hpp), from a capture trigger, and hands them to IMMEDIATE maintenance.
//
// The transition tables are copied with bulk heap inserts, as COPY loads a table: no SQL is
// planned or executed per statement, and rows go in batches of up to 1,000 (one WAL record
// per page). Buffer columns are matched to the source's by name; a partition writes to the
// buffer of the partitioned table at the root of its tree.

extern "C" {
struct TriggerData;
}

namespace pgt::ext {

/// The capture of the statement that fired `td` (a statement-level AFTER trigger on a captured
/// table): its rows go to the table's change buffer when a stream table refreshes from it —
/// old rows as 'D', new rows as 'I', a TRUNCATE as one 'T' row, all stamped with the top
/// transaction and one statement number — and to IMMEDIATE maintenance when an IMMEDIATE
/// stream table reads it. Raises PostgreSQL errors as pgt::error.
void capture_statement_changes(TriggerData* td);

/// The change buffer of captured table `root` (its oid), or 0 when it has none.
unsigned buffer_of(unsigned root);

} // namespace pgt::ext
