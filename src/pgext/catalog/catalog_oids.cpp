#include "catalog/catalog_oids.hpp"

#include <cstring>

#include "pg/guard.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include <access/table.h>
#include <catalog/namespace.h>
#include <commands/trigger.h>
#include <utils/inval.h>
#include <utils/lsyscache.h>
#include <utils/rel.h>
#include <utils/reltrigger.h>
}

namespace pgt::ext {

namespace {

stream_table_catalog cached;

void forget(Datum, Oid relid) {
    if (relid == InvalidOid || relid == cached.table || relid == cached.primary_key) cached = {};
}

} // namespace

const stream_table_catalog& stream_table_catalog_oids() {
    if (cached.table == InvalidOid)
        pg::call([] {
            const Oid schema = get_namespace_oid("pgtrickle", false);
            cached.table = get_relname_relid("pgt_stream_tables", schema);
            cached.primary_key = get_relname_relid("pgt_stream_tables_pkey", schema);
            cached.has_settings = get_attnum(cached.table, "settings") != InvalidAttrNumber;
            // Both triggers, firing in every session (whatever its session_replication_role).
            // (Enabling or disabling one invalidates the catalog's relcache entry: looked at again.)
            Relation catalog = table_open(cached.table, AccessShareLock);
            const TriggerDesc* triggers = catalog->trigdesc;
            int always = 0;
            for (int i = 0; triggers && i < triggers->numtriggers; ++i)
                if ((std::strcmp(triggers->triggers[i].tgname, "pgt_immediate_row_update") == 0 ||
                     std::strcmp(triggers->triggers[i].tgname, "pgt_immediate_row_insert_delete") == 0) &&
                    triggers->triggers[i].tgenabled == TRIGGER_FIRES_ALWAYS)
                    ++always;
            cached.announces_changes = always == 2;
            table_close(catalog, AccessShareLock);
        });
    return cached;
}

void install_catalog_oid_invalidation() { CacheRegisterRelcacheCallback(forget, 0); }

} // namespace pgt::ext
