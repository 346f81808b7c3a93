#include "capture/buffer_writer.hpp"

#include "capture/capture.hpp"
#include "capture/subscribers.hpp"
#include "pg/virtual_columns.hpp"
#include "catalog/consumers.hpp"
#include "pg/bulk_insert.hpp"
#include "pg/guard.hpp"

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

namespace pgt::ext {

namespace {

/// Buffer columns before the source's: __pgt_xid, __pgt_stmt, __pgt_action.
constexpr int stamp_columns = 3;
/// The captured table `source` belongs to: itself, or a partition's partitioned table at the
/// root of its tree. A partition being detached (DETACH … CONCURRENTLY) has no ancestors any
/// more: it is no longer part of its partitioned table's rows, and writes to it are not
/// captured for it.
Oid root_of(Relation source) {
    Oid root = RelationGetRelid(source);
    if (source->rd_rel->relispartition)
        if (List* ancestors = get_partition_ancestors(root); ancestors != NIL) root = llast_oid(ancestors);
    return root;
}

Oid buffer_oid(Oid root) {
    const Oid schema = get_namespace_oid("pgtrickle_changes", true);
    if (!OidIsValid(schema)) return InvalidOid;
    return get_relname_relid(psprintf("changes_%u", root), schema);
}

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

/// Appends the statement's changes to the buffer of captured table `root`: old rows as 'D', new
/// rows as 'I', a TRUNCATE as one 'T' row, all stamped with the top transaction and one
/// statement number.
void append_statement_changes(TriggerData* td, unsigned root) {
    pg::call([&] {
        const bool truncate = TRIGGER_FIRED_BY_TRUNCATE(td->tg_event);
        const Oid buffer_id = buffer_oid(root);
        if (!OidIsValid(buffer_id)) return; // a trigger left behind: nothing reads this table
        const Datum xid = FullTransactionIdGetDatum(GetTopFullTransactionId());
        const Datum stmt = Int64GetDatum(next_statement_number());

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

} // namespace

unsigned buffer_of(unsigned root) {
    return pg::call([&] { return buffer_oid(root); });
}

void append_buffer_rows(Relation buffer, Tuplestorestate* rows) {
    pg::call([&] {
        if (tuplestore_tuple_count(rows) == 0) return;
        pg::bulk_insert w = pg::bulk_insert_begin(buffer);
        TupleTableSlot* row = MakeSingleTupleTableSlot(RelationGetDescr(buffer), &TTSOpsMinimalTuple);
        tuplestore_rescan(rows);
        while (tuplestore_gettupleslot(rows, true, false, row)) ExecCopySlot(pg::bulk_insert_next(w), row);
        ExecDropSingleTupleTableSlot(row);
        pg::bulk_insert_end(w);
    });
}

void capture_statement_changes(TriggerData* td) {
    const bool truncate = TRIGGER_FIRED_BY_TRUNCATE(td->tg_event);
    auto rows = [](Tuplestorestate* t) { return t ? tuplestore_tuple_count(t) : 0; };
    if (!truncate && rows(td->tg_oldtable) + rows(td->tg_newtable) == 0) return;
    const Oid root = pg::call([&] { return root_of(td->tg_relation); });
    const auto readers = consumers_of(root);
    if (!readers.immediate.empty()) capture_subscribers::publish_immediate(td, root);
    if (!readers.deferred) return;
    append_statement_changes(td, root);
    capture_subscribers::publish_buffered();
}

} // namespace pgt::ext
