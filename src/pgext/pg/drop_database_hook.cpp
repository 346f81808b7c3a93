#include "pg/drop_database_hook.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <catalog/pg_database.h>
#include <commands/dbcommands.h>
#include <tcop/utility.h>
#include <utils/acl.h>
}

namespace pgt::server {

namespace {

ProcessUtility_hook_type previous_utility = nullptr;
void (*before_drop)(oid) = nullptr;

void on_utility(PlannedStmt* pstmt, const char* query, bool read_only_tree, ProcessUtilityContext context,
                ParamListInfo params, QueryEnvironment* env, DestReceiver* dest, QueryCompletion* qc) {
    if (IsA(pstmt->utilityStmt, DropdbStmt)) {
        const Oid db = get_database_oid(castNode(DropdbStmt, pstmt->utilityStmt)->dbname, true);
        // Only for whoever may drop it: DROP DATABASE checks ownership itself, later.
#if PG_VERSION_NUM >= 160000
        const bool owner = OidIsValid(db) && object_ownercheck(DatabaseRelationId, db, GetUserId());
#else
        const bool owner = OidIsValid(db) && pg_database_ownercheck(db, GetUserId());
#endif
        if (owner && db != MyDatabaseId) before_drop(db);
    }
    if (previous_utility)
        previous_utility(pstmt, query, read_only_tree, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query, read_only_tree, context, params, env, dest, qc);
}

} // namespace

void before_drop_database(void (*before)(oid db)) {
    before_drop = before;
    previous_utility = ProcessUtility_hook;
    ProcessUtility_hook = on_utility;
}

} // namespace pgt::server
