#include "pg/roles.hpp"

#include "pgt/error.hpp"

#include "pg/guard.hpp"
#include "pg/transactions.hpp"

extern "C" {
#include <access/genam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <catalog/indexing.h>
#include <catalog/pg_class.h>
#include <catalog/pg_extension.h>
#include <utils/acl.h>
#include <utils/fmgroids.h>
#include <utils/guc.h>
#include <utils/syscache.h>
}

namespace pgt::server {

oid current_user() { return GetUserId(); }

bool owns_relation(oid relid) {
    return pg::call([&] {
        if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid))) return false;
#if PG_VERSION_NUM >= 160000
        return object_ownercheck(RelationRelationId, relid, GetUserId());
#else
        return pg_class_ownercheck(relid, GetUserId());
#endif
    });
}

oid extension_owner() {
    // The extension is created by a superuser (superuser = true in the control file); its
    // owner is the role the bookkeeping (catalog, buffers, triggers) runs as. Looked up once
    // per transaction.
    // (Read from pg_extension's name index, as get_extension_oid does: a refresh asks for it
    // at every call, and a statement through SPI cost a fifth of a refresh with nothing to do.)
    static unsigned looked_up_in = 0;
    static oid known = 0;
    if (known != 0 && looked_up_in == transaction_number()) return known;
    const Oid owner = pg::call([] {
        Relation extensions = table_open(ExtensionRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum("pg_trickle"));
        SysScanDesc scan = systable_beginscan(extensions, ExtensionNameIndexId, true, nullptr, 1, &key);
        const HeapTuple tuple = systable_getnext(scan);
        const Oid found = HeapTupleIsValid(tuple) ? reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extowner : InvalidOid;
        systable_endscan(scan);
        table_close(extensions, AccessShareLock);
        return found;
    });
    if (!OidIsValid(owner)) throw error(sqlstate::internal_error, "extension pg_trickle is not installed in this database");
    looked_up_in = transaction_number();
    known = owner;
    return known;
}

std::string role_name(oid role) {
    const char* n = pg::call([&] { return static_cast<const char*>(GetUserNameFromId(role, false)); });
    return n;
}

role_scope::role_scope(oid role, bool restricted) {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE |
                                     (restricted ? SECURITY_RESTRICTED_OPERATION : 0));
    if (restricted) return;
    // pg_trickle's own SQL, with the extension owner's rights: the caller's search_path must not
    // resolve its operators and functions (as SET search_path does for a SECURITY DEFINER
    // function).
    guc_level_ = NewGUCNestLevel();
    pg::call([] {
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                                0, false);
    });
}

role_scope::~role_scope() {
    // The nest level is still there: a subtransaction begun inside the scope is rolled back
    // (by the code that began it) before the scope ends, one begun before it after, and a
    // transaction is aborted only once every C++ frame is gone.
    if (guc_level_ != 0) AtEOXact_GUC(true, guc_level_);
    SetUserIdAndSecContext(saved_user_, saved_context_);
}

} // namespace pgt::server
