#include "pg/heap_swap.hpp"

#include "pg/guard.hpp" // (pgt headers first)
#include "pg/bulk_insert.hpp"

extern "C" {
#include <access/multixact.h>
#include <access/table.h>
#include <access/tableam.h>
#include <commands/cluster.h>
#include <replication/origin.h>
#include <storage/lmgr.h>
#include <tcop/dest.h>
#include <utils/plancache.h>
}

namespace pgt::pg {

namespace {

/// A DestReceiver writing the query's rows into the fresh heap.
struct loader {
    DestReceiver receiver; // first: the executor sees a DestReceiver*
    bulk_insert* out;
    const int* source_of; ///< per column of the table, the query's column (-1: a dropped column)
    std::uint64_t rows;
};

bool receive(TupleTableSlot* slot, DestReceiver* self) {
    auto* l = reinterpret_cast<loader*>(self);
    slot_getallattrs(slot);
    TupleTableSlot* row = bulk_insert_next(*l->out);
    for (int a = 0; a < row->tts_tupleDescriptor->natts; ++a) {
        if (l->source_of[a] < 0) continue;
        row->tts_values[a] = slot->tts_values[l->source_of[a]];
        row->tts_isnull[a] = slot->tts_isnull[l->source_of[a]];
    }
    ExecStoreVirtualTuple(row);
    // By-reference values point into the executor's current tuple: copy them now.
    ExecMaterializeSlot(row);
    ++l->rows;
    return true;
}

void no_op_startup(DestReceiver*, int, TupleDesc) {}
void no_op(DestReceiver*) {}

/// Per column of `table`, the column of `query` that fills it; null when the query's columns
/// are not the table's (count, types, type modifiers).
const int* column_map(TupleDesc table, TupleDesc query) {
    int* map = static_cast<int*>(palloc(sizeof(int) * table->natts));
    int q = 0;
    for (int a = 0; a < table->natts; ++a) {
        const Form_pg_attribute t = TupleDescAttr(table, a);
        map[a] = -1;
        if (t->attisdropped) continue;
        if (q >= query->natts) return nullptr;
        const Form_pg_attribute c = TupleDescAttr(query, q);
        if (c->atttypid != t->atttypid || (t->atttypmod >= 0 && c->atttypmod != t->atttypmod)) return nullptr;
        map[a] = q++;
    }
    return q == query->natts ? map : nullptr;
}

} // namespace

std::optional<std::uint64_t> replace_contents(unsigned relid, const spi::plan& select, const spi::snapshot& snap) {
    const auto plan = static_cast<SPIPlanPtr>(select.handle());
    std::uint64_t rows = 0;
    // The fresh heap's rows are written with the origin DoNotReplicateId (as Citus marks the
    // rows it moves between shards): logical decoding, our WAL capture's included, skips them
    // before queueing them (nothing reads this table's changes; they would cost its decoder as
    // much as a transaction that wrote every row). Reset on every path, an error's included.
    struct origin_reset {
        ~origin_reset() { replorigin_session_origin = InvalidRepOriginId; }
    } reset;
    const bool done = call([&] {
        LockRelationOid(relid, AccessExclusiveLock);
        Relation old = table_open(relid, NoLock);
        const auto* source = static_cast<CachedPlanSource*>(linitial(SPI_plan_get_plan_sources(plan)));
        const int* map = source->resultDesc ? column_map(RelationGetDescr(old), source->resultDesc) : nullptr;
        const Oid tablespace = old->rd_rel->reltablespace, access_method = old->rd_rel->relam;
        const char persistence = old->rd_rel->relpersistence;
        table_close(old, NoLock);
        if (!map) return false;

        const Oid fresh_id = make_new_heap(relid, tablespace, access_method, persistence, AccessExclusiveLock);
        Relation fresh = table_open(fresh_id, NoLock);
        // Made in this transaction: its rows may go in frozen, as COPY FREEZE and REFRESH
        // MATERIALIZED VIEW put them.
        replorigin_session_origin = DoNotReplicateId;
        bulk_insert out = bulk_insert_begin(fresh, TABLE_INSERT_SKIP_FSM | TABLE_INSERT_FROZEN);
        loader l{{receive, no_op_startup, no_op, no_op, DestNone}, &out, map, 0};
        SPIExecuteOptions options;
        memset(&options, 0, sizeof options);
        options.read_only = true; // (runs under the active snapshot)
        options.dest = &l.receiver;
        PushActiveSnapshot(static_cast<Snapshot>(snap.handle()));
        const int rc = SPI_execute_plan_extended(plan, &options);
        PopActiveSnapshot();
        if (rc < 0) elog(ERROR, "pg_trickle: SPI_execute_plan_extended failed: %s", SPI_result_code_string(rc));
        bulk_insert_end(out);
        replorigin_session_origin = InvalidRepOriginId;
        table_close(fresh, NoLock);
        finish_heap_swap(relid, fresh_id, false, false, true, true, RecentXmin, ReadNextMultiXactId(), persistence);
        rows = l.rows;
        return true;
    });
    if (!done) return std::nullopt;
    return rows;
}

} // namespace pgt::pg
