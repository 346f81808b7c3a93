#include "pg/logical_decoding.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "pgt/error.hpp"

#include "pg/bulk_insert.hpp"
#include "pg/guard.hpp"
#include "pg/gucs.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "pg/virtual_columns.hpp"

extern "C" {
#include <access/detoast.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <access/transam.h>
#include <access/xact.h>
#include <access/xlogutils.h>
#include <replication/decode.h>
#include <replication/logical.h>
#include <replication/origin.h>
#include <replication/slot.h>
#include <replication/snapbuild.h>
#include <storage/sinval.h>
#include <utils/inval.h>
#include <replication/output_plugin.h>
#include <replication/reorderbuffer.h>
#include <utils/lsyscache.h>
#include <utils/rel.h>
#include <utils/tuplestore.h>
#include <utils/xid8.h>
}

namespace pgt::server::logical_decoding {

namespace {

/// Target columns before the relation's: __pgt_xid, __pgt_stmt, __pgt_action (capture.hpp).
constexpr int stamp_columns = 3;

/// One relation being decoded: its window, its target, and the rows kept for it.
struct captured {
    kept_relation window;
    Relation buffer = nullptr;
    Tuplestorestate* rows = nullptr;
    /// The decoded relation's descriptor the map was built for, and for each buffer column the
    /// source column of the same name (its index), or -1.
    TupleDesc mapped_for = nullptr;
    int* map = nullptr;
    server::virtual_columns* generated = nullptr; ///< of that relation
};

/// What the running pass collects. Set only while a pass decodes (collect()'s caller's peek, or
/// decode_continuing's reading): the plugin does nothing for anyone else.
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
    const kept_relation& w = it->second.window;
    if (txn->final_lsn <= w.from || (w.until != 0 && txn->final_lsn >= w.until)) return nullptr;
    return &it->second;
}

void build_map(captured& c, Relation rel) {
    TupleDesc source = RelationGetDescr(rel);
    TupleDesc buffer = RelationGetDescr(c.buffer);
    if (!c.map) c.map = static_cast<int*>(MemoryContextAlloc(active->memory, sizeof(int) * buffer->natts));
    MemoryContext caller = MemoryContextSwitchTo(active->memory);
    if (c.generated) server::free_virtual_columns(c.generated);
    c.generated = server::virtual_columns_of(rel);
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
        if (c.generated) server::compute_virtual_columns(c.generated, src, src_nulls);
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

/// Appends `rows`, tuples already in the layout of `target` (open for writing), in bulk.
void append_rows(Relation target, Tuplestorestate* rows) {
    pg::call([&] {
        if (tuplestore_tuple_count(rows) == 0) return;
        pg::bulk_insert w = pg::bulk_insert_begin(target);
        TupleTableSlot* row = MakeSingleTupleTableSlot(RelationGetDescr(target), &TTSOpsMinimalTuple);
        tuplestore_rescan(rows);
        while (tuplestore_gettupleslot(rows, true, false, row)) ExecCopySlot(pg::bulk_insert_next(w), row);
        ExecDropSingleTupleTableSlot(row);
        pg::bulk_insert_end(w);
    });
}

} // namespace

std::string lsn_text(std::uint64_t lsn) {
    char text[32];
    snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn));
    return text;
}

void advance_slot(const std::string& slot, std::uint64_t position) {
    // (Advancing sets up a decoding context, which PostgreSQL logs at LOG.)
    const server::guc_scope quiet({{"log_min_messages", "fatal"}}, true);
    spi::exec("SELECT pg_catalog.pg_replication_slot_advance($1, $2::pg_lsn) FROM pg_catalog.pg_replication_slots "
              "WHERE slot_name = $1 AND confirmed_flush_lsn < $2::pg_lsn",
              {slot, lsn_text(position)});
}

namespace {

/// A pass's collector over `relations` (their targets opened; those dropped meanwhile left out).
void open_pass(collector& pass, const std::vector<kept_relation>& relations) {
    pg::call([&] {
        pass.memory = AllocSetContextCreate(CurrentMemoryContext, "pg_trickle WAL decoding", ALLOCSET_DEFAULT_SIZES);
        pass.scratch = AllocSetContextCreate(pass.memory, "pg_trickle WAL decoding row", ALLOCSET_DEFAULT_SIZES);
    });
    for (const auto& b : relations) {
        captured c;
        c.window = b;
        pg::call([&] {
            c.buffer = try_table_open(b.target, NoLock);
            if (!c.buffer) return; // dropped with its source's last reader before it was locked
            MemoryContext caller = MemoryContextSwitchTo(pass.memory);
            c.rows = tuplestore_begin_heap(false, false, work_mem);
            MemoryContextSwitchTo(caller);
        });
        if (c.buffer) pass.sources.emplace(b.relid, c);
    }
}

/// Appends what `pass` kept to the buffers and frees it.
long long close_pass(collector& pass) {
    for (auto& [relid, c] : pass.sources) {
        append_rows(c.buffer, c.rows);
        pg::call([&] {
            tuplestore_end(c.rows); // closes the temporary file it may have spilled to
            table_close(c.buffer, NoLock);
        });
    }
    pg::call([&] { MemoryContextDelete(pass.memory); });
    return pass.rows;
}

/// The plugin's callbacks collect into `pass` while `decoding` runs, which queues the changes of
/// transactions in progress in pg_trickle.wal_decoding_work_mem before spilling them to disk
/// (to read them back at their commit: a third of a 500,000-row update's decoding).
template <class F>
void collecting(collector& pass, F&& decoding) {
    struct deactivate {
        ~deactivate() { active = nullptr; }
    } reset;
    active = &pass;
    std::optional<guc_scope> memory;
    if (guc::wal_decoding_work_mem > 0)
        memory.emplace(std::vector<std::pair<std::string, std::string>>{
            {"logical_decoding_work_mem", std::to_string(guc::wal_decoding_work_mem) + "kB"}});
    decoding();
}

/// The decoder's decoding context, kept from pass to pass, and where it stands: every
/// transaction committing before `position` has been delivered (its reader may stand before
/// it, where no transaction was in progress), and the slot was last confirmed at `confirmed`.
struct decoding_session {
    std::string slot;
    LogicalDecodingContext* context = nullptr;
    std::uint64_t position = 0, confirmed = 0;
    /// Since when its reader has stood where it stopped before a stretch still in progress.
    std::optional<std::chrono::steady_clock::time_point> stopped_since;
    /// The top-level transactions in progress whose every record it decoded (the others it
    /// follows, unless they write the tables or change the catalogs: decoding_plan).
    std::vector<std::uint32_t> decoded_whole;
    /// The invalidation messages this process had taken in (SharedInvalidMessageCounter) when
    /// its caches last held nothing but the catalogs as they are at its reader's position.
    std::optional<std::uint64_t> caches_clean_at;
} session;

void acquire_slot(const std::string& slot) {
    pg::call([&] {
#if PG_VERSION_NUM >= 180000
        ReplicationSlotAcquire(slot.c_str(), true, true);
#else
        ReplicationSlotAcquire(slot.c_str(), true);
#endif
    });
}

/// Starts a session at the slot's position (advanced to `from` first: decoding resumes after
/// the transactions committing before it), with the slot acquired.
void start_session(const std::string& slot, std::uint64_t from) {
    advance_slot(slot, from);
    acquire_slot(slot);
    session.context = pg::call([] {
        CheckLogicalDecodingRequirements();
        static XLogReaderRoutine local_wal{};
        local_wal.page_read = read_local_xlog_page;
        local_wal.segment_open = wal_segment_open;
        local_wal.segment_close = wal_segment_close;
        MemoryContext caller = MemoryContextSwitchTo(TopMemoryContext);
        LogicalDecodingContext* ctx = CreateDecodingContext(InvalidXLogRecPtr, NIL, false, &local_wal, nullptr, nullptr, nullptr);
        MemoryContextSwitchTo(caller);
        // From the restart point: transactions committing after the confirmed position are
        // accumulated whole.
        XLogBeginRead(ctx->reader, MyReplicationSlot->data.restart_lsn);
        return ctx;
    });
    session.slot = slot;
    session.position = from;
    session.confirmed = pg::call([] { return MyReplicationSlot->data.confirmed_flush; });
}

/// What a session's own memory may grow to (reading keeps a little of each record there)
/// before it is started afresh at the next pass (which costs that pass a context's set-up).
constexpr Size most_session_memory = 16u << 20;

void end_if_grown() {
    if (pg::call([] { return MemoryContextMemAllocated(session.context->context, false); }) > most_session_memory)
        end_session();
}

/// Whether a record followed changes the catalogs: a commit (or a transaction-less record)
/// with invalidation messages, which following does not send.
bool changes_catalogs(XLogReaderState* reader) {
    if (XLogRecGetRmid(reader) != RM_XACT_ID) return false;
    const uint8 info = XLogRecGetInfo(reader) & XLOG_XACT_OPMASK;
    if (info == XLOG_XACT_INVALIDATIONS) return !TransactionIdIsValid(XLogRecGetXid(reader));
    if (info != XLOG_XACT_COMMIT && info != XLOG_XACT_COMMIT_PREPARED) return false;
    xl_xact_parsed_commit parsed;
    ParseCommitRecord(XLogRecGetInfo(reader), reinterpret_cast<xl_xact_commit*>(XLogRecGetData(reader)), &parsed);
    return parsed.nmsgs > 0;
}

/// What following the records `j` jumps over would have told logical decoding
/// (LogicalDecodingProcessRecord, and heap_decode in fast-forward mode): each transaction's
/// top-level one, that it is in progress, and a base snapshot. The slot's restart point and
/// catalog horizon wait for the transactions it holds, and their base snapshots: without them, a
/// running-transactions record read while one was in progress would let them pass it, and a
/// decoding started afresh from the slot (a refresh decoding itself) would replay it with
/// catalog rows that VACUUM may have removed.
void jump_over(LogicalDecodingContext* ctx, const decoding_plan::jump& j) {
    for (const auto& t : j.transactions) {
        if (TransactionIdIsValid(t.top)) ReorderBufferAssignChild(ctx->reorder, t.top, t.xid, t.first);
        ReorderBufferProcessXid(ctx->reorder, t.xid, t.first);
        (void)SnapBuildProcessChange(ctx->snapshot_builder, t.xid, t.first);
    }
}

/// read_until's reading (decoding), without its reset of the caches when it fails.
void decode_until(std::uint64_t upto, const decoding_plan& plan) {
    pg::call([&] {
        ResourceOwner owner = CurrentResourceOwner;
        LogicalDecodingContext* ctx = session.context;
        MemoryContext caller = CurrentMemoryContext;
        std::size_t stretch = 0;
        auto decoded = [&](XLogReaderState* reader) {
            const XLogRecPtr at = reader->ReadRecPtr;
            while (stretch < plan.decode.size() && plan.decode[stretch].second <= at) ++stretch;
            return stretch < plan.decode.size() && plan.decode[stretch].first <= at &&
                   !std::binary_search(plan.followed.begin(), plan.followed.end(), XLogRecGetXid(reader));
        };
        // Decoding reads the catalogs as they were (historic snapshots): no entry cached for
        // the present may serve it, and none it loads may serve the present after it. Unless
        // they are the same: nothing read changes the catalogs, this process took in no
        // invalidation since its caches last matched where the reader stands (a catalog change
        // committed later: its messages are taken in when its locks are, before any entry it
        // changed is loaded), and its own transaction wrote nothing (its own changes are not
        // messages taken in). Resetting the caches costs a pass more than decoding a few
        // rows: the statements the pass runs are analysed and planned again.
        const std::uint64_t taken_in = SharedInvalidMessageCounter;
        const bool same_catalogs = !plan.catalogs_change && session.caches_clean_at == taken_in &&
                                   !TransactionIdIsValid(GetTopTransactionIdIfAny());
        if (!same_catalogs) InvalidateSystemCaches();
        // Whether a catalog change was followed since: then what decoding cached is stale.
        bool stale = false;
        std::size_t jump = 0;
        while (ctx->reader->EndRecPtr < upto) {
            while (jump < plan.jumps.size() && plan.jumps[jump].after < ctx->reader->EndRecPtr) ++jump;
            if (jump < plan.jumps.size() && plan.jumps[jump].after == ctx->reader->EndRecPtr) {
                jump_over(ctx, plan.jumps[jump]);
                XLogBeginRead(ctx->reader, plan.jumps[jump++].resume);
            }
            // The reader (re)allocates its buffers where it is when it needs them: they must last
            // as long as the context (replaying a transaction leaves another memory context
            // current). What else a record allocates there is kept too: see end_if_grown().
            MemoryContextSwitchTo(ctx->context);
            char* errm = nullptr;
            XLogRecord* record = XLogReadRecord(ctx->reader, &errm);
            if (errm) elog(ERROR, "could not find record for logical decoding: %s", errm);
            if (record) {
                const bool following = !decoded(ctx->reader);
                if (following) {
                    stale = stale || changes_catalogs(ctx->reader);
                } else if (stale) {
                    InvalidateSystemCaches();
                    stale = false;
                }
                ctx->fast_forward = following;
                LogicalDecodingProcessRecord(ctx, ctx->reader);
            }
            CHECK_FOR_INTERRUPTS();
        }
        ctx->fast_forward = false;
        MemoryContextSwitchTo(caller);
        CurrentResourceOwner = owner; // (decoding's transaction management may change it)
        if (!same_catalogs || SharedInvalidMessageCounter != taken_in) InvalidateSystemCaches();
        session.caches_clean_at = SharedInvalidMessageCounter;
    });
}

/// Reads the WAL up to `upto` through the session's context, decoding the records that start
/// within the stretches `plan.decode` and are not of a transaction `plan.followed`; the others
/// it only follows (fast-forward: no change queued, every commit skipped), and it jumps over
/// those that following does nothing with (`plan.jumps`).
void read_until(std::uint64_t upto, const decoding_plan& plan) {
    try {
        decode_until(upto, plan);
    } catch (...) {
        // Failing, it leaves entries cached under historic snapshots: none may serve the
        // present (as pg_logical_slot_get_changes resets them when decoding fails).
        session.caches_clean_at.reset();
        pg::call([] { InvalidateSystemCaches(); });
        throw;
    }
}

/// How much WAL a pass leaves for the next one to read again, at most (a transaction in
/// progress for long would otherwise have every pass read all the WAL written since it began).
constexpr std::uint64_t most_read_again = 64u << 20;
/// How long passes read the same stretch in progress again, at most: a transaction left open
/// (idle in transaction after changing the catalogs) would otherwise have every pass read it
/// again for as long as it stays open.
constexpr std::chrono::seconds longest_read_again{2};

/// Calls `f` with each transaction of `list` (a reorder buffer's top-level transactions, or a
/// transaction's subtransactions).
template <class F>
void each_transaction(const dlist_head& list, F&& f) {
    // (Reading the context's fields raises no error; dlist_foreach is C only.)
    for (const dlist_node* n = list.head.next; n && n != &list.head; n = n->next)
        f(*reinterpret_cast<const ReorderBufferTXN*>(reinterpret_cast<const char*>(n) - offsetof(ReorderBufferTXN, node)));
}

/// Calls `f` with each top-level transaction the session's context holds, not yet ended.
template <class F>
void each_held(F&& f) {
    each_transaction(session.context->reorder->toplevel_by_lsn, f);
}

/// The transactions the session's context holds, not yet ended: those it read before.
held_transactions held_by_context() {
    held_transactions held;
    each_held([&](const ReorderBufferTXN& txn) {
        bool changes = txn.nentries > 0;
        held.members.emplace_back(txn.xid, txn.xid);
        each_transaction(txn.subtxns, [&](const ReorderBufferTXN& sub) {
            changes = changes || sub.nentries > 0;
            held.members.emplace_back(sub.xid, txn.xid);
        });
        if (changes) held.writers.push_back(txn.xid);
    });
    held.decoded_whole = session.decoded_whole;
    return held;
}

/// What this pass decodes (plan_decoding).
decoding_plan plan_ahead(std::uint64_t upto, const std::vector<table_file>& watched, std::size_t most_open) {
    const auto now = std::chrono::steady_clock::now();
    const bool stood_long = session.stopped_since && now - *session.stopped_since > longest_read_again;
    auto plan = plan_decoding(session.context->reader->EndRecPtr, upto, watched, held_by_context(), most_open,
                              stood_long ? 0 : most_read_again);
    if (plan.stop >= upto)
        session.stopped_since.reset();
    else if (plan.stop > session.context->reader->EndRecPtr || !session.stopped_since)
        session.stopped_since = now; // (stopping further on: another stretch is in progress)
    return plan;
}

} // namespace

long long collect(const std::vector<kept_relation>& relations, const std::function<void()>& decoding) {
    collector pass;
    open_pass(pass, relations);
    collecting(pass, decoding);
    return close_pass(pass);
}

continued_pass decode_continuing(const std::string& slot, std::uint64_t from, std::uint64_t upto,
                                 const std::vector<kept_relation>& relations, const std::vector<table_file>& watched,
                                 std::size_t most_writers) {
    collector pass;
    continued_pass out;
    open_pass(pass, relations);
    try {
        // Another process decoded or moved the slot since (a refresh that decoded itself): the
        // context no longer stands where the buffers do.
        if (session.context && session.position != from) end_session();
        if (!session.context) {
            start_session(slot, from);
        } else {
            acquire_slot(slot);
            if (pg::call([] { return MyReplicationSlot->data.confirmed_flush; }) != session.confirmed) {
                end_session();
                start_session(slot, from);
            }
        }
        // What the buffers hold durably (the WAL was flushed past `from`'s commit): the slot
        // may let go of the WAL before it.
        if (from > session.confirmed) {
            pg::call([&] {
                LogicalConfirmReceivedLocation(from);
                ReplicationSlotMarkDirty();
            });
            session.confirmed = from;
        }
        auto plan = plan_ahead(upto, watched, most_writers);
        // (A plan may stop the context before `upto`, where no transaction was in progress; the
        // next pass reads on from there. Nothing committing before `upto` that it has not read
        // concerns the relations.)
        collecting(pass, [&] { read_until(plan.stop, plan); });
        if (plan.decoded_whole) {
            session.decoded_whole = std::move(*plan.decoded_whole);
        } else {
            session.decoded_whole.clear();
            each_held([&](const ReorderBufferTXN& txn) { session.decoded_whole.push_back(txn.xid); });
        }
        out.writers_in_progress = std::move(plan.writers_in_progress);
        session.position = upto;
        pg::call([] { ReplicationSlotRelease(); });
        end_if_grown();
    } catch (...) {
        end_session();
        throw;
    }
    out.rows = close_pass(pass);
    return out;
}

void end_session() {
    if (!session.context) {
        if (pg::call([] { return MyReplicationSlot != nullptr; })) pg::call([] { ReplicationSlotRelease(); });
        return;
    }
    LogicalDecodingContext* ctx = session.context;
    const std::string slot = session.slot;
    session = {};
    // Freeing a context removes what it spilled to the slot's directory, for which it needs the
    // slot. When another process has it (or it is gone), the memory goes and the next context
    // made for the slot removes the files.
    bool held = pg::call([] { return MyReplicationSlot != nullptr; });
    if (!held) {
        try {
            pg::in_subtransaction([&] { acquire_slot(slot); });
            held = true;
        } catch (const error&) {
        }
    }
    pg::call([&] {
        if (held) {
            FreeDecodingContext(ctx);
            ReplicationSlotRelease();
        } else {
            XLogReaderFree(ctx->reader);
            MemoryContextDelete(ctx->context);
        }
    });
}

} // namespace pgt::server::logical_decoding

namespace {

/// Rows written with the origin DoNotReplicateId (a FULL stream table's fresh heap,
/// pg::replace_contents) are not decoded at all.
bool skipped_origin(LogicalDecodingContext*, RepOriginId origin) { return origin == DoNotReplicateId; }

} // namespace

extern "C" PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks* cb) {
    cb->filter_by_origin_cb = skipped_origin;
    cb->startup_cb = pgt::server::logical_decoding::on_startup;
    cb->begin_cb = pgt::server::logical_decoding::on_begin;
    cb->change_cb = pgt::server::logical_decoding::on_change;
    cb->truncate_cb = pgt::server::logical_decoding::on_truncate;
    cb->commit_cb = pgt::server::logical_decoding::on_commit;
}
