#include "capture/wal_decoder.hpp"

#include <map>

#include "pgt/error.hpp"

#include "capture/buffer_writer.hpp"
#include "capture/virtual_columns.hpp"
#include "pg/guard.hpp"
#include "pg/postgres.hpp"
#include "pg/spi.hpp"
#include "pg/wal_reader.hpp"

extern "C" {
#include <access/detoast.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <access/transam.h>
#include <replication/logical.h>
#include <replication/output_plugin.h>
#include <replication/reorderbuffer.h>
#include <utils/guc.h>
#include <utils/lsyscache.h>
#include <utils/rel.h>
#include <utils/tuplestore.h>
#include <utils/xid8.h>
}

namespace pgt::ext::wal {

namespace {

/// Buffer columns before the source's: __pgt_xid, __pgt_stmt, __pgt_action (as capture.hpp).
constexpr int stamp_columns = 3;

/// One source being decoded: its window, its buffer, and the rows kept for it.
struct captured {
    source_window window;
    Relation buffer = nullptr;
    Tuplestorestate* rows = nullptr;
    /// The decoded relation's descriptor the map was built for, and for each buffer column the
    /// source column of the same name (its index), or -1.
    TupleDesc mapped_for = nullptr;
    int* map = nullptr;
    virtual_columns* generated = nullptr; ///< of that relation
};

/// What the running pass collects. Set only while pg_logical_slot_peek_binary_changes runs in
/// decode(): the plugin does nothing for anyone else.
struct collector {
    MemoryContext memory = nullptr;  ///< the rows and maps, until the pass ends
    MemoryContext scratch = nullptr; ///< one change's values, reset after each
    std::map<Oid, captured> sources;
    long long rows = 0;
};
collector* active = nullptr;

/// The change's transaction as the xid8 its buffer rows are stamped with.
Datum full_xid(TransactionId xid) {
    const FullTransactionId next = ReadNextFullTransactionId();
    uint32 epoch = EpochFromFullTransactionId(next);
    if (xid > XidFromFullTransactionId(next)) --epoch; // assigned before the last wraparound
    return FullTransactionIdGetDatum(FullTransactionIdFromEpochAndXid(epoch, xid));
}

captured* wanted(Relation rel, ReorderBufferTXN* txn) {
    if (!active) return nullptr;
    auto it = active->sources.find(RelationGetRelid(rel));
    if (it == active->sources.end()) return nullptr;
    const source_window& w = it->second.window;
    if (txn->final_lsn <= w.from || (w.until != 0 && txn->final_lsn >= w.until)) return nullptr;
    return &it->second;
}

void build_map(captured& c, Relation rel) {
    TupleDesc source = RelationGetDescr(rel);
    TupleDesc buffer = RelationGetDescr(c.buffer);
    if (!c.map) c.map = static_cast<int*>(MemoryContextAlloc(active->memory, sizeof(int) * buffer->natts));
    MemoryContext caller = MemoryContextSwitchTo(active->memory);
    if (c.generated) free_virtual_columns(c.generated);
    c.generated = virtual_columns_of(rel);
    MemoryContextSwitchTo(caller);
    for (int b = 0; b < buffer->natts; ++b) {
        c.map[b] = -1;
        const Form_pg_attribute battr = TupleDescAttr(buffer, b);
        if (b < stamp_columns || battr->attisdropped) continue;
        for (int s = 0; s < source->natts; ++s) {
            const Form_pg_attribute sattr = TupleDescAttr(source, s);
            if (!sattr->attisdropped && strcmp(NameStr(sattr->attname), NameStr(battr->attname)) == 0) c.map[b] = s;
        }
    }
    c.mapped_for = source;
}

/// Keeps one row of `c`'s buffer: the stamps, then `tuple`'s columns by name, its virtual
/// generated columns computed. An UPDATE's new row does not carry TOASTed values it left
/// unchanged: they are taken from its old row (kept whole, detoasted, under REPLICA IDENTITY
/// FULL).
void keep(captured& c, Relation rel, ReorderBufferTXN* txn, char action, HeapTuple tuple, HeapTuple old) {
    TupleDesc source = RelationGetDescr(rel);
    if (c.mapped_for != source) build_map(c, rel);
    MemoryContext caller = MemoryContextSwitchTo(active->scratch);
    TupleDesc buffer = RelationGetDescr(c.buffer);
    Datum* values = static_cast<Datum*>(palloc0(sizeof(Datum) * buffer->natts));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * buffer->natts));
    memset(nulls, true, sizeof(bool) * buffer->natts);
    values[0] = full_xid(txn->xid);
    values[1] = Int64GetDatum(0);
    values[2] = CharGetDatum(action);
    nulls[0] = nulls[1] = nulls[2] = false;
    if (tuple) {
        Datum* src = static_cast<Datum*>(palloc(sizeof(Datum) * source->natts));
        bool* src_nulls = static_cast<bool*>(palloc(sizeof(bool) * source->natts));
        heap_deform_tuple(tuple, source, src, src_nulls);
        Datum* old_values = nullptr;
        bool* old_nulls = nullptr;
        for (int s = 0; s < source->natts; ++s) {
            if (src_nulls[s] || TupleDescAttr(source, s)->attlen != -1) continue;
            if (VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(src[s]))) {
                if (!old)
                    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                                    errmsg("pg_trickle: an unchanged TOAST value of %s is not in the WAL",
                                           RelationGetRelationName(c.buffer)),
                                    errhint("Sources captured from the WAL need REPLICA IDENTITY FULL.")));
                if (!old_values) {
                    old_values = static_cast<Datum*>(palloc(sizeof(Datum) * source->natts));
                    old_nulls = static_cast<bool*>(palloc(sizeof(bool) * source->natts));
                    heap_deform_tuple(old, source, old_values, old_nulls);
                }
                src[s] = old_values[s];
                src_nulls[s] = old_nulls[s];
                if (src_nulls[s]) continue;
            }
            // A TOASTed value the change wrote is reassembled by decoding in memory it frees after
            // this change; the row points to it (an indirect TOAST pointer), which heap_form_tuple
            // would copy as it is: the kept row gets the value itself.
            if (VARATT_IS_EXTERNAL(DatumGetPointer(src[s])))
                src[s] = PointerGetDatum(detoast_external_attr(reinterpret_cast<struct varlena*>(DatumGetPointer(src[s]))));
        }
        if (c.generated) compute_virtual_columns(c.generated, src, src_nulls);
        for (int b = stamp_columns; b < buffer->natts; ++b) {
            if (c.map[b] < 0) continue;
            values[b] = src[c.map[b]];
            nulls[b] = src_nulls[c.map[b]];
        }
    }
    HeapTuple row = heap_form_tuple(buffer, values, nulls);
    tuplestore_puttuple(c.rows, row);
    ++active->rows;
    MemoryContextSwitchTo(caller);
    MemoryContextReset(active->scratch);
}

// ---- the output plugin's callbacks (C: they run inside PostgreSQL's decoding loop) ----------

void on_startup(LogicalDecodingContext*, OutputPluginOptions* opt, bool) {
    opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
    opt->receive_rewrites = false;
}

void on_begin(LogicalDecodingContext*, ReorderBufferTXN*) {}
void on_commit(LogicalDecodingContext*, ReorderBufferTXN*, XLogRecPtr) {}

void on_change(LogicalDecodingContext*, ReorderBufferTXN* txn, Relation rel, ReorderBufferChange* change) {
    captured* c = wanted(rel, txn);
    if (!c) return;
#if PG_VERSION_NUM >= 170000
    HeapTuple newer = change->data.tp.newtuple;
    HeapTuple older = change->data.tp.oldtuple;
#else
    HeapTuple newer = change->data.tp.newtuple ? &change->data.tp.newtuple->tuple : nullptr;
    HeapTuple older = change->data.tp.oldtuple ? &change->data.tp.oldtuple->tuple : nullptr;
#endif
    switch (change->action) {
    case REORDER_BUFFER_CHANGE_INSERT: keep(*c, rel, txn, 'I', newer, nullptr); break;
    case REORDER_BUFFER_CHANGE_UPDATE:
    case REORDER_BUFFER_CHANGE_DELETE:
        if (!older)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("pg_trickle: the WAL has no old row for a change of \"%s\"", RelationGetRelationName(rel)),
                            errhint("Sources captured from the WAL need REPLICA IDENTITY FULL.")));
        keep(*c, rel, txn, 'D', older, nullptr);
        if (change->action == REORDER_BUFFER_CHANGE_UPDATE) keep(*c, rel, txn, 'I', newer, older);
        break;
    default: break;
    }
}

void on_truncate(LogicalDecodingContext*, ReorderBufferTXN* txn, int n, Relation relations[], ReorderBufferChange*) {
    for (int i = 0; i < n; ++i)
        if (captured* c = wanted(relations[i], txn)) keep(*c, relations[i], txn, 'T', nullptr, nullptr);
}

} // namespace

std::string lsn_text(std::uint64_t lsn) {
    char text[32];
    snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn));
    return text;
}

std::optional<std::vector<locked_buffer>> lock_buffers(const std::vector<source_window>& sources, bool wait) {
    std::vector<locked_buffer> out;
    for (const auto& s : sources) {
        const unsigned buffer = buffer_of(s.relid);
        if (buffer == 0) continue;
        if (!server::lock_relation(buffer, RowExclusiveLock, wait)) return std::nullopt;
        out.push_back({s, buffer});
    }
    return out;
}

long long decode(const std::string& slot, std::uint64_t upto, const std::vector<locked_buffer>& buffers) {
    collector pass;
    pg::call([&] {
        pass.memory = AllocSetContextCreate(CurrentMemoryContext, "pg_trickle WAL decoding", ALLOCSET_DEFAULT_SIZES);
        pass.scratch = AllocSetContextCreate(pass.memory, "pg_trickle WAL decoding row", ALLOCSET_DEFAULT_SIZES);
    });
    for (const auto& b : buffers) {
        captured c;
        c.window = b.window;
        pg::call([&] {
            c.buffer = try_table_open(b.buffer, NoLock);
            if (!c.buffer) return; // dropped with its source's last reader before it was locked
            MemoryContext caller = MemoryContextSwitchTo(pass.memory);
            c.rows = tuplestore_begin_heap(false, false, work_mem);
            MemoryContextSwitchTo(caller);
        });
        if (c.buffer) pass.sources.emplace(b.window.relid, c);
    }
    struct deactivate {
        ~deactivate() { active = nullptr; }
    } reset;
    active = &pass;
    {
        // Each pass starts a decoding context, which PostgreSQL logs at LOG: not every 200 ms.
        const int level = NewGUCNestLevel();
        pg::call([] {
            (void)set_config_option("log_min_messages", "fatal", PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
        });
        spi::prepared("SELECT pg_catalog.count(*) FROM pg_catalog.pg_logical_slot_peek_binary_changes($1, $2::pg_catalog.pg_lsn, NULL)", 2)
            .query({slot, lsn_text(upto)});
        AtEOXact_GUC(true, level);
    }
    active = nullptr;
    for (auto& [relid, c] : pass.sources) {
        append_buffer_rows(c.buffer, c.rows);
        pg::call([&] {
            tuplestore_end(c.rows); // closes the temporary file it may have spilled to
            table_close(c.buffer, NoLock);
        });
    }
    pg::call([&] { MemoryContextDelete(pass.memory); });
    return pass.rows;
}

} // namespace pgt::ext::wal

extern "C" PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks* cb) {
    cb->startup_cb = pgt::ext::wal::on_startup;
    cb->begin_cb = pgt::ext::wal::on_begin;
    cb->change_cb = pgt::ext::wal::on_change;
    cb->truncate_cb = pgt::ext::wal::on_truncate;
    cb->commit_cb = pgt::ext::wal::on_commit;
}
