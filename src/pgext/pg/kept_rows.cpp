#include "pg/kept_rows.hpp"

#include "pg/guard.hpp"
#include "pg/virtual_columns.hpp"

extern "C" {
#include <access/table.h>
#include <access/tupconvert.h>
#include <access/tupdesc.h>
#include <commands/trigger.h>
#include <executor/executor.h>
#include <executor/tuptable.h>
#include <utils/memutils.h>
#include <utils/rel.h>
#include <utils/resowner.h>
#include <utils/tuplestore.h>
}

namespace pgt::server::kept_rows {

namespace {

/// Where the rows are kept: a child of the transaction's memory, made when first needed.
MemoryContext rows_memory = nullptr;

void make_memory() {
    if (!rows_memory) rows_memory = AllocSetContextCreate(TopTransactionContext, "pg_trickle IMMEDIATE changes", ALLOCSET_DEFAULT_SIZES);
}

/// Appends the rows of transition table `from` to `*to` (made on first use), their virtual
/// generated columns computed, converted by `map` from a partition's row format to its root's
/// when given. Runs under pg::call.
void append_rows(Tuplestorestate** to, Tuplestorestate* from, TupleDesc from_desc, virtual_columns* generated, TupleConversionMap* map,
                 TupleTableSlot* root_row) {
    if (!from || tuplestore_tuple_count(from) == 0) return;
    if (!*to) *to = tuplestore_begin_heap(false, false, work_mem);
    TupleTableSlot* row = MakeSingleTupleTableSlot(from_desc, &TTSOpsMinimalTuple);
    // A read pointer of its own: other triggers of the statement may read the same tuplestore.
    const int pointer = tuplestore_alloc_read_pointer(from, EXEC_FLAG_REWIND);
    tuplestore_select_read_pointer(from, pointer);
    tuplestore_rescan(from);
    while (tuplestore_gettupleslot(from, true, false, row)) {
        TupleTableSlot* complete = generated ? with_virtual_columns(generated, row) : row;
        tuplestore_puttupleslot(*to, map ? execute_attr_map_slot(map->attrMap, complete, root_row) : complete);
    }
    tuplestore_select_read_pointer(from, 0);
    ExecDropSingleTupleTableSlot(row);
}

} // namespace

void keep(TriggerData* td, oid root, Tuplestorestate** deleted, Tuplestorestate** inserted) {
    pg::call([&] {
        make_memory();
        MemoryContext caller = MemoryContextSwitchTo(rows_memory);
        // Spilled rows live as long as the transaction, whichever subtransaction kept them.
        ResourceOwner caller_owner = CurrentResourceOwner;
        CurrentResourceOwner = TopTransactionResourceOwner;
        Relation root_rel = RelationGetRelid(td->tg_relation) == root ? td->tg_relation : table_open(root, AccessShareLock);
        TupleDesc from = RelationGetDescr(td->tg_relation);
        TupleConversionMap* map = root_rel == td->tg_relation ? nullptr : convert_tuples_by_name(from, RelationGetDescr(root_rel));
        TupleTableSlot* root_row = map ? MakeSingleTupleTableSlot(RelationGetDescr(root_rel), &TTSOpsVirtual) : nullptr;
        virtual_columns* generated = virtual_columns_of(td->tg_relation);
        append_rows(deleted, td->tg_oldtable, from, generated, map, root_row);
        append_rows(inserted, td->tg_newtable, from, generated, map, root_row);
        if (generated) free_virtual_columns(generated);
        if (root_row) ExecDropSingleTupleTableSlot(root_row);
        if (root_rel != td->tg_relation) table_close(root_rel, AccessShareLock);
        CurrentResourceOwner = caller_owner;
        MemoryContextSwitchTo(caller);
    });
}

Tuplestorestate* concatenate(oid table, Tuplestorestate* first, Tuplestorestate* second) {
    return pg::call([&] {
        make_memory();
        MemoryContext caller = MemoryContextSwitchTo(rows_memory);
        Relation source = table_open(table, AccessShareLock);
        Tuplestorestate* all = tuplestore_begin_heap(false, false, work_mem);
        TupleTableSlot* row = MakeSingleTupleTableSlot(RelationGetDescr(source), &TTSOpsMinimalTuple);
        for (Tuplestorestate* part : {first, second}) {
            if (!part) continue;
            tuplestore_select_read_pointer(part, 0);
            tuplestore_rescan(part);
            while (tuplestore_gettupleslot(part, true, false, row)) tuplestore_puttupleslot(all, row);
        }
        ExecDropSingleTupleTableSlot(row);
        table_close(source, AccessShareLock);
        MemoryContextSwitchTo(caller);
        return all;
    });
}

void release(Tuplestorestate* rows) {
    pg::call([&] { tuplestore_end(rows); });
}

void release_in_callback(Tuplestorestate* rows) { tuplestore_end(rows); }

void forget_all() { rows_memory = nullptr; }

std::int64_t count(Tuplestorestate* rows) { return rows ? tuplestore_tuple_count(rows) : 0; }

void register_as_relation(const std::string& name, oid table, Tuplestorestate* rows) {
    pg::call([&] {
        auto* enr = static_cast<EphemeralNamedRelation>(palloc0(sizeof(EphemeralNamedRelationData)));
        enr->md.name = pstrdup(name.c_str());
        enr->md.tupdesc = kept_row_type(table);
        enr->md.reliddesc = enr->md.tupdesc ? InvalidOid : table;
        enr->md.enrtype = ENR_NAMED_TUPLESTORE;
        enr->reldata = rows ? rows : tuplestore_begin_heap(false, false, work_mem);
        enr->md.enrtuples = static_cast<double>(tuplestore_tuple_count(static_cast<Tuplestorestate*>(enr->reldata)));
        if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER) elog(ERROR, "could not register %s", name.c_str());
    });
}

TupleDesc copy_row_type(oid table) {
    return pg::call([&] {
        Relation rel = table_open(table, AccessShareLock);
        MemoryContext caller = MemoryContextSwitchTo(TopMemoryContext);
        TupleDesc copy = CreateTupleDescCopyConstr(RelationGetDescr(rel));
        MemoryContextSwitchTo(caller);
        table_close(rel, AccessShareLock);
        return copy;
    });
}

void free_row_type(TupleDesc type) { FreeTupleDesc(type); }

std::vector<row_values> read(Tuplestorestate* store, TupleDesc type, const std::vector<short>& columns,
                             std::vector<TupleTableSlot*>& slots) {
    std::vector<row_values> rows;
    pg::call([&] {
        tuplestore_select_read_pointer(store, 0);
        tuplestore_rescan(store);
        for (;;) {
            TupleTableSlot* slot = MakeSingleTupleTableSlot(type, &TTSOpsMinimalTuple);
            if (!tuplestore_gettupleslot(store, true, false, slot)) {
                ExecDropSingleTupleTableSlot(slot);
                break;
            }
            slots.push_back(slot);
            row_values r{std::vector<std::uintptr_t>(columns.size()), std::string(columns.size(), ' ')};
            for (std::size_t c = 0; c < columns.size(); ++c) {
                bool isnull = false;
                r.values[c] = slot_getattr(slot, columns[c], &isnull);
                r.nulls[c] = isnull ? 'n' : ' ';
            }
            rows.push_back(std::move(r));
        }
    });
    return rows;
}

void drop_slots(const std::vector<TupleTableSlot*>& slots) {
    pg::call([&] {
        for (TupleTableSlot* slot : slots) ExecDropSingleTupleTableSlot(slot);
    });
}

} // namespace pgt::server::kept_rows
