#pragma once
// The OIDs of pg_trickle's catalog of stream tables, which every writing statement reaches
// (IMMEDIATE maintenance): looked up once per backend, and again after a relcache
// invalidation of either relation (DROP EXTENSION and CREATE EXTENSION give new ones).

namespace pgt::ext {

struct stream_table_catalog {
    unsigned table = 0;       ///< pgtrickle.pgt_stream_tables
    unsigned primary_key = 0; ///< its primary key index (pgt_id)
    /// It records query settings and AUTO's measured costs, its history error SQLSTATEs and
    /// AUTO's reasons (0.2.0; the library also serves 0.1.0's).
    bool has_settings = false;
    /// pgt_change_tracking records a trim past a FULL reader's frontier (trimmed_below, 0.2.0):
    /// FULL readers then hold no trim back.
    bool records_trims = false;
    /// pgt_refresh_groups and the watermark tables exist (0.2.0).
    bool has_refresh_groups = false;
    /// A change of an IMMEDIATE stream table's row invalidates the catalog's relcache entry
    /// (0.2.0's triggers pgt_immediate_row_update and _insert_delete, enabled ALWAYS; 0.1.0's
    /// catalog has none).
    bool announces_changes = false;
    /// pgtrickle.pg_trickle_row_id_of exists (0.3.0): row ids hashed from the key's values
    /// (lower::options::row_id_of_values).
    bool has_row_id_of = false;
};

/// The catalog's OIDs; raises an error when the extension is not installed.
const stream_table_catalog& stream_table_catalog_oids();

/// Registers the invalidation that forgets them; from _PG_init.
void install_catalog_oid_invalidation();

} // namespace pgt::ext
