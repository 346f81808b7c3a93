#include "immediate/immediate.hpp"

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <ranges>
#include <utility>
#include <vector>

#include "pg/virtual_columns.hpp"
#include "catalog/consumers.hpp"
#include "immediate/immediate_target.hpp"
#include "pg/function.hpp"
#include "pg/spi.hpp"

extern "C" {
#include <access/table.h>
#include <access/tupconvert.h>
#include <access/xact.h>
#include <commands/trigger.h>
#include <executor/executor.h>
#include <executor/tuptable.h>
#include <miscadmin.h>
#include <tcop/utility.h>
#include <utils/rel.h>
#include <utils/resowner.h>
#include <utils/tuplestore.h>
}

namespace pgt::ext::immediate {

namespace {

/// Rows a source's statements changed that IMMEDIATE stream tables have not absorbed, kept per
/// subtransaction (an aborted one takes its rows with it), numbered in order of arrival.
struct chunk {
    unsigned source = 0;
    SubTransactionId subtransaction = InvalidSubTransactionId;
    long long number = 0;
    Tuplestorestate* inserted = nullptr;
    Tuplestorestate* deleted = nullptr;
    bool truncated = false;
};
std::vector<chunk> chunks;
long long chunks_made = 0;
/// Where the rows are kept: a child of the transaction's memory, made when first needed.
MemoryContext rows_memory = nullptr;

/// Queries running now that change data (DML, or a SELECT with a data-modifying WITH), outermost
/// first; and, per open subtransaction, how many there were and whether a maintenance was
/// running when it started (one rolled back inside a maintenance leaves it running).
std::vector<const QueryDesc*> modifying;
struct subtransaction_start {
    std::size_t modifying;
    bool maintaining;
};
std::vector<subtransaction_start> at_subtransaction_start;
/// True while maintaining: the statements a maintenance runs do not start another one.
bool maintaining = false;

ExecutorStart_hook_type previous_start = nullptr;
ExecutorFinish_hook_type previous_finish = nullptr;
ExecutorEnd_hook_type previous_end = nullptr;
ProcessUtility_hook_type previous_utility = nullptr;

void release(chunk& c) {
    if (c.inserted) tuplestore_end(c.inserted);
    if (c.deleted) tuplestore_end(c.deleted);
    c.inserted = c.deleted = nullptr;
}

/// Appends the rows of transition table `from` to `*to` (made on first use), their virtual
/// generated columns computed, converted by `map` from a partition's row format to its root's
/// when given. Runs under pg::call.
void append_rows(Tuplestorestate** to, Tuplestorestate* from, TupleDesc from_desc, server::virtual_columns* generated, TupleConversionMap* map,
                 TupleTableSlot* root_row) {
    if (!from || tuplestore_tuple_count(from) == 0) return;
    if (!*to) *to = tuplestore_begin_heap(false, false, work_mem);
    TupleTableSlot* row = MakeSingleTupleTableSlot(from_desc, &TTSOpsMinimalTuple);
    // A read pointer of its own: other triggers of the statement may read the same tuplestore.
    const int pointer = tuplestore_alloc_read_pointer(from, EXEC_FLAG_REWIND);
    tuplestore_select_read_pointer(from, pointer);
    tuplestore_rescan(from);
    while (tuplestore_gettupleslot(from, true, false, row)) {
        TupleTableSlot* complete = generated ? server::with_virtual_columns(generated, row) : row;
        tuplestore_puttupleslot(*to, map ? execute_attr_map_slot(map->attrMap, complete, root_row) : complete);
    }
    tuplestore_select_read_pointer(from, 0);
    ExecDropSingleTupleTableSlot(row);
}

/// Maintains every IMMEDIATE stream table with changes it has not absorbed, upstream ones
/// first (a stream table reading another is maintained once, after it), until none is left:
/// a maintenance that changes a stream table read by others leaves changes for them.
void maintain_all() {
    maintaining = true;
    struct done {
        ~done() { maintaining = false; }
    } reset;
    spi::session spi;
    std::map<std::pair<long long, unsigned>, long long> absorbed; // (stream table, source) → last chunk
    std::map<long long, int> depths;
    std::function<int(long long)> depth = [&](long long id) {
        if (auto it = depths.find(id); it != depths.end()) return it->second;
        depths[id] = 0; // (stream tables form no cycle; this only guards the recursion)
        int d = 0;
        if (const auto* shape = shape_of(id)) {
            const auto upstream = shape->upstream;
            for (long long up : upstream)
                if (shape_of(up)) d = std::max(d, depth(up) + 1);
        }
        return depths[id] = d;
    };
    for (;;) {
        std::vector<long long> waiting;
        for (const auto& c : chunks)
            for (long long id : consumers_of(c.source).immediate)
                if (c.number > absorbed[{id, c.source}] && std::ranges::find(waiting, id) == waiting.end()) waiting.push_back(id);
        if (waiting.empty()) break;
        // The one nearest the sources first (by id among equals; one alone needs no ordering).
        long long next = waiting.front();
        if (waiting.size() > 1)
            next = *std::ranges::min_element(waiting, [&](long long a, long long b) { return std::pair{depth(a), a} < std::pair{depth(b), b}; });
        // Its unabsorbed changes, one entry per source: a source changed by several statements
        // (or subtransactions) has its rows gathered in one relation.
        std::vector<source_delta> changes;
        std::vector<Tuplestorestate*> gathered;
        for (auto& c : chunks) {
            const auto readers = consumers_of(c.source).immediate;
            if (std::ranges::find(readers, next) == readers.end()) continue;
            auto& seen = absorbed[{next, c.source}];
            if (c.number <= seen) continue;
            seen = c.number;
            auto it = std::ranges::find_if(changes, [&](const source_delta& d) { return d.source == c.source; });
            if (it == changes.end()) {
                changes.push_back({c.source, c.inserted, c.deleted, c.truncated});
                continue;
            }
            it->truncated |= c.truncated;
            for (auto [to, from] : {std::pair{&it->inserted, c.inserted}, std::pair{&it->deleted, c.deleted}}) {
                if (!from) continue;
                pg::call([&] {
                    MemoryContext caller = MemoryContextSwitchTo(rows_memory);
                    Relation source = table_open(c.source, AccessShareLock);
                    Tuplestorestate* all = tuplestore_begin_heap(false, false, work_mem);
                    TupleTableSlot* row = MakeSingleTupleTableSlot(RelationGetDescr(source), &TTSOpsMinimalTuple);
                    for (Tuplestorestate* part : {*to, from}) {
                        if (!part) continue;
                        tuplestore_select_read_pointer(part, 0);
                        tuplestore_rescan(part);
                        while (tuplestore_gettupleslot(part, true, false, row)) tuplestore_puttupleslot(all, row);
                    }
                    ExecDropSingleTupleTableSlot(row);
                    table_close(source, AccessShareLock);
                    MemoryContextSwitchTo(caller);
                    *to = all;
                });
                gathered.push_back(*to);
            }
        }
        maintain(next, changes);
        for (Tuplestorestate* g : gathered) pg::call([&] { tuplestore_end(g); });
    }
    for (auto& c : chunks) pg::call([&] { release(c); });
    chunks.clear();
}

bool due() { return !chunks.empty() && !maintaining; }

void run_maintenance() { pg::invoke_hook(maintain_all, "pg_trickle IMMEDIATE maintenance"); }

void on_start(QueryDesc* q, int eflags) {
    if (previous_start)
        previous_start(q, eflags);
    else
        standard_ExecutorStart(q, eflags);
    if (q->operation != CMD_SELECT || q->plannedstmt->hasModifyingCTE) modifying.push_back(q);
}

void on_finish_hook(QueryDesc* q) {
    if (previous_finish)
        previous_finish(q);
    else
        standard_ExecutorFinish(q);
    // A statement run by another one still changing data (a trigger's, a function's called from
    // DML) waits for that one: its sources are not in a consistent state before.
    const bool outermost = std::ranges::all_of(modifying, [&](const QueryDesc* m) { return m == q; });
    if (due() && outermost) run_maintenance();
}

void on_end(QueryDesc* q) {
    if (auto it = std::ranges::find(modifying, q); it != modifying.end()) modifying.erase(it);
    if (previous_end)
        previous_end(q);
    else
        standard_ExecutorEnd(q);
}

/// COPY and TRUNCATE change sources outside the executor. While one runs, it counts as a query
/// changing data (a null entry): the statements its triggers run wait for it, as for DML, so
/// that the changes of both are maintained together. (An error leaves the entry to the
/// (sub)transaction's abort, which drops it.)
void on_utility(PlannedStmt* pstmt, const char* query, bool read_only_tree, ProcessUtilityContext context,
                ParamListInfo params, QueryEnvironment* env, DestReceiver* dest, QueryCompletion* qc) {
    const bool changes_rows = IsA(pstmt->utilityStmt, CopyStmt) || IsA(pstmt->utilityStmt, TruncateStmt);
    if (changes_rows) modifying.push_back(nullptr);
    if (previous_utility)
        previous_utility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    if (changes_rows)
        if (auto it = std::ranges::find(std::ranges::reverse_view(modifying), nullptr); it != modifying.rend())
            modifying.erase(std::next(it).base());
    if (due() && modifying.empty() && !IsA(pstmt->utilityStmt, TransactionStmt)) run_maintenance();
}

void on_transaction(XactEvent event, void*) {
    // Before commit: anything a statement left (nothing, normally) is maintained now.
    if ((event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE) && due()) run_maintenance();
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT) {
        // The rows' memory and temporary files go with the transaction.
        chunks.clear();
        rows_memory = nullptr;
        modifying.clear();
        at_subtransaction_start.clear();
        maintaining = false;
    }
}

void on_subtransaction(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void*) {
    if (event == SUBXACT_EVENT_START_SUB) {
        at_subtransaction_start.push_back({modifying.size(), maintaining});
        return;
    }
    if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB) return;
    if (event == SUBXACT_EVENT_ABORT_SUB) {
        // Queries that failed inside the subtransaction never reached ExecutorEnd; its changes
        // were rolled back.
        const auto started = at_subtransaction_start.empty() ? subtransaction_start{modifying.size(), false} : at_subtransaction_start.back();
        modifying.resize(std::min(modifying.size(), started.modifying));
        std::erase_if(chunks, [&](chunk& c) {
            if (c.subtransaction != sub) return false;
            release(c);
            return true;
        });
        maintaining = started.maintaining;
    } else {
        for (auto& c : chunks)
            if (c.subtransaction == sub) c.subtransaction = parent;
    }
    if (!at_subtransaction_start.empty()) at_subtransaction_start.pop_back();
}

} // namespace

void keep_changes(TriggerData* td, unsigned root) {
    const SubTransactionId sub = GetCurrentSubTransactionId();
    // A statement's rows join the source's rows kept in this subtransaction, but not during a
    // maintenance (a stream table may have absorbed those already: they start a new chunk).
    auto it = maintaining ? chunks.end() : std::ranges::find_if(chunks, [&](const chunk& c) {
        return c.source == root && c.subtransaction == sub;
    });
    if (it == chunks.end()) it = chunks.insert(chunks.end(), chunk{root, sub, 0, nullptr, nullptr, false});
    it->number = ++chunks_made;
    chunk& c = *it;
    pg::call([&] {
        if (!rows_memory) rows_memory = AllocSetContextCreate(TopTransactionContext, "pg_trickle IMMEDIATE changes", ALLOCSET_DEFAULT_SIZES);
        if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event)) {
            c.truncated = true;
            return;
        }
        MemoryContext caller = MemoryContextSwitchTo(rows_memory);
        // Spilled rows live as long as the transaction, whichever subtransaction kept them.
        ResourceOwner caller_owner = CurrentResourceOwner;
        CurrentResourceOwner = TopTransactionResourceOwner;
        Relation root_rel = RelationGetRelid(td->tg_relation) == root ? td->tg_relation : table_open(root, AccessShareLock);
        TupleDesc from = RelationGetDescr(td->tg_relation);
        TupleConversionMap* map = root_rel == td->tg_relation ? nullptr : convert_tuples_by_name(from, RelationGetDescr(root_rel));
        TupleTableSlot* root_row = map ? MakeSingleTupleTableSlot(RelationGetDescr(root_rel), &TTSOpsVirtual) : nullptr;
        server::virtual_columns* generated = server::virtual_columns_of(td->tg_relation);
        append_rows(&c.deleted, td->tg_oldtable, from, generated, map, root_row);
        append_rows(&c.inserted, td->tg_newtable, from, generated, map, root_row);
        if (generated) server::free_virtual_columns(generated);
        if (root_row) ExecDropSingleTupleTableSlot(root_row);
        if (root_rel != td->tg_relation) table_close(root_rel, AccessShareLock);
        CurrentResourceOwner = caller_owner;
        MemoryContextSwitchTo(caller);
    });
}

void install_hooks() {
    previous_start = ExecutorStart_hook;
    ExecutorStart_hook = on_start;
    previous_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = on_finish_hook;
    previous_end = ExecutorEnd_hook;
    ExecutorEnd_hook = on_end;
    previous_utility = ProcessUtility_hook;
    ProcessUtility_hook = on_utility;
    RegisterXactCallback(on_transaction, nullptr);
    RegisterSubXactCallback(on_subtransaction, nullptr);
}

} // namespace pgt::ext::immediate
