#include "core/immediate.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "core/refresh.hpp"
#include "pg/function.hpp"
#include "pg/server.hpp"
#include "pg/spi.hpp"

extern "C" {
#include <access/xact.h>
#include <executor/executor.h>
#include <tcop/utility.h>
#include <utils/inval.h>
#include <utils/lsyscache.h>
}

namespace pgt::ext::immediate {

namespace {

/// Sources changed by statements whose stream tables are not maintained yet.
std::set<unsigned> changed;
/// Queries running now that change data (DML, or a SELECT with a data-modifying WITH), outermost
/// first; and, per open subtransaction, how many there were when it started.
std::vector<const QueryDesc*> modifying;
std::vector<std::size_t> at_subtransaction_start;
/// True while maintaining: the statements a refresh runs do not start another maintenance.
bool maintaining = false;
/// The IMMEDIATE stream tables reading each source, as far as this backend has looked them up.
std::map<unsigned, std::vector<long long>> readers_of;

ExecutorStart_hook_type previous_start = nullptr;
ExecutorFinish_hook_type previous_finish = nullptr;
ExecutorEnd_hook_type previous_end = nullptr;
ProcessUtility_hook_type previous_utility = nullptr;

const std::vector<long long>& readers(unsigned relid) {
    auto it = readers_of.find(relid);
    if (it != readers_of.end()) return it->second;
    std::vector<long long> ids;
    server::role_scope as_ext(server::extension_owner(), false);
    for (const auto& r : spi::prepared("SELECT d.pgt_id::text FROM pgtrickle.pgt_dependencies d JOIN "
                                       "pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id "
                                       "WHERE d.source_relid = $1::oid AND s.refresh_mode = 'IMMEDIATE' ORDER BY d.pgt_id",
                                       1)
                              .query({std::to_string(relid)}))
        ids.push_back(std::stoll(*r[0]));
    return readers_of.emplace(relid, std::move(ids)).first->second;
}

/// Refreshes the IMMEDIATE readers of every changed source, then the readers of the stream
/// tables those refreshes changed, until nothing is left.
void maintain() {
    maintaining = true;
    struct done {
        ~done() { maintaining = false; }
    } reset;
    spi::session spi;
    while (!changed.empty()) {
        pg::call([] { CommandCounterIncrement(); }); // the statement's buffer rows become visible
        std::set<long long> ids;
        for (unsigned relid : std::exchange(changed, {}))
            for (long long id : readers(relid)) ids.insert(id);
        for (long long id : ids) refresh(id, initiator::immediate);
    }
}

bool due() { return !changed.empty() && !maintaining; }

void run_maintenance() { pg::invoke_hook(maintain, "pg_trickle IMMEDIATE maintenance"); }

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

/// COPY and TRUNCATE change sources outside the executor.
void on_utility(PlannedStmt* pstmt, const char* query, bool read_only_tree, ProcessUtilityContext context,
                ParamListInfo params, QueryEnvironment* env, DestReceiver* dest, QueryCompletion* qc) {
    if (previous_utility)
        previous_utility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    if (due() && modifying.empty() && !IsA(pstmt->utilityStmt, TransactionStmt)) run_maintenance();
}

void on_transaction(XactEvent event, void*) {
    // Before commit: anything a statement left (nothing, normally) is maintained now.
    if ((event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE) && due()) run_maintenance();
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT) {
        changed.clear();
        modifying.clear();
        at_subtransaction_start.clear();
        maintaining = false;
    }
}

void on_subtransaction(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    if (event == SUBXACT_EVENT_START_SUB) {
        at_subtransaction_start.push_back(modifying.size());
    } else if ((event == SUBXACT_EVENT_ABORT_SUB || event == SUBXACT_EVENT_COMMIT_SUB) && !at_subtransaction_start.empty()) {
        // Queries that failed inside the subtransaction never reached ExecutorEnd.
        if (event == SUBXACT_EVENT_ABORT_SUB) modifying.resize(std::min(modifying.size(), at_subtransaction_start.back()));
        at_subtransaction_start.pop_back();
    }
}

void on_relcache(Datum, Oid relid) {
    if (relid == InvalidOid)
        readers_of.clear();
    else
        readers_of.erase(relid);
}

} // namespace

void source_changed(unsigned source_relid) { changed.insert(source_relid); }

void readers_changed(unsigned source_relid) {
    pg::call([&] {
        if (get_rel_name(source_relid) != nullptr) CacheInvalidateRelcacheByRelid(source_relid);
    });
    readers_of.erase(source_relid);
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
    CacheRegisterRelcacheCallback(on_relcache, 0);
}

} // namespace pgt::ext::immediate
