#include "pg/bulk_insert.hpp"

extern "C" {
#include <access/heapam.h>
#include <access/tableam.h>
}

namespace pgt::pg {

namespace {
/// Rows per multi-insert (COPY's batch size).
constexpr int batch_size = 1000;
} // namespace

bulk_insert bulk_insert_begin(Relation target, int options) {
    return {target,
            static_cast<TupleTableSlot**>(palloc(sizeof(TupleTableSlot*) * batch_size)),
            0,
            0,
            GetBulkInsertState(),
            GetCurrentCommandId(true),
            options,
            AllocSetContextCreate(CurrentMemoryContext, "pg_trickle bulk insert", ALLOCSET_DEFAULT_SIZES),
            CurrentMemoryContext};
}

void bulk_insert_flush(bulk_insert& b) {
    if (b.used == 0) return;
    // table_multi_insert leaks into the current context (tuple arrays, toasted copies): the
    // memory of a load stays that of one batch, however many rows it has.
    MemoryContext caller = MemoryContextSwitchTo(b.batch_memory);
    table_multi_insert(b.target, b.slots, b.used, b.command, b.options, b.bulk);
    MemoryContextSwitchTo(caller);
    for (int i = 0; i < b.used; ++i) ExecClearTuple(b.slots[i]);
    MemoryContextReset(b.batch_memory);
    b.used = 0;
}

TupleTableSlot* bulk_insert_next(bulk_insert& b) {
    if (b.used == batch_size) bulk_insert_flush(b);
    // Heap tuple slots, as COPY uses: materialized once, inserted without another copy.
    if (b.used == b.made) {
        MemoryContext caller = MemoryContextSwitchTo(b.home);
        b.slots[b.made++] = table_slot_create(b.target, nullptr);
        MemoryContextSwitchTo(caller);
    }
    TupleTableSlot* slot = b.slots[b.used++];
    ExecClearTuple(slot);
    memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
    return slot;
}

void bulk_insert_end(bulk_insert& b) {
    bulk_insert_flush(b);
    FreeBulkInsertState(b.bulk);
    table_finish_bulk_insert(b.target, b.options);
    for (int i = 0; i < b.made; ++i) ExecDropSingleTupleTableSlot(b.slots[i]);
    MemoryContextDelete(b.batch_memory);
}

} // namespace pgt::pg
