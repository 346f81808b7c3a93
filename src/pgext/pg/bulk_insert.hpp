#pragma once
// Rows inserted into a relation in batches (table_multi_insert: one WAL record per page), as
// COPY inserts them: no SQL planned or executed, no index maintained, no trigger fired. For
// PostgreSQL-level code (inside pg::call): a C struct, begun and ended explicitly.

#include "pg/postgres.hpp"

extern "C" {
#include <access/heapam.h>
#include <executor/tuptable.h>
#include <utils/rel.h>
}

namespace pgt::pg {

struct bulk_insert {
    Relation target;
    TupleTableSlot** slots;
    int made; ///< slots are made as needed, so that a one-row batch pays for one
    int used;
    BulkInsertState bulk;
    CommandId command;
    int options;                ///< table_multi_insert options (TABLE_INSERT_FROZEN, …)
    MemoryContext batch_memory; ///< what an insert leaves behind, freed after each batch
    MemoryContext home;         ///< where the slots live (a caller such as an executor's
                                ///< DestReceiver may run in shorter-lived memory)
};

/// Starts inserting into `target` (open, locked for writing).
bulk_insert bulk_insert_begin(Relation target, int options = 0);
/// The next free slot of `target`'s row type, cleared with every column NULL: the caller fills
/// it, stores it (ExecStoreVirtualTuple) and materializes it when its values point into memory
/// that does not outlive the call.
TupleTableSlot* bulk_insert_next(bulk_insert& b);
/// Inserts the batch so far.
void bulk_insert_flush(bulk_insert& b);
/// Inserts what remains and releases the slots and memory (`target` stays open).
void bulk_insert_end(bulk_insert& b);

} // namespace pgt::pg
