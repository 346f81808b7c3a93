#pragma once
// A statement's transition tables (what a statement-level AFTER trigger with REFERENCING sees),
// and their rows copied into a change buffer with bulk heap inserts, as COPY loads a table: no
// SQL planned or executed per statement, rows in batches (one WAL record per page).

#include <cstdint>

#include "pg/oid.hpp"

extern "C" {
struct TriggerData;
}

namespace pgt::server {

/// Whether the statement that fired `td` is a TRUNCATE.
bool fired_by_truncate(const TriggerData* td);
/// The rows in its transition tables, old and new.
long long transition_row_count(const TriggerData* td);
/// The table that fired it, or for a partition the partitioned table at the root of its tree.
/// A partition being detached (DETACH … CONCURRENTLY) has no ancestors any more: it is no
/// longer part of its partitioned table's rows, and counts as a table of its own.
oid partition_root(const TriggerData* td);

/// Appends the statement's rows to change buffer `buffer` (layout in capture/capture.hpp):
/// its first three columns take the top transaction (xid8, assigned now if need be),
/// `statement` and the action — old rows 'D', new rows 'I', a TRUNCATE one 'T' row — and its
/// other columns the source's column of the same name (NULL when the source has none; a
/// different type is error 42804), virtual generated columns computed. Error 55000 when
/// `buffer` has an index (bulk inserts maintain none).
void append_to_change_buffer(TriggerData* td, oid buffer, std::int64_t statement);

} // namespace pgt::server
