#include "catalog/catalog_oids.hpp"

#include "pg/invalidation.hpp"
#include "pg/relations.hpp"

namespace pgt::ext {

namespace {

stream_table_catalog cached;

void forget(server::oid relid) {
    if (relid == 0 || relid == cached.table || relid == cached.primary_key) cached = {};
}

} // namespace

const stream_table_catalog& stream_table_catalog_oids() {
    if (cached.table == 0) {
        cached.table = server::relation_oid("pgtrickle", "pgt_stream_tables");
        cached.primary_key = server::relation_oid("pgtrickle", "pgt_stream_tables_pkey");
        cached.has_settings = server::has_column(cached.table, "settings");
        cached.records_trims = server::has_column(server::relation_oid("pgtrickle", "pgt_change_tracking"), "trimmed_below");
        cached.has_refresh_groups = server::relation_oid_if_any("pgtrickle", "pgt_refresh_groups") != 0;
        // Both triggers, firing in every session (whatever its session_replication_role).
        // (Enabling or disabling one invalidates the catalog's relcache entry: looked at again.)
        cached.announces_changes =
            server::triggers_firing_always(cached.table, {"pgt_immediate_row_update", "pgt_immediate_row_insert_delete"}) == 2;
    }
    return cached;
}

void install_catalog_oid_invalidation() { server::on_relation_change(forget); }

} // namespace pgt::ext
