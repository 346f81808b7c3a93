// DDL tracking (event triggers pg_trickle_ddl_tracker and pg_trickle_drop_tracker).
//
// ALTER TABLE on a source is let through when every stream table reading it still compiles to
// the same columns (its cached plans are invalidated and the change buffer follows the
// source's columns); otherwise it is refused with the reason. DROP TABLE of a source puts its
// stream tables in ERROR. A stream table's storage may not change shape behind pg_trickle.
#include "pgt/sql/ddl.hpp"

#include "capture/capture.hpp"
#include "catalog/server_catalog.hpp"
#include "lifecycle/lifecycle.hpp"
#include "pg/function.hpp"
#include "pg/gucs.hpp"
#include "pg/notices.hpp"
#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"
#include "refresh/aggregate_states.hpp"
#include "refresh/compiled.hpp"
#include "refresh/definition.hpp"
#include "refresh/refresh.hpp"
#include "scheduler/shared.hpp"

namespace {

using pgt::error;
namespace spi = pgt::spi;
namespace ext = pgt::ext;

bool extension_catalog_present() {
    return spi::scalar("SELECT pg_catalog.to_regclass('pgtrickle.pgt_stream_tables')").has_value();
}

/// Refuses the DDL (`what`: "ALTER TABLE on t") unless `st` still compiles to the columns it stores.
void check_still_valid(const ext::stream_table& st, const std::string& what) {
    const std::string prefix = what + " would break stream table " + st.display() + ": ";
    try {
        const pgt::server::query_settings_scope settings(st.settings);
        auto front = ext::compile_query(st.defining_query);
        if (ext::incremental(st.refresh_mode) && !front.query)
            throw error(pgt::sqlstate::feature_not_supported, front.unsupported->construct());
        if (spi::describe(st.defining_query) != ext::visible_columns(st))
            throw error("42P17", "its columns would change");
    } catch (const error& e) {
        if (pgt::interruption(e)) throw;
        throw error("42P17", prefix + e.what(), "pg_trickle blocks DDL that breaks a stream table.",
                    "Drop or redefine the stream table first (pgtrickle.alter_stream_table(name, query => …)).");
    }
}

/// Makes the change buffer of `relid` capture exactly the source's current columns.
void sync_buffer(unsigned relid) {
    const std::string buffer = ext::buffer_name(relid);
    const std::string r = std::to_string(relid);
    // (The buffer is altered as the extension owner.)
    std::optional<pgt::server::qualified_type_names_scope> qualified(std::in_place);
    auto mismatched = spi::query(
        "SELECT b.attname, pg_catalog.format_type(s.atttypid, s.atttypmod), s.attname IS NULL, "
        "  b.atttypid IS DISTINCT FROM s.atttypid OR b.atttypmod IS DISTINCT FROM s.atttypmod "
        "FROM pg_catalog.pg_attribute b LEFT JOIN pg_catalog.pg_attribute s ON s.attrelid = $1::oid "
        "  AND s.attname = b.attname AND s.attnum > 0 AND NOT s.attisdropped "
        "WHERE b.attrelid = $2::pg_catalog.regclass::pg_catalog.oid AND b.attnum > 3 AND NOT b.attisdropped",
        {r, buffer});
    qualified.reset();
    pgt::server::internal_ddl_scope internal;
    pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
    for (const auto& m : mismatched) {
        const std::string col = spi::quote_ident(*m[0]);
        if (m[2] == "t")
            spi::exec(pgt::sql::ddl::drop_column(buffer, col));
        else if (m[3] == "t")
            spi::exec(pgt::sql::ddl::alter_column_type(buffer, col, *m[1]));
    }
    spi::exec("UPDATE pgtrickle.pgt_change_tracking SET captured_columns = ARRAY(SELECT a.attname::text "
              "FROM pg_catalog.pg_attribute a WHERE a.attrelid = buffer_relid AND a.attnum > 3 AND NOT a.attisdropped "
              "ORDER BY a.attnum) WHERE source_relid = $1::oid",
              {r});
}

/// Rows `st` stored may follow an old definition (`why`): it recomputes at its next refresh, an
/// IMMEDIATE one now.
void recompute(const ext::stream_table& st, const std::string& why) {
    {
        pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
        spi::exec("UPDATE pgtrickle.pgt_stream_tables SET needs_reinit = true, generation = generation + 1 "
                  "WHERE pgt_id = $1::int8",
                  {std::to_string(st.id)});
    }
    pgt::server::notice("stream table " + st.display() + " is recomputed: " + why);
    if (st.refresh_mode == ext::mode::immediate && st.status == ext::st_status::active && st.is_populated) ext::refresh(st.id, ext::initiator::manual);
    pgt::sched::wake_scheduler_at_commit();
}

void altered_table(unsigned relid) {
    const std::string r = std::to_string(relid);
    const auto table = *spi::scalar("SELECT $1::oid::regclass::text", {r});
    if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE buffer_relid = $1::oid", {r}))
        throw error(pgt::sqlstate::insufficient_privilege,
                    "pg_trickle: altering change buffer tables (schema 'pgtrickle_changes') is not allowed");
    if (auto st = ext::stream_table_by_relid(relid)) {
        auto names = spi::query("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                                "ON n.oid = c.relnamespace WHERE c.oid = $1::oid",
                                {r});
        if (*names[0][0] != st->schema || *names[0][1] != st->name) {
            if (!ext::dependents_of(relid).empty())
                throw error("42P17", "cannot rename stream table " + st->display() + ": other stream tables read it");
            pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
            spi::exec("UPDATE pgtrickle.pgt_stream_tables SET pgt_schema = $2, pgt_name = $3, updated_at = now() "
                      "WHERE pgt_id = $1::int8",
                      {std::to_string(st->id), names[0][0], names[0][1]});
        }
        const pgt::server::query_settings_scope settings(st->settings);
        if (ext::visible_columns(*st) != spi::describe(st->defining_query))
            throw error("42P17", "ALTER TABLE on stream table " + st->display() + " is not allowed: it changes its columns",
                        {}, "Use pgtrickle.alter_stream_table(name, query => …) to change a stream table's definition.");
        // Its state tables belong to whoever owns it (ALTER TABLE … OWNER TO).
        const auto states = ext::state_tables_of(relid);
        if (!states.empty()) {
            const auto owner = *spi::scalar("SELECT relowner::regrole::text FROM pg_catalog.pg_class WHERE oid = $1::oid", {r});
            pgt::server::internal_ddl_scope internal;
            pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
            for (const auto& t : states) spi::exec(pgt::sql::ddl::alter_owner(t, owner));
        }
    }
    if (!spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {r})) return;
    // Decoding needs whole old rows in the WAL for the buffer's deletions.
    if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking t JOIN pg_catalog.pg_class c ON c.oid = t.source_relid "
                    "WHERE t.source_relid = $1::oid AND t.cdc_mode = 'WAL' AND c.relreplident <> 'f'",
                    {r}))
        throw error(pgt::sqlstate::object_not_in_prerequisite_state,
                    "cannot change the replica identity of " + table + ": its changes are captured from the WAL",
                    "Decoding reads whole old rows, which only REPLICA IDENTITY FULL writes to the WAL.",
                    "Alter its stream tables to cdc_mode => 'trigger' first.");
    for (const auto& st : ext::dependents_of(relid)) check_still_valid(st, "ALTER TABLE on " + table);
    sync_buffer(relid);
    ext::ensure_capture(*ext::server_catalog().relation_by_oid(relid)->table);
    {
        // Their compiled plans are stale: each recompiles at its next use.
        pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
        spi::exec("UPDATE pgtrickle.pgt_stream_tables SET generation = generation + 1 "
                  "WHERE pgt_id IN (SELECT pgt_id FROM pgtrickle.pgt_dependencies WHERE source_relid = $1::oid)",
                  {r});
    }
    // New values of a generated column (SET EXPRESSION) are no write that capture sees.
    if (pgt::server::generation_expression_written(relid))
        for (const auto& st : ext::dependents_of(relid)) recompute(st, "a generation expression of " + table + " changed");
}

/// After CREATE TABLE … INHERITS / PARTITION OF or ALTER TABLE … INHERIT / ATTACH PARTITION, a
/// captured table above or below `relid` may have gained children or a parent, whose writes
/// its capture does not see: the stream tables reading it are checked again (the front end
/// refuses such sources).
void check_relatives(unsigned relid, const std::string& command) {
    auto captured = spi::query(
        "WITH RECURSIVE up(relid) AS (SELECT inhparent FROM pg_catalog.pg_inherits WHERE inhrelid = $1::oid "
        "  UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN up ON i.inhrelid = up.relid), "
        "down(relid) AS (SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent = $1::oid "
        "  UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN down ON i.inhparent = down.relid) "
        "SELECT relid::int8 FROM (SELECT relid FROM up UNION SELECT relid FROM down) r "
        "WHERE relid IN (SELECT source_relid FROM pgtrickle.pgt_change_tracking)",
        {std::to_string(relid)});
    if (captured.empty()) return;
    const std::string what = command + " on " + *spi::scalar("SELECT $1::oid::regclass::text", {std::to_string(relid)});
    for (const auto& r : captured)
        for (const auto& st : ext::dependents_of(static_cast<unsigned>(std::stoul(*r[0])))) check_still_valid(st, what);
}

/// Partitions of a captured table came or went: its readers recompute at their next refresh,
/// which the scheduler is woken for; IMMEDIATE readers recompute now.
void recompute_partitions() {
    ext::recompute_partitioned_sources();
    pgt::sched::wake_scheduler_at_commit();
    for (const auto& r : spi::query("SELECT DISTINCT s.pgt_id FROM pgtrickle.pgt_change_tracking t "
                                    "JOIN pg_catalog.pg_class c ON c.oid = t.source_relid AND c.relkind = 'p' "
                                    "JOIN pgtrickle.pgt_dependencies d ON d.source_relid = t.source_relid "
                                    "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id "
                                    "WHERE s.refresh_mode = 'IMMEDIATE' AND s.status = 'ACTIVE' AND s.is_populated ORDER BY 1"))
        ext::refresh(std::stoll(*r[0]), ext::initiator::manual);
}

/// Functions (operators through them) or views a stream table calls or reads were redefined
/// (CREATE OR REPLACE, ALTER): rows it stored may follow the old definition. It recomputes at
/// its next refresh, an IMMEDIATE one now; a view must still give it the columns it stores.
void recompute_redefined() {
    const auto readers = spi::prepared(
        "SELECT DISTINCT s.pgt_id, c.object_identity, c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid "
        "FROM pg_catalog.pg_event_trigger_ddl_commands() c JOIN pg_catalog.pg_depend d ON d.refclassid = c.classid "
        "AND d.refobjid = c.objid AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid JOIN pgtrickle.pgt_stream_tables s "
        "ON s.pgt_relid = d.objid WHERE c.command_tag IN ('CREATE FUNCTION', 'ALTER FUNCTION', 'CREATE AGGREGATE', "
        "'ALTER AGGREGATE', 'CREATE VIEW', 'ALTER VIEW') ORDER BY 1, 2",
        0).query({});
    for (const auto& r : readers) {
        const auto st = *ext::stream_table_by_id(std::stoll(*r[0]));
        if (r[2] == "t") check_still_valid(st, "redefining view " + *r[1]);
        recompute(st, *r[1] + " it uses was redefined");
    }
}

} // namespace

PGT_FUNCTION(pgt_on_ddl_end) {
    if (!pgt::pg::called_as_event_trigger(fcinfo)) throw error("39P01", "pgtrickle._on_ddl_end() must be called as an event trigger");
    // (pg_trickle's own update script converts its capture triggers: nothing to check.)
    if (pgt::server::internal_ddl_scope::active() || pgt::server::in_own_extension_script()) PG_RETURN_VOID();
    spi::session spi;
    if (!extension_catalog_present()) PG_RETURN_VOID();
    // (Prepared once: every DDL statement in the database, REFRESH MATERIALIZED VIEW too, runs this.)
    auto commands = spi::prepared("SELECT DISTINCT objid::int8, command_tag FROM pg_catalog.pg_event_trigger_ddl_commands() "
                                  "WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid "
                                  "OR command_tag IN ('CREATE TRIGGER', 'GRANT', 'REVOKE')",
                                  0)
                        .query({});
    bool privileges_may_change = false, partition_created = false, partitions_altered = false;
    for (const auto& c : commands) {
        // DDL on a partitioned table or a partition may change a captured partition tree.
        if (c[1] == "CREATE TABLE" || c[1] == "CREATE FOREIGN TABLE" || c[1] == "ALTER TABLE") {
            const bool in_tree = spi::scalar("SELECT 1 FROM pg_catalog.pg_class WHERE oid = $1::oid "
                                             "AND (relkind = 'p' OR relispartition)",
                                             {c[0]})
                                     .has_value();
            partition_created |= in_tree && c[1] != "ALTER TABLE";
            partitions_altered |= in_tree && c[1] == "ALTER TABLE";
        }
        // Who may read a source, or who owns a stream table, decides who may read its buffer.
        privileges_may_change |= c[1] == "GRANT" || c[1] == "REVOKE" || c[1] == "ALTER TABLE";
        if (c[1] == "CREATE TRIGGER") {
            auto on_buffer = spi::scalar("SELECT 1 FROM pg_catalog.pg_trigger t JOIN pgtrickle.pgt_change_tracking c "
                                         "ON c.buffer_relid = t.tgrelid WHERE t.oid = $1::oid",
                                         {c[0]});
            if (on_buffer)
                throw error(pgt::sqlstate::insufficient_privilege,
                            "pg_trickle: creating triggers on change buffer tables (schema 'pgtrickle_changes') is not "
                            "allowed");
        } else if (c[1] == "CREATE INDEX") {
            // Capture writes buffers in bulk, which maintains no index.
            if (spi::scalar("SELECT 1 FROM pg_catalog.pg_index i JOIN pgtrickle.pgt_change_tracking c "
                            "ON c.buffer_relid = i.indrelid WHERE i.indexrelid = $1::oid",
                            {c[0]}))
                throw error(pgt::sqlstate::insufficient_privilege,
                            "pg_trickle: creating indexes on change buffer tables (schema 'pgtrickle_changes') is not "
                            "allowed");
        } else if (c[1] == "ALTER TABLE") {
            altered_table(static_cast<unsigned>(std::stoul(*c[0])));
            check_relatives(static_cast<unsigned>(std::stoul(*c[0])), *c[1]);
        } else if (c[1] == "CREATE TABLE") {
            check_relatives(static_cast<unsigned>(std::stoul(*c[0])), *c[1]);
        }
    }
    recompute_redefined();
    if (privileges_may_change) ext::sync_buffer_grants();
    // A new partition (CREATE TABLE … PARTITION OF) starts empty; partitions attached or
    // detached (ALTER TABLE) bring or take rows that no statement captured.
    if (partition_created || partitions_altered) {
        const bool partitions_changed = ext::sync_partition_capture();
        if (partitions_changed && partitions_altered) recompute_partitions();
    }
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_on_sql_drop) {
    if (!pgt::pg::called_as_event_trigger(fcinfo)) throw error("39P01", "pgtrickle._on_sql_drop() must be called as an event trigger");
    if (pgt::server::internal_ddl_scope::active()) PG_RETURN_VOID();
    spi::session spi;
    if (!extension_catalog_present()) PG_RETURN_VOID();
    // A dropped table with capture triggers that was not a captured source is a partition.
    if (spi::scalar("SELECT 1 FROM pg_catalog.pg_event_trigger_dropped_objects() t "
                    "JOIN pg_catalog.pg_event_trigger_dropped_objects() g ON g.object_type = 'trigger' "
                    "AND g.object_identity = 'pg_trickle_cdc_ins on ' || t.object_identity "
                    "WHERE t.object_type = 'table' AND t.objid NOT IN (SELECT source_relid FROM pgtrickle.pgt_change_tracking)"))
        recompute_partitions();
    auto dropped = spi::query("SELECT objid::int8, pg_catalog.quote_ident(schema_name) || '.' || "
                              "pg_catalog.quote_ident(object_name) FROM pg_catalog.pg_event_trigger_dropped_objects() "
                              "WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AND objsubid = 0 AND object_type = 'table' ORDER BY 1");
    for (const auto& d : dropped) {
        const unsigned relid = static_cast<unsigned>(std::stoul(*d[0]));
        const auto st = ext::stream_table_by_relid(relid);
        const auto readers = ext::dependents_of(relid);
        pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
        // The scheduler takes the readers in ERROR from here (retries, suspension, alerts).
        if (!readers.empty()) pgt::sched::wake_scheduler_at_commit();
        for (const auto& reader : readers)
            spi::exec("UPDATE pgtrickle.pgt_stream_tables SET status = 'ERROR', needs_reinit = true, "
                      "generation = generation + 1, last_error_message = $2, last_error_at = now() WHERE pgt_id = $1::int8",
                      {std::to_string(reader.id), "source table " + *d[1] + " was dropped"});
        if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {*d[0]})) {
            pgt::server::internal_ddl_scope internal;
            spi::exec(pgt::sql::ddl::drop_table(ext::buffer_name(relid), true));
            spi::exec("DELETE FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {*d[0]});
        }
        if (st) {
            // Its storage was dropped directly: the stream table is gone, and its state.
            ext::drop_state_tables(relid);
            auto sources = spi::query("SELECT source_relid FROM pgtrickle.pgt_dependencies WHERE pgt_id = $1::int8 ORDER BY 1",
                                      {std::to_string(st->id)});
            spi::exec("DELETE FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8", {std::to_string(st->id)});
            ext::forget_compiled(st->id);
            for (const auto& s : sources) ext::release_capture_if_unused(static_cast<unsigned>(std::stoul(*s[0])));
            ext::sync_buffer_grants();
        }
    }
    PG_RETURN_VOID();
}
