#pragma once
// Stream tables after pg_dump / pg_restore: pg_dump carries their definitions (the
// pgt_definitions configuration table, by name) and their storage tables, not the catalog rows
// that refer to tables by oid. Restoring makes each stream table again from its definition, in
// creation order, taking over the restored storage table (its indexes, grants and owner stay).

#include <string>
#include <vector>

namespace pgt::ext {

struct restore_outcome {
    std::string stream_table, action, detail; ///< action: restored, created, skipped, failed
};

/// Restores every definition that is not a stream table here; each in a subtransaction of its
/// own, so that one failure leaves the others restored.
std::vector<restore_outcome> restore_stream_tables();

/// The ids of the definitions restore_stream_tables() would restore now, in creation order.
std::vector<long long> definitions_waiting();

} // namespace pgt::ext
