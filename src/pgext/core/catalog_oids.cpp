#include "core/catalog_oids.hpp"

#include "pg/guard.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include <catalog/namespace.h>
#include <utils/inval.h>
#include <utils/lsyscache.h>
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
        });
    return cached;
}

void install_catalog_oid_invalidation() { CacheRegisterRelcacheCallback(forget, 0); }

} // namespace pgt::ext
