#include "pg/statement_hooks.hpp"

#include <algorithm>

#include "pg/guard.hpp"
#include "pg/relations.hpp"

extern "C" {
#include <catalog/partition.h>
#include <executor/executor.h>
#include <parser/parsetree.h>
#include <tcop/utility.h>
#include <utils/lsyscache.h>
}

namespace pgt::server {

namespace {

statement_observer observer{};

ExecutorStart_hook_type previous_start = nullptr;
ExecutorFinish_hook_type previous_finish = nullptr;
ExecutorEnd_hook_type previous_end = nullptr;
ProcessUtility_hook_type previous_utility = nullptr;

void on_start(QueryDesc* q, int eflags) {
    if (previous_start)
        previous_start(q, eflags);
    else
        standard_ExecutorStart(q, eflags);
    // (EXPLAIN without ANALYZE starts the plan but never runs it.)
    observer.query_started(q, (eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 && (q->operation != CMD_SELECT || q->plannedstmt->hasModifyingCTE));
}

void on_finish(QueryDesc* q) {
    if (previous_finish)
        previous_finish(q);
    else
        standard_ExecutorFinish(q);
    observer.query_finished(q);
}

void on_end(QueryDesc* q) {
    observer.query_ending(q);
    if (previous_end)
        previous_end(q);
    else
        standard_ExecutorEnd(q);
}

void on_utility(PlannedStmt* pstmt, const char* query, bool read_only_tree, ProcessUtilityContext context,
                ParamListInfo params, QueryEnvironment* env, DestReceiver* dest, QueryCompletion* qc) {
    const bool changes_rows = IsA(pstmt->utilityStmt, CopyStmt) || IsA(pstmt->utilityStmt, TruncateStmt);
    observer.utility_starting(changes_rows);
    if (previous_utility)
        previous_utility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    observer.utility_done(changes_rows, IsA(pstmt->utilityStmt, TransactionStmt));
}

} // namespace

std::vector<unsigned> written_tables_with_trigger(const void* query, const char* trigger_prefix) {
    const auto* q = static_cast<const QueryDesc*>(query);
    std::vector<unsigned> written;
    pg::call([&] {
        ListCell* cell;
        foreach (cell, q->plannedstmt->resultRelations)
            written.push_back(rt_fetch(lfirst_int(cell), q->plannedstmt->rtable)->relid);
    });
    std::erase_if(written, [&](unsigned relid) { return !has_trigger_prefixed(relid, trigger_prefix); });
    pg::call([&] {
        for (unsigned& relid : written)
            if (get_rel_relispartition(relid))
                if (List* ancestors = get_partition_ancestors(relid); ancestors != NIL) relid = llast_oid(ancestors);
    });
    std::ranges::sort(written);
    const auto [first, last] = std::ranges::unique(written);
    written.erase(first, last);
    return written;
}

void observe_statements(const statement_observer& o) {
    observer = o;
    previous_start = ExecutorStart_hook;
    ExecutorStart_hook = on_start;
    previous_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = on_finish;
    previous_end = ExecutorEnd_hook;
    ExecutorEnd_hook = on_end;
    previous_utility = ProcessUtility_hook;
    ProcessUtility_hook = on_utility;
}

} // namespace pgt::server
