#include "pg/virtual_columns.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <executor/executor.h>
#include <executor/tuptable.h>
#include <rewrite/rewriteHandler.h>
#include <utils/rel.h>
#include <utils/relcache.h>
}

namespace pgt::server {

struct virtual_columns {
    EState* estate;
    TupleTableSlot* stored; ///< the row being computed, as the expressions read it
    TupleTableSlot* out;    ///< with_virtual_columns' result
    int count;
    AttrNumber* attnums;
    ExprState** exprs;
};

virtual_columns* virtual_columns_of(Relation rel) {
#if PG_VERSION_NUM >= 180000
    TupleDesc desc = RelationGetDescr(rel);
    if (!desc->constr || !desc->constr->has_generated_virtual) return nullptr;
    auto* v = static_cast<virtual_columns*>(palloc0(sizeof(virtual_columns)));
    v->estate = CreateExecutorState();
    MemoryContext caller = MemoryContextSwitchTo(v->estate->es_query_cxt);
    TupleDesc copy = CreateTupleDescCopy(desc);
    v->stored = MakeSingleTupleTableSlot(copy, &TTSOpsVirtual);
    v->out = MakeSingleTupleTableSlot(copy, &TTSOpsVirtual);
    v->attnums = static_cast<AttrNumber*>(palloc(sizeof(AttrNumber) * desc->natts));
    v->exprs = static_cast<ExprState**>(palloc(sizeof(ExprState*) * desc->natts));
    for (int i = 0; i < desc->natts; ++i) {
        const Form_pg_attribute a = TupleDescAttr(desc, i);
        if (a->attisdropped || a->attgenerated != ATTRIBUTE_GENERATED_VIRTUAL) continue;
        v->attnums[v->count] = static_cast<AttrNumber>(i + 1);
        v->exprs[v->count++] = ExecPrepareExpr(reinterpret_cast<Expr*>(build_generation_expression(rel, i + 1)), v->estate);
    }
    MemoryContextSwitchTo(caller);
    return v;
#else
    (void)rel;
    return nullptr;
#endif
}

void compute_virtual_columns(virtual_columns* v, std::uintptr_t* values, bool* nulls) {
    ExprContext* econtext = GetPerTupleExprContext(v->estate);
    ResetExprContext(econtext);
    const int natts = v->stored->tts_tupleDescriptor->natts;
    ExecClearTuple(v->stored);
    memcpy(v->stored->tts_values, values, sizeof(Datum) * natts);
    memcpy(v->stored->tts_isnull, nulls, sizeof(bool) * natts);
    ExecStoreVirtualTuple(v->stored);
    econtext->ecxt_scantuple = v->stored;
    for (int k = 0; k < v->count; ++k) {
        const int i = v->attnums[k] - 1;
        values[i] = ExecEvalExprSwitchContext(v->exprs[k], econtext, &nulls[i]);
    }
}

TupleTableSlot* with_virtual_columns(virtual_columns* v, TupleTableSlot* row) {
    slot_getallattrs(row);
    const int natts = v->out->tts_tupleDescriptor->natts;
    ExecClearTuple(v->out);
    memcpy(v->out->tts_values, row->tts_values, sizeof(Datum) * natts);
    memcpy(v->out->tts_isnull, row->tts_isnull, sizeof(bool) * natts);
    compute_virtual_columns(v, v->out->tts_values, v->out->tts_isnull);
    return ExecStoreVirtualTuple(v->out);
}

void free_virtual_columns(virtual_columns* v) {
    ExecDropSingleTupleTableSlot(v->stored);
    ExecDropSingleTupleTableSlot(v->out);
    FreeExecutorState(v->estate);
    pfree(v);
}

TupleDesc kept_row_type(unsigned relid) {
#if PG_VERSION_NUM >= 180000
    Relation rel = RelationIdGetRelation(relid);
    if (!RelationIsValid(rel)) elog(ERROR, "could not open relation with OID %u", relid);
    TupleDesc desc = RelationGetDescr(rel);
    TupleDesc copy = nullptr;
    if (desc->constr && desc->constr->has_generated_virtual) {
        copy = CreateTupleDescCopyConstr(desc);
        for (int i = 0; i < copy->natts; ++i)
            if (TupleDescAttr(copy, i)->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL) TupleDescAttr(copy, i)->attgenerated = '\0';
        copy->constr->has_generated_virtual = false;
    }
    RelationClose(rel);
    return copy;
#else
    (void)relid;
    return nullptr;
#endif
}

} // namespace pgt::server
