#include "pg/relations.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <access/genam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <catalog/dependency.h>
#include <catalog/pg_attrdef.h>
#include <catalog/pg_class.h>
#include <catalog/pg_extension.h>
#include <catalog/pg_operator.h>
#include <catalog/pg_proc.h>
#include <catalog/pg_trigger.h>
#include <commands/extension.h>
#include <storage/lmgr.h>
#include <utils/fmgroids.h>
#include <utils/syscache.h>
}

namespace pgt::server {

bool generation_expression_written(oid relid) {
    return pg::call([&] {
        bool written = false;
        Relation attrdef = table_open(AttrDefaultRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_attrdef_adrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
        SysScanDesc scan = systable_beginscan(attrdef, AttrDefaultIndexId, true, nullptr, 1, &key);
        while (HeapTuple t = systable_getnext(scan)) {
            if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(t->t_data))) continue;
            const auto* def = reinterpret_cast<Form_pg_attrdef>(GETSTRUCT(t));
            HeapTuple att = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(def->adnum));
            if (!HeapTupleIsValid(att)) continue;
            written |= reinterpret_cast<Form_pg_attribute>(GETSTRUCT(att))->attgenerated != '\0';
            ReleaseSysCache(att);
        }
        systable_endscan(scan);
        table_close(attrdef, AccessShareLock);
        return written;
    });
}

void block_writers(oid relid) {
    pg::call([&] { LockRelationOid(relid, ShareRowExclusiveLock); });
}

bool lock_if_unused(oid relid) {
    return pg::call([&] { return ConditionalLockRelationOid(relid, AccessExclusiveLock); });
}

void depend_on_extension(const std::string& catalog, oid object) {
    pg::call([&] {
        ObjectAddress dependent;
        dependent.classId = catalog == "pg_trigger" ? TriggerRelationId : RelationRelationId;
        dependent.objectId = object;
        dependent.objectSubId = 0;
        ObjectAddress extension;
        extension.classId = ExtensionRelationId;
        extension.objectId = get_extension_oid("pg_trickle", false);
        extension.objectSubId = 0;
        recordDependencyOn(&dependent, &extension, DEPENDENCY_AUTO);
    });
}

void depend_on(oid relid, const std::vector<query_object>& objects) {
    for (const auto& o : objects)
        pg::call([&] {
            ObjectAddress dependent;
            dependent.classId = RelationRelationId;
            dependent.objectId = relid;
            dependent.objectSubId = 0;
            ObjectAddress referenced;
            referenced.classId = o.what == query_object::kind::function   ? ProcedureRelationId
                                 : o.what == query_object::kind::operator_ ? OperatorRelationId
                                                                           : RelationRelationId;
            referenced.objectId = o.id;
            referenced.objectSubId = 0;
            recordDependencyOn(&dependent, &referenced, DEPENDENCY_NORMAL);
        });
}

} // namespace pgt::server
