#include "capture/capture.hpp"

#include "pgt/error.hpp"
#include "pgt/sql/builder.hpp"

#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

struct trigger_spec {
    const char* name;
    const char* timing;
};
// One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
constexpr trigger_spec triggers[] = {
    {"pg_trickle_cdc_ins", "AFTER INSERT ON %s REFERENCING NEW TABLE AS __pgt_new FOR EACH STATEMENT"},
    {"pg_trickle_cdc_upd", "AFTER UPDATE ON %s REFERENCING OLD TABLE AS __pgt_old NEW TABLE AS __pgt_new FOR EACH STATEMENT"},
    {"pg_trickle_cdc_del", "AFTER DELETE ON %s REFERENCING OLD TABLE AS __pgt_old FOR EACH STATEMENT"},
    {"pg_trickle_cdc_trunc", "AFTER TRUNCATE ON %s FOR EACH STATEMENT"},
};

std::string qualified(const ir::table& t) { return spi::quote_ident(t.schema) + "." + spi::quote_ident(t.name); }

/// Creates one capture trigger; DROP EXTENSION drops it with the extension. Replaces a trigger
/// of that name left behind (restored by pg_dump without pg_trickle's catalog). It fires ALWAYS:
/// also for changes made with session_replication_role = replica (which bulk loads and
/// replication tools set to skip user triggers and foreign keys), otherwise missed.
void create_trigger(unsigned relid, const std::string& table, const trigger_spec& t) {
    std::string timing = t.timing;
    timing.replace(timing.find("%s"), 2, table);
    spi::exec("CREATE OR REPLACE TRIGGER " + std::string(t.name) + " " + timing + " EXECUTE FUNCTION pgtrickle._cdc_capture()");
    spi::exec("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + t.name);
    auto oid = spi::scalar("SELECT oid::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1::oid AND tgname = $2",
                           {std::to_string(relid), t.name});
    server::depend_on_extension("pg_trigger", static_cast<server::oid>(std::stoul(*oid)));
}

std::string column_definition(const ir::column& c) { return spi::quote_ident(c.name) + " " + c.type.name; }

/// Drops the capture triggers `table` (a regclass text) has: none for a source captured from the
/// WAL (DROP TRIGGER IF EXISTS would say so for each).
void drop_capture_triggers(const std::string& table) {
    for (const auto& t : triggers)
        if (spi::scalar("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = $1::pg_catalog.regclass::pg_catalog.oid AND tgname = $2", {table, t.name}))
            spi::exec("DROP TRIGGER " + std::string(t.name) + " ON " + table);
}

} // namespace

long long next_statement_number() {
    static long long last = 0;
    return ++last;
}

std::string buffer_name(unsigned source_relid) {
    return "pgtrickle_changes." + spi::quote_ident("changes_" + std::to_string(source_relid));
}

bool buffer_is_large(unsigned source_relid) {
    constexpr long long large_buffer_bytes = 1 << 20;
    const auto bytes = spi::prepared("SELECT pg_catalog.pg_relation_size(pg_catalog.to_regclass($1))::pg_catalog.text", 1)
                           .query({buffer_name(source_relid)});
    return !bytes.empty() && bytes[0][0] && std::stoll(*bytes[0][0]) >= large_buffer_bytes;
}

bool truncate_applied_buffer(unsigned source_relid, const std::string& horizon) {
    const std::string buffer = buffer_name(source_relid);
    const auto relid = spi::scalar("SELECT pg_catalog.to_regclass($1)::pg_catalog.oid::pg_catalog.text", {buffer});
    if (!relid || !server::lock_if_unused(static_cast<server::oid>(std::stoul(*relid)))) return false;
    const spi::snapshot now;
    if (!now.query("SELECT 1 FROM " + buffer + " b WHERE b.__pgt_xid >= $1::pg_catalog.xid8 LIMIT 1", {horizon}).empty())
        return false;
    spi::exec("TRUNCATE " + buffer);
    return true;
}

sql::tree::select pending_rows(unsigned source_relid, const std::string& b) {
    namespace t = sql::tree;
    const std::string s = b + "_s";
    const t::expr xid = t::col(b, "__pgt_xid");
    t::select frontier({t::as(t::cast(t::param(1), t::type_name::catalog("pg_snapshot")), "frontier"),
                        t::as(t::cast(t::param(2), t::type_name::catalog("xid8")), "frontier_xid"),
                        t::as(t::cast(t::param(3), t::type_name::catalog("int8")), "frontier_stmt"),
                        t::as(t::fn("pg_current_snapshot", {}), "now"), t::as(t::fn("pg_current_xact_id_if_assigned", {}), "me")});
    // A row decoded from the WAL is visible as soon as the decoding pass wrote it, whether its
    // own transaction is visible in the current snapshot or not: it waits until it is.
    const t::expr applied =
        t::any_of({t::all_of({t::is_distinct(xid, t::col(s, "frontier_xid")), t::fn("pg_visible_in_snapshot", {xid, t::col(s, "frontier")})}),
                   t::all_of({t::eq(xid, t::col(s, "frontier_xid")), t::lt(t::col(b, "__pgt_stmt"), t::col(s, "frontier_stmt"))})});
    const t::expr visible_now = t::any_of({t::is_not_distinct(xid, t::col(s, "me")), t::fn("pg_visible_in_snapshot", {xid, t::col(s, "now")})});
    t::select rows;
    rows.from(buffer_name(source_relid), b).from(t::from(frontier.offset(0), s)).where(t::all_of({t::negation(applied), visible_now}));
    return rows;
}

sql::tree::select pending_rows(unsigned source_relid, const std::string& b, sql::tree::expr condition) {
    sql::tree::select rows = pending_rows(source_relid, b);
    rows.where(sql::tree::all_of({*rows.where_condition, std::move(condition)}));
    return rows;
}

void ensure_capture(const ir::table& source) {
    const std::string relid = std::to_string(source.oid);
    const std::string buffer = buffer_name(source.oid);
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    auto captured = spi::query("SELECT unnest(captured_columns) FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid",
                               {relid});
    auto tracked = spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {relid});
    if (!tracked) {
        std::vector<std::string> cols{"__pgt_xid pg_catalog.xid8 NOT NULL", "__pgt_stmt pg_catalog.int8 NOT NULL",
                                      "__pgt_action \"char\" NOT NULL"};
        for (const auto& c : source.columns) cols.push_back(column_definition(c));
        spi::exec("CREATE TABLE " + buffer + " (" + sql::join(cols) + ")");
        auto buffer_oid = spi::scalar("SELECT $1::regclass::oid::text", {buffer});
        server::depend_on_extension("pg_class", static_cast<server::oid>(std::stoul(*buffer_oid)));
        spi::exec("INSERT INTO pgtrickle.pgt_change_tracking (source_relid, buffer_relid, captured_columns) "
                  "SELECT $1::oid, $2::oid, ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a "
                  "WHERE a.attrelid = $2::oid AND a.attnum > 3 AND NOT a.attisdropped ORDER BY a.attnum)",
                  {relid, *buffer_oid});
        for (const auto& t : triggers) create_trigger(source.oid, qualified(source), t);
        sync_partition_capture();
    } else {
        // A column added to the source since capture started: widen the buffer.
        for (const auto& c : source.columns) {
            bool present = false;
            for (const auto& r : captured) present |= r[0] == c.name;
            if (present) continue;
            spi::exec("ALTER TABLE " + buffer + " ADD COLUMN " + column_definition(c));
            spi::exec("UPDATE pgtrickle.pgt_change_tracking SET captured_columns = captured_columns || $2::text "
                      "WHERE source_relid = $1::oid",
                      {relid, c.name});
        }
    }
}

sql::tree::expr reads_all_rows(const sql::tree::expr& role, const sql::tree::expr& table) {
    namespace t = sql::tree;
    const t::expr c = t::col("rls_c", "relowner");
    t::select policies({t::integer(1)});
    policies.from("pg_catalog.pg_class", "rls_c").from("pg_catalog.pg_roles", "rls_r");
    policies.where(t::all_of({t::eq(t::col("rls_c", "oid"), table), t::eq(t::col("rls_r", "oid"), role), t::col("rls_c", "relrowsecurity"),
                              t::negation(t::col("rls_r", "rolsuper")), t::negation(t::col("rls_r", "rolbypassrls")),
                              t::any_of({t::col("rls_c", "relforcerowsecurity"), t::negation(t::fn("pg_has_role", {role, c, t::text("USAGE")}))})}));
    return t::all_of({t::fn("has_table_privilege", {role, table, t::text("SELECT")}), t::negation(t::exists(policies))});
}

void sync_buffer_grants() {
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // Wanted: (buffer, role) for each owner of a stream table reading the source who may
    // still read the source. Held: the grants each buffer has now, besides its owner's.
    // (regrole's text form is already a quoted identifier.)
    auto changes = spi::query(
        "WITH wanted AS (SELECT DISTINCT t.buffer_relid, c.relowner AS role FROM pgtrickle.pgt_change_tracking t "
        "  JOIN pgtrickle.pgt_dependencies d USING (source_relid) JOIN pgtrickle.pgt_stream_tables st USING (pgt_id) "
        "  JOIN pg_catalog.pg_class c ON c.oid = st.pgt_relid JOIN pg_catalog.pg_class b ON b.oid = t.buffer_relid "
        "  WHERE c.relowner <> b.relowner AND " + sql::tree::render(reads_all_rows(sql::tree::col("c", "relowner"), sql::tree::col("t", "source_relid"))) + "), "
        "held AS (SELECT DISTINCT t.buffer_relid, a.grantee AS role FROM pgtrickle.pgt_change_tracking t "
        "  JOIN pg_catalog.pg_class b ON b.oid = t.buffer_relid, pg_catalog.aclexplode(b.relacl) a "
        "  WHERE a.grantee <> b.relowner) "
        "SELECT 'GRANT SELECT ON ' || w.buffer_relid::regclass::text || ' TO ' || w.role::pg_catalog.regrole::text "
        "FROM wanted w WHERE (w.buffer_relid, w.role) NOT IN (SELECT * FROM held) "
        "UNION ALL SELECT 'REVOKE ALL ON ' || h.buffer_relid::regclass::text || ' FROM ' || "
        "  CASE h.role WHEN 0 THEN 'PUBLIC' ELSE h.role::pg_catalog.regrole::text END "
        "FROM held h WHERE (h.buffer_relid, h.role) NOT IN (SELECT * FROM wanted)");
    for (const auto& c : changes) spi::exec(*c[0]);
    // USAGE on the buffer schema follows: exactly the roles holding a buffer grant.
    auto schema = spi::query(
        "WITH wanted AS (SELECT DISTINCT a.grantee AS role FROM pgtrickle.pgt_change_tracking t "
        "  JOIN pg_catalog.pg_class b ON b.oid = t.buffer_relid, pg_catalog.aclexplode(b.relacl) a "
        "  WHERE a.grantee <> b.relowner), "
        "held AS (SELECT a.grantee AS role FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a "
        "  WHERE n.nspname = 'pgtrickle_changes' AND a.grantee <> n.nspowner) "
        "SELECT 'GRANT USAGE ON SCHEMA pgtrickle_changes TO ' || role::pg_catalog.regrole::text "
        "FROM wanted WHERE role NOT IN (SELECT role FROM held) "
        "UNION ALL SELECT 'REVOKE ALL ON SCHEMA pgtrickle_changes FROM ' || "
        "  CASE role WHEN 0 THEN 'PUBLIC' ELSE role::pg_catalog.regrole::text END "
        "FROM held WHERE role NOT IN (SELECT role FROM wanted)");
    for (const auto& c : schema) spi::exec(*c[0]);
}

bool sync_partition_capture() {
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // Wanted: every partition (at any level) of a captured partitioned table. Held: the tables
    // with capture triggers that are not captured sources themselves.
    const std::string wanted =
        "SELECT p.relid FROM pgtrickle.pgt_change_tracking t JOIN pg_catalog.pg_class c ON c.oid = t.source_relid, "
        "pg_catalog.pg_partition_tree(t.source_relid) p WHERE c.relkind = 'p' AND p.relid <> t.source_relid";
    const std::string held =
        "SELECT g.tgrelid AS relid FROM pg_catalog.pg_trigger g WHERE g.tgfoid = 'pgtrickle._cdc_capture'::pg_catalog.regproc::pg_catalog.oid "
        "AND g.tgrelid NOT IN (SELECT source_relid FROM pgtrickle.pgt_change_tracking)";
    auto added = spi::query("SELECT relid::int8, relid::pg_catalog.regclass::text, "
                            "(SELECT relkind = 'f' FROM pg_catalog.pg_class WHERE oid = relid) FROM (" +
                            wanted + ") w WHERE relid NOT IN (" + held + ")");
    for (const auto& r : added)
        if (r[2] == "t")
            throw error(sqlstate::feature_not_supported,
                        "pg_trickle: partition " + *r[1] + " of a captured partitioned table is a foreign table",
                        "Changes written to a foreign table cannot be captured (no triggers with transition tables).",
                        "Keep foreign tables out of partitioned tables that stream tables read.");
    auto removed = spi::query("SELECT DISTINCT relid::pg_catalog.regclass::text FROM (" + held + ") h WHERE relid NOT IN (" +
                              wanted + ")");
    for (const auto& r : added)
        for (const auto& t : triggers) create_trigger(static_cast<unsigned>(std::stoul(*r[0])), *r[1], t);
    for (const auto& r : removed) drop_capture_triggers(*r[0]);
    return !added.empty() || !removed.empty();
}

void recompute_partitioned_sources() {
    server::role_scope as_owner(server::extension_owner(), false);
    for (const auto& r : spi::query("SELECT t.source_relid::int8 FROM pgtrickle.pgt_change_tracking t "
                                    "JOIN pg_catalog.pg_class c ON c.oid = t.source_relid WHERE c.relkind = 'p'"))
        spi::exec("INSERT INTO " + buffer_name(static_cast<unsigned>(std::stoul(*r[0]))) +
                      " (__pgt_xid, __pgt_stmt, __pgt_action) SELECT pg_catalog.pg_current_xact_id(), $1::int8, 'T'",
                  {std::to_string(next_statement_number())});
}

void release_capture_if_unused(unsigned source_relid) {
    const std::string relid = std::to_string(source_relid);
    if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_dependencies WHERE source_relid = $1::oid LIMIT 1", {relid})) return;
    if (!spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {relid})) return;
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // The source may be gone already (DROP TABLE); its triggers went with it.
    if (auto table = spi::scalar("SELECT $1::oid::regclass::text FROM pg_catalog.pg_class WHERE oid = $1::oid", {relid}))
        drop_capture_triggers(*table);
    spi::exec("DROP TABLE IF EXISTS " + buffer_name(source_relid));
    spi::exec("DELETE FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {relid});
    sync_partition_capture();
}

void set_capture_triggers(unsigned source_relid, bool present) {
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    const auto table = *spi::scalar("SELECT $1::oid::regclass::text", {std::to_string(source_relid)});
    if (!present) {
        drop_capture_triggers(table);
        return;
    }
    for (const auto& t : triggers) create_trigger(source_relid, table, t);
}

std::vector<std::string> repair_capture(unsigned source_relid) {
    std::vector<std::string> repaired;
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // A source captured from the WAL has no triggers, by design.
    if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid AND cdc_mode = 'WAL'",
                    {std::to_string(source_relid)}))
        return repaired;
    // The source and, if it is partitioned, each of its partitions.
    for (const auto& r : spi::query("SELECT $1::oid::int8, $1::oid::regclass::text UNION ALL "
                                    "SELECT relid::int8, relid::regclass::text FROM pg_catalog.pg_partition_tree($1::oid) "
                                    "WHERE relid <> $1::oid",
                                    {std::to_string(source_relid)})) {
        const auto relid = static_cast<unsigned>(std::stoul(*r[0]));
        const std::string& table = *r[1];
        for (const auto& t : triggers) {
            auto state = spi::scalar("SELECT tgenabled::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1::oid AND tgname = $2",
                                     {*r[0], t.name});
            if (state && *state == "A") continue;
            if (state) {
                spi::exec("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + t.name);
                repaired.push_back("enabled trigger " + std::string(t.name) + " on " + table);
                continue;
            }
            create_trigger(relid, table, t);
            repaired.push_back("recreated trigger " + std::string(t.name) + " on " + table);
        }
    }
    return repaired;
}

} // namespace pgt::ext
