#include "pg/relations.hpp"

#include <algorithm>
#include <cstring>

#include "pg/guard.hpp"

extern "C" {
#include <access/genam.h>
#include <access/htup_details.h>
#include <access/relation.h>
#include <access/table.h>
#include <access/tableam.h>
#include <catalog/dependency.h>
#include <catalog/heap.h>
#include <catalog/namespace.h>
#include <catalog/pg_attrdef.h>
#include <catalog/pg_class.h>
#include <catalog/pg_collation.h>
#include <catalog/pg_extension.h>
#include <catalog/pg_index.h>
#include <catalog/pg_operator.h>
#include <catalog/pg_proc.h>
#include <catalog/pg_trigger.h>
#include <commands/extension.h>
#include <commands/trigger.h>
#include <storage/bufmgr.h>
#include <storage/lmgr.h>
#include <utils/builtins.h>
#include <utils/catcache.h>
#include <utils/fmgroids.h>
#include <utils/lsyscache.h>
#include <utils/relcache.h>
#include <utils/rel.h>
#include <utils/reltrigger.h>
#include <utils/syscache.h>
}

namespace pgt::server {

oid relation_oid(const char* schema, const char* name) {
    return pg::call([&] { return get_relname_relid(name, get_namespace_oid(schema, false)); });
}

oid relation_oid_if_any(const char* schema, const std::string& name) {
    return pg::call([&] {
        const Oid namespace_id = get_namespace_oid(schema, true);
        return OidIsValid(namespace_id) ? get_relname_relid(name.c_str(), namespace_id) : InvalidOid;
    });
}

bool function_exists(const char* schema, const char* name) {
    return pg::call([&] {
        const Oid namespace_id = get_namespace_oid(schema, true);
        if (!OidIsValid(namespace_id)) return false;
        CatCList* candidates = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name));
        bool found = false;
        for (int i = 0; i < candidates->n_members && !found; ++i)
            found = reinterpret_cast<Form_pg_proc>(GETSTRUCT(&candidates->members[i]->tuple))->pronamespace == namespace_id;
        ReleaseSysCacheList(candidates);
        return found;
    });
}

oid temporary_relation_oid_if_any(const std::string& name) {
    return pg::call([&] {
        // (Finds the session's temporary schema without making one.)
        const Oid namespace_id = LookupExplicitNamespace("pg_temp", true);
        return OidIsValid(namespace_id) ? get_relname_relid(name.c_str(), namespace_id) : InvalidOid;
    });
}

long long main_fork_bytes(oid relid) {
    return pg::call([&] {
        Relation rel = try_relation_open(relid, AccessShareLock);
        if (!rel) return 0LL;
        const long long bytes = RELKIND_HAS_STORAGE(rel->rd_rel->relkind) ? static_cast<long long>(RelationGetNumberOfBlocks(rel)) * BLCKSZ : 0;
        relation_close(rel, AccessShareLock);
        return bytes;
    });
}

long long shared_buffer_count() { return NBuffers; }

short attribute_number(oid relid, const char* name) {
    return pg::call([&] { return get_attnum(relid, name); });
}

oid attribute_type(oid relid, short attnum) {
    return pg::call([&] { return get_atttype(relid, attnum); });
}

bool has_column(oid relid, const char* name) {
    return pg::call([&] { return get_attnum(relid, name) != InvalidAttrNumber; });
}

std::string qualified_collation(oid collation) {
    const char* name = pg::call([&] {
        HeapTuple tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collation));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for collation %u", collation);
        const auto* form = reinterpret_cast<Form_pg_collation>(GETSTRUCT(tuple));
        const char* quoted = quote_qualified_identifier(get_namespace_name(form->collnamespace), NameStr(form->collname));
        ReleaseSysCache(tuple);
        return quoted;
    });
    return name;
}

std::string column_collation(oid relid, const char* name) {
    const oid collation = pg::call([&] {
        const AttrNumber att = get_attnum(relid, name);
        if (att == InvalidAttrNumber) return InvalidOid;
        Oid type, collation;
        int32 typmod;
        get_atttypetypmodcoll(relid, att, &type, &typmod, &collation);
        return collation == get_typcollation(type) ? InvalidOid : collation;
    });
    return collation == InvalidOid ? std::string() : qualified_collation(collation);
}

std::vector<std::string> indexes_led_by(oid relid, const char* column) {
    std::vector<std::string> led;
    pg::call([&] {
        Relation rel = table_open(relid, AccessShareLock);
        const AttrNumber key = get_attnum(relid, column);
        List* indexes = RelationGetIndexList(rel);
        ListCell* cell;
        foreach (cell, indexes) {
            const Oid index = lfirst_oid(cell);
            HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
            if (!HeapTupleIsValid(tuple)) continue;
            const auto* form = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
            if (form->indisvalid && form->indnkeyatts > 0 && form->indkey.values[0] == key)
                if (const char* name = get_rel_name(index)) led.emplace_back(name);
            ReleaseSysCache(tuple);
        }
        list_free(indexes);
        table_close(rel, AccessShareLock);
    });
    return led;
}

namespace {

/// How many of `rel`'s triggers satisfy `match`.
template <class Match> int count_triggers(Relation rel, Match match) {
    const TriggerDesc* triggers = rel->trigdesc;
    int matching = 0;
    for (int i = 0; triggers && i < triggers->numtriggers; ++i) matching += match(triggers->triggers[i]) ? 1 : 0;
    return matching;
}

} // namespace

int triggers_firing_always(oid relid, std::initializer_list<const char*> names) {
    return pg::call([&] {
        Relation rel = table_open(relid, AccessShareLock);
        const int always = count_triggers(rel, [&](const Trigger& t) {
            return t.tgenabled == TRIGGER_FIRES_ALWAYS &&
                   std::ranges::any_of(names, [&](const char* name) { return std::strcmp(t.tgname, name) == 0; });
        });
        table_close(rel, AccessShareLock);
        return always;
    });
}

bool has_trigger_prefixed(oid relid, const char* prefix) {
    return pg::call([&] {
        Relation rel = RelationIdGetRelation(relid);
        if (!rel) return false;
        const bool found = count_triggers(rel, [&](const Trigger& t) {
            return std::strncmp(t.tgname, prefix, std::strlen(prefix)) == 0;
        }) > 0;
        RelationClose(rel);
        return found;
    });
}

void lock_object(oid catalog, oid object) {
    pg::call([&] { LockDatabaseObject(catalog, object, 0, ExclusiveLock); });
}

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

void release_unused_lock(oid relid) {
    pg::call([&] { UnlockRelationOid(relid, AccessExclusiveLock); });
}

void empty_in_place(oid relid) {
    pg::call([&] {
        Relation rel = table_open(relid, NoLock); // (lock_if_unused's lock is held)
        if (RelationGetForm(rel)->relhasindex) elog(ERROR, "pg_trickle: empty_in_place: relation %u has indexes", relid);
        table_relation_nontransactional_truncate(rel);
        // Its TOAST table only when it holds something: each truncation scans the shared
        // buffers' headers, and the TOAST table's index is built anew.
        if (const Oid toast = RelationGetForm(rel)->reltoastrelid; OidIsValid(toast)) {
            Relation toast_rel = table_open(toast, AccessExclusiveLock);
            if (RelationGetNumberOfBlocks(toast_rel) > 0) heap_truncate_one_rel(toast_rel);
            table_close(toast_rel, NoLock);
        }
        table_close(rel, NoLock);
    });
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
