#include "catalog/catalog_oids.hpp"

#include "pg/invalidation.hpp"
#include "pg/relations.hpp"

namespace pgt::ext {

namespace {

stream_table_catalog cached;
unsigned forgotten = 0; ///< invalidations taken in, which the lookups below may process

void forget(server::oid relid) {
    ++forgotten;
    if (relid == 0 || relid == cached.table || relid == cached.primary_key) cached = {};
}

/// The catalog's oids and properties, read into a value of its own: each lookup may take in
/// invalidations (a relcache reset among them), which empty `cached` meanwhile.
stream_table_catalog look_up() {
    stream_table_catalog c;
    c.table = server::relation_oid("pgtrickle", "pgt_stream_tables");
    c.primary_key = server::relation_oid("pgtrickle", "pgt_stream_tables_pkey");
    c.has_settings = server::has_column(c.table, "settings");
    c.records_trims = server::has_column(server::relation_oid("pgtrickle", "pgt_change_tracking"), "trimmed_below");
    c.has_refresh_groups = server::relation_oid_if_any("pgtrickle", "pgt_refresh_groups") != 0;
    // Both triggers, firing in every session (whatever its session_replication_role).
    // (Enabling or disabling one invalidates the catalog's relcache entry: looked at again.)
    c.announces_changes = server::triggers_firing_always(c.table, {"pgt_immediate_row_update", "pgt_immediate_row_insert_delete"}) == 2;
    c.has_row_id_of = server::function_exists("pgtrickle", "pg_trickle_row_id_of");
    return c;
}

} // namespace

const stream_table_catalog& stream_table_catalog_oids() {
    // Read again while invalidations came in meanwhile (a few times at most: the oids change
    // only with the extension).
    if (cached.table == 0) {
        stream_table_catalog fresh;
        for (int tries = 0; tries < 3; ++tries) {
            const unsigned before = forgotten;
            fresh = look_up();
            if (forgotten == before) break;
        }
        cached = fresh;
    }
    return cached;
}

void install_catalog_oid_invalidation() { server::on_relation_change(forget); }

} // namespace pgt::ext
