#include "lifecycle/restore.hpp"

#include "pgt/error.hpp"
#include "pgt/sql/ddl.hpp"

#include "catalog/stream_table.hpp"
#include "lifecycle/lifecycle.hpp"
#include "refresh/fixpoint.hpp"
#include "pg/gucs.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"

namespace pgt::ext {

namespace {

/// Definitions (restored or not) with no stream table of their id, in creation order.
constexpr const char* pending_sql =
    "SELECT d.pgt_id::text, d.pgt_schema, d.pgt_name, d.defining_query, d.schedule, d.requested_mode, "
    "d.requested_cdc_mode, d.diamond_consistency, d.diamond_schedule_policy, d.suspended::text, "
    "pg_catalog.to_regclass(pg_catalog.quote_ident(d.pgt_schema) || '.' || pg_catalog.quote_ident(d.pgt_name))::oid::text, "
    "d.settings FROM pgtrickle.pgt_definitions d WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables s "
    "WHERE s.pgt_id = d.pgt_id) ORDER BY d.pgt_id";

/// What pg_dump restored of the stream tables' machinery, which a restore makes again: change
/// buffers and state tables the catalog does not know (named after the old oids, and possibly
/// after tables of this database), and capture triggers on tables no stream table reads.
void drop_leftovers() {
    server::internal_ddl_scope internal;
    server::role_scope as_ext(server::extension_owner(), false);
    for (const auto& r : spi::query(
             "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c "
             "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND ("
             "  (n.nspname = 'pgtrickle_changes' AND c.oid NOT IN (SELECT buffer_relid FROM pgtrickle.pgt_change_tracking)) "
             "  OR (n.nspname = 'pgtrickle_state' AND NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables s "
             "      WHERE c.relname ~ ('^(topk|n[0-9]+)_' || s.pgt_relid || '$'))))"))
        spi::exec(sql::ddl::drop_table(*r[0]));
    for (const auto& r : spi::query(
             "SELECT pg_catalog.quote_ident(t.tgname), t.tgrelid::regclass::text FROM pg_catalog.pg_trigger t "
             "WHERE t.tgname LIKE 'pg\\_trickle\\_cdc\\_%' AND NOT t.tgisinternal AND t.tgrelid NOT IN "
             // pg_partition_tree lists nothing for a table that is not partitioned
             "(SELECT source_relid FROM pgtrickle.pgt_change_tracking UNION ALL "
             "SELECT p.relid FROM pgtrickle.pgt_change_tracking k, pg_catalog.pg_partition_tree(k.source_relid) p)"))
        spi::exec(sql::ddl::drop_trigger(*r[0], *r[1]));
}

restore_outcome restore_one(const spi::row& d) {
    const std::string name = *d[1] + "." + *d[2]; // as the functions take names: schema.name, unquoted
    restore_outcome out{*d[1] + "." + *d[2], "", ""};
    if (find_stream_table(name)) return {out.stream_table, "skipped", "a stream table of this name exists already"};
    create_options o;
    o.id = std::stoll(*d[0]);
    o.query = *d[3];
    o.schedule = d[4];
    o.mode = mode_named(*d[5]);
    o.cdc_mode = d[6];
    o.diamond_consistency = *d[7];
    o.diamond_schedule_policy = *d[8];
    o.initialize = d[9] != "true";
    o.adopt_storage = true;
    o.cycles_allowed = true;
    const std::optional<std::string>& storage = d[10];
    // The query means what it meant at its creation: under the settings recorded with it (the
    // caller's, for a definition dumped before pg_trickle recorded them).
    const auto settings = parse_settings(d[11]).value_or(server::query_settings());
    if (storage) {
        const auto relkind = spi::scalar("SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = $1::oid", {*storage});
        if (relkind != "r") return {out.stream_table, "failed", "a relation of this name that is not a table exists"};
        if (!server::owns_relation(static_cast<server::oid>(std::stoul(*storage))))
            return {out.stream_table, "skipped", "must be owner of table " + out.stream_table};
        // As the storage's owner (whose rights the query is checked with, as at creation).
        const auto owner = static_cast<server::oid>(
            std::stoul(*spi::scalar("SELECT relowner::int8 FROM pg_catalog.pg_class WHERE oid = $1::oid", {*storage})));
        server::role_scope as_owner(owner, false);
        server::guc_scope in_force(settings);
        create_stream_table(name, o);
        out.action = "restored";
    } else {
        server::guc_scope in_force(settings);
        create_stream_table(name, o);
        out.action = "created";
    }
    if (!o.initialize) set_status(*find_stream_table(name), "SUSPENDED");
    out.detail = o.initialize ? "refreshed in full" : "suspended, as it was";
    return out;
}

} // namespace

std::vector<long long> definitions_waiting() {
    std::vector<long long> ids;
    for (const auto& d : spi::query(pending_sql)) ids.push_back(std::stoll(*d[0]));
    return ids;
}

std::vector<restore_outcome> restore_stream_tables() {
    require_writable();
    std::vector<restore_outcome> outcomes;
    if (!spi::scalar("SELECT pg_catalog.to_regclass('pgtrickle.pgt_definitions')"))
        throw error(sqlstate::object_not_in_prerequisite_state, "pg_trickle's catalog is older than this function",
                    {}, "ALTER EXTENSION pg_trickle UPDATE");
    const auto pending = spi::query(pending_sql);
    if (pending.empty()) return outcomes;
    drop_leftovers();
    // Upstream stream tables come first (a reader's query names them): creation order.
    for (const auto& d : pending) {
        try {
            pg::in_subtransaction([&] { outcomes.push_back(restore_one(d)); });
        } catch (const error& e) {
            if (interruption(e)) throw;
            outcomes.push_back({*d[1] + "." + *d[2], "failed", e.what()});
        }
    }
    server::role_scope as_ext(server::extension_owner(), false);
    // A cycle's first member was made reading the others' restored storage as tables.
    spi::exec("UPDATE pgtrickle.pgt_dependencies d SET source_type = 'STREAM_TABLE' FROM pgtrickle.pgt_stream_tables s "
              "WHERE s.pgt_relid = d.source_relid AND d.source_type <> 'STREAM_TABLE'");
    number_cycles();
    spi::exec("SELECT pg_catalog.setval('pgtrickle.pgt_stream_tables_pgt_id_seq', m) FROM (SELECT max(pgt_id) AS m FROM "
              "pgtrickle.pgt_definitions) d WHERE m > (SELECT last_value FROM pgtrickle.pgt_stream_tables_pgt_id_seq)");
    return outcomes;
}

} // namespace pgt::ext
