#include "pg/transition_tables.hpp"

#include "pg/guard.hpp" // (pgt headers first)
#include "pg/bulk_insert.hpp"
#include "pg/virtual_columns.hpp"

extern "C" {
#include <commands/trigger.h>
#include <access/heapam.h>
#include <access/table.h>
#include <access/tableam.h>
#include <catalog/namespace.h>
#include <catalog/partition.h>
#include <executor/tuptable.h>
#include <nodes/pg_list.h>
#include <utils/lsyscache.h>
#include <utils/rel.h>
#include <utils/tuplestore.h>
#include <utils/xid8.h>
}

namespace pgt::server {

namespace {

/// Buffer columns before the source's: __pgt_xid, __pgt_stmt, __pgt_action.
constexpr int stamp_columns = 3;

/// For each buffer column, the source column of the same name (its index in the source's
/// descriptor), or -1: stamp columns, dropped columns, columns the source no longer has (NULL).
int* column_map(TupleDesc buffer, TupleDesc source, const char* buffer_name) {
    int* map = static_cast<int*>(palloc(sizeof(int) * buffer->natts));
    for (int b = 0; b < buffer->natts; ++b) {
        map[b] = -1;
        const Form_pg_attribute battr = TupleDescAttr(buffer, b);
        if (b < stamp_columns || battr->attisdropped) continue;
        for (int s = 0; s < source->natts; ++s) {
            const Form_pg_attribute sattr = TupleDescAttr(source, s);
            if (sattr->attisdropped || strcmp(NameStr(sattr->attname), NameStr(battr->attname)) != 0) continue;
            if (sattr->atttypid != battr->atttypid)
                ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                                errmsg("pg_trickle: column \"%s\" of change buffer %s does not have the source's type",
                                       NameStr(battr->attname), buffer_name),
                                errhint("Run pgtrickle.repair_stream_table() on a stream table reading the source.")));
            map[b] = s;
        }
    }
    return map;
}

/// The next row of `b`, with the stamp columns filled in; the caller fills the rest.
TupleTableSlot* next_row(pg::bulk_insert& b, Datum xid, Datum stmt, char action) {
    TupleTableSlot* slot = pg::bulk_insert_next(b);
    slot->tts_values[0] = xid;
    slot->tts_values[1] = stmt;
    slot->tts_values[2] = CharGetDatum(action);
    slot->tts_isnull[0] = slot->tts_isnull[1] = slot->tts_isnull[2] = false;
    return slot;
}

/// Copies every row of a transition table, through a read pointer of its own (other triggers
/// of the statement may read the same tuplestore), with its virtual generated columns computed.
void copy_rows(pg::bulk_insert& w, Tuplestorestate* rows, TupleTableSlot* source_row, server::virtual_columns* generated, const int* map,
               Datum xid, Datum stmt, char action) {
    const int pointer = tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND);
    tuplestore_select_read_pointer(rows, pointer);
    tuplestore_rescan(rows);
    while (tuplestore_gettupleslot(rows, true, false, source_row)) {
        TupleTableSlot* row = generated ? server::with_virtual_columns(generated, source_row) : source_row;
        slot_getallattrs(row);
        TupleTableSlot* slot = next_row(w, xid, stmt, action);
        for (int b = stamp_columns; b < slot->tts_tupleDescriptor->natts; ++b) {
            if (map[b] < 0) continue;
            slot->tts_values[b] = row->tts_values[map[b]];
            slot->tts_isnull[b] = row->tts_isnull[map[b]];
        }
        ExecStoreVirtualTuple(slot);
        // By-reference values point into the tuplestore's current tuple: copy them now.
        ExecMaterializeSlot(slot);
    }
    tuplestore_select_read_pointer(rows, 0);
}

} // namespace

bool fired_by_truncate(const TriggerData* td) { return TRIGGER_FIRED_BY_TRUNCATE(td->tg_event); }

long long transition_row_count(const TriggerData* td) {
    auto rows = [](Tuplestorestate* t) { return t ? tuplestore_tuple_count(t) : 0; };
    return rows(td->tg_oldtable) + rows(td->tg_newtable);
}

oid partition_root(const TriggerData* td) {
    return pg::call([&] {
        const Relation source = td->tg_relation;
        Oid root = RelationGetRelid(source);
        if (source->rd_rel->relispartition)
            if (List* ancestors = get_partition_ancestors(root); ancestors != NIL) root = llast_oid(ancestors);
        return root;
    });
}

void append_to_change_buffer(TriggerData* td, oid buffer_id, std::int64_t statement) {
    pg::call([&] {
        const bool truncate = TRIGGER_FIRED_BY_TRUNCATE(td->tg_event);
        const Datum xid = FullTransactionIdGetDatum(GetTopFullTransactionId());
        const Datum stmt = Int64GetDatum(statement);

        Relation buffer = table_open(buffer_id, RowExclusiveLock);
        // Bulk inserts maintain no index; nothing else may write the buffer (ddl.cpp).
        if (RelationGetIndexList(buffer) != NIL)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("pg_trickle: change buffer %s has an index", RelationGetRelationName(buffer)),
                            errhint("Drop the index: change buffers are written in bulk and read whole.")));
        TupleDesc desc = RelationGetDescr(buffer);
        pg::bulk_insert w = pg::bulk_insert_begin(buffer);

        if (truncate) {
            ExecStoreVirtualTuple(next_row(w, xid, stmt, 'T'));
        } else {
            TupleDesc source_desc = RelationGetDescr(td->tg_relation);
            const int* map = column_map(desc, source_desc, RelationGetRelationName(buffer));
            TupleTableSlot* source_row = MakeSingleTupleTableSlot(source_desc, &TTSOpsMinimalTuple);
            server::virtual_columns* generated = server::virtual_columns_of(td->tg_relation);
            // An UPDATE is its old rows deleted and its new rows inserted.
            if (td->tg_oldtable) copy_rows(w, td->tg_oldtable, source_row, generated, map, xid, stmt, 'D');
            if (td->tg_newtable) copy_rows(w, td->tg_newtable, source_row, generated, map, xid, stmt, 'I');
            if (generated) server::free_virtual_columns(generated);
            ExecDropSingleTupleTableSlot(source_row);
        }
        pg::bulk_insert_end(w);
        table_close(buffer, NoLock);
    });
}

} // namespace pgt::server
