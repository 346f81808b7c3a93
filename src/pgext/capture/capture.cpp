#include "capture/capture.hpp"

#include "capture/buffer_writer.hpp"
#include "capture/citus.hpp"

#include "pgt/error.hpp"
#include "pgt/sql/ddl.hpp"

#include "pg/pending_scan.hpp"
#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

namespace t = sql::tree;

struct trigger_spec {
    const char* name;
    const char* event;
    const char* old_table; ///< the transition tables it references ("": none)
    const char* new_table;
};
// One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
constexpr trigger_spec triggers[] = {
    {"pg_trickle_cdc_ins", "INSERT", "", "__pgt_new"},
    {"pg_trickle_cdc_upd", "UPDATE", "__pgt_old", "__pgt_new"},
    {"pg_trickle_cdc_del", "DELETE", "__pgt_old", ""},
    {"pg_trickle_cdc_trunc", "TRUNCATE", "", ""},
};

std::string qualified(const ir::table& source) { return spi::quote_ident(source.schema) + "." + spi::quote_ident(source.name); }

/// Creates one capture trigger; DROP EXTENSION drops it with the extension. Replaces a trigger
/// of that name left behind (restored by pg_dump without pg_trickle's catalog). It fires ALWAYS:
/// also for changes made with session_replication_role = replica (which bulk loads and
/// replication tools set to skip user triggers and foreign keys), otherwise missed.
void create_trigger(unsigned relid, const std::string& table, const trigger_spec& trigger) {
    spi::exec(sql::ddl::create_statement_trigger(trigger.name, "AFTER", trigger.event, table, "pgtrickle._cdc_capture",
                                                 {trigger.old_table, trigger.new_table}));
    spi::exec(sql::ddl::enable_always_trigger(table, trigger.name));
    auto oid = spi::scalar("SELECT oid::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1::oid AND tgname = $2",
                           {std::to_string(relid), trigger.name});
    server::depend_on_extension("pg_trigger", static_cast<server::oid>(std::stoul(*oid)));
}

/// Drops the capture triggers `table` (a regclass text) has: none for a source captured from the
/// WAL (DROP TRIGGER IF EXISTS would say so for each).
void drop_capture_triggers(const std::string& table) {
    for (const auto& trigger : triggers)
        if (spi::scalar("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = $1::pg_catalog.regclass::pg_catalog.oid AND tgname = $2",
                        {table, trigger.name}))
            spi::exec(sql::ddl::drop_trigger(trigger.name, table));
}

/// `CAST(CAST(x AS pg_catalog.type) AS pg_catalog.text)`: an oid's name (regclass, regrole).
t::expr name_of(t::expr x, std::string_view type) {
    return t::cast(t::cast(std::move(x), t::type_name::catalog(type)), t::type_name::catalog("text"));
}

/// `left JOIN table alias ON condition`.
t::relation join_on(t::relation left, std::string table, std::string alias, t::expr condition) {
    return t::join(std::move(left), t::join_kind::inner, t::from(std::move(table), std::move(alias)), std::move(condition));
}

/// `(NOT (x OPERATOR(pg_catalog.=) ANY (q)))`: x NOT IN (q).
t::expr not_in(t::expr x, t::query q) { return t::negation(t::quantified("=", std::move(x), true, std::move(q))); }

/// The grants the buffers have besides their owners', one row for each (t: the tracking row,
/// a: aclexplode's grant); the caller chooses the items. DISTINCT.
t::select buffer_grants() {
    t::select grants;
    grants.distinct = true;
    grants.from(join_on(t::from("pgtrickle.pgt_change_tracking", "t"), "pg_catalog.pg_class", "b",
                        t::eq(t::col("b", "oid"), t::col("t", "buffer_relid"))))
        .from(t::from_function(t::fn("aclexplode", {t::col("b", "relacl")}), "a"))
        .where(t::ne(t::col("a", "grantee"), t::col("b", "relowner")));
    return grants;
}

/// Rows (grant? as bool, the role's name or NULL for PUBLIC[, the buffer's name]) that turn
/// the grants `held` into those `wanted`: queries of the same columns, `buffer_relid` when
/// `per_buffer`, and `role`.
t::query grant_changes(t::query wanted, t::query held, bool per_buffer) {
    const auto side = [per_buffer](const std::string& from, const std::string& alias, const std::string& other, bool grant) {
        const t::expr role = t::col(alias, "role");
        t::expr name = name_of(role, "regrole");
        if (!grant) name = t::case_when({{t::eq(role, t::integer(0)), t::null()}}, name); // 0: PUBLIC
        t::select changes({t::boolean(grant), name});
        t::expr key = role;
        if (per_buffer) {
            changes.items.emplace_back(name_of(t::col(alias, "buffer_relid"), "regclass"));
            key = t::row({t::col(alias, "buffer_relid"), role});
        }
        changes.from(from, alias).where(not_in(key, t::select({t::all("")}).from(other, "")));
        return changes;
    };
    return t::with({{"wanted", std::move(wanted)}, {"held", std::move(held)}},
                   t::union_all({side("wanted", "w", "held", true), side("held", "h", "wanted", false)}));
}

} // namespace

long long next_statement_number() {
    static long long last = 0;
    return ++last;
}

sql::ddl::column_definition buffer_column(const ir::table& source, const ir::column& c) {
    return {c.name, c.type.name, false, server::column_collation(source.oid, c.name.c_str())};
}

std::string buffer_name(unsigned source_relid) {
    return "pgtrickle_changes." + spi::quote_ident("changes_" + std::to_string(source_relid));
}

long long buffer_bytes(unsigned source_relid) {
    // (Read from the relation, not by a statement: every refresh that applied something asks.)
    const unsigned buffer = buffer_of(source_relid);
    return buffer == 0 ? 0 : server::main_fork_bytes(buffer);
}

bool buffer_is_large(unsigned source_relid) {
    constexpr long long large_buffer_bytes = 1 << 20;
    return buffer_bytes(source_relid) >= large_buffer_bytes;
}

bool truncate_applied_buffer(unsigned source_relid, const std::string& horizon, const std::function<bool(const pg::buffer_contents&)>& pays) {
    const std::string buffer = buffer_name(source_relid);
    const unsigned relid = buffer_of(source_relid);
    if (relid == 0 || !server::lock_if_unused(static_cast<server::oid>(relid))) return false;
    // (The lock keeps writers out: none is in progress, none can start.)
    const auto stored = pg::row_versions_below(relid, std::stoull(horizon));
    if (!stored || !pays(*stored)) {
        // (Writers need not wait for the trim's deletion, nor for this transaction's end.)
        server::release_unused_lock(static_cast<server::oid>(relid));
        return false;
    }
    spi::exec(sql::ddl::truncate(buffer));
    return true;
}

emptying empty_applied_buffer(unsigned source_relid, const std::function<std::optional<std::string>()>& horizon) {
    const unsigned relid = buffer_of(source_relid);
    if (relid == 0) return emptying::kept;
    if (!server::lock_if_unused(static_cast<server::oid>(relid))) return emptying::busy;
    // (Read under the lock: no writer is in progress, so every row it will ever hold below the
    // horizon is stored.)
    const auto below = horizon();
    if (!below || !pg::row_versions_below(relid, std::stoull(*below))) {
        server::release_unused_lock(static_cast<server::oid>(relid));
        return emptying::kept;
    }
    server::empty_in_place(static_cast<server::oid>(relid));
    return emptying::done;
}

sql::tree::select pending_rows(unsigned source_relid, const std::string& b) {
    const std::string s = b + "_s";
    const t::expr xid = t::col(b, "__pgt_xid");
    const t::expr frontier = t::cast(t::param(1), t::type_name::catalog("pg_snapshot"));
    t::select one_row({t::as(frontier, "frontier"), t::as(t::cast(t::param(2), t::type_name::catalog("xid8")), "frontier_xid"),
                       t::as(t::cast(t::param(3), t::type_name::catalog("int8")), "frontier_stmt"),
                       t::as(t::fn("pg_current_snapshot", {}), "now"), t::as(t::fn("pg_current_xact_id_if_assigned", {}), "me"),
                       t::as(t::fn("pg_snapshot_xmin", {frontier}), "frontier_xmin"), t::as(t::fn("pg_snapshot_xmax", {frontier}), "frontier_xmax"),
                       t::as(t::fn("pg_snapshot_xmin", {t::fn("pg_current_snapshot", {})}), "now_xmin")});
    const t::expr frontier_xid = t::col(s, "frontier_xid");
    // A row decoded from the WAL is visible as soon as the decoding pass wrote it, whether its
    // own transaction is visible in the current snapshot or not: it waits until it is.
    // (The comparisons with the snapshots' bounds decide most rows without a call of
    // pg_visible_in_snapshot, which answers the same there: a transaction below a snapshot's
    // xmin is visible in it, one from its xmax on is not.)
    const t::expr applied = t::any_of(
        {t::all_of({t::is_distinct(xid, frontier_xid), t::lt(xid, t::col(s, "frontier_xmax")), t::fn("pg_visible_in_snapshot", {xid, t::col(s, "frontier")})}),
         t::all_of({t::eq(xid, frontier_xid), t::lt(t::col(b, "__pgt_stmt"), t::col(s, "frontier_stmt"))})});
    const t::expr below_frontier = t::all_of({t::lt(xid, t::col(s, "frontier_xmin")), t::ne(xid, frontier_xid)}); // applied
    const t::expr visible_now = t::any_of({t::lt(xid, t::col(s, "now_xmin")), t::is_not_distinct(xid, t::col(s, "me")),
                                           t::fn("pg_visible_in_snapshot", {xid, t::col(s, "now")})});
    // Most records are written after the frontier's snapshot by a transaction that ended before
    // the current one's xmin, and not by the frontier's own: pending and visible, told by three
    // comparisons (the whole rule below agrees on them, and decides the rest).
    const t::expr recent = t::all_of({t::ge(xid, t::col(s, "frontier_xmax")), t::lt(xid, t::col(s, "now_xmin")),
                                      t::is_distinct(xid, frontier_xid)});
    t::select rows;
    rows.from(buffer_name(source_relid), b)
        .from(t::from(one_row.offset(0), s))
        .where(t::any_of({recent, t::all_of({t::negation(below_frontier), t::negation(applied), visible_now})}));
    return rows;
}

sql::tree::select pending_rows(unsigned source_relid, const std::string& b, sql::tree::expr condition) {
    sql::tree::select rows = pending_rows(source_relid, b);
    rows.where(sql::tree::all_of({*rows.where_condition, std::move(condition)}));
    return rows;
}

void lock_capture_of(unsigned source_relid) {
    // ('pgtc' in the high half of the key, the oid in the low half.)
    const long long key = (0x70677463LL << 32) | source_relid;
    spi::prepared("SELECT pg_catalog.pg_advisory_xact_lock($1::pg_catalog.int8)", 1).execute({std::to_string(key)});
}

void ensure_capture(const ir::table& source) {
    lock_capture_of(source.oid);
    if (const auto where = citus::placement_of(source.oid); where.kind != citus::placement::local) return citus::ensure_capture(source, where);
    const std::string relid = std::to_string(source.oid);
    const std::string buffer = buffer_name(source.oid);
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    auto captured = spi::query("SELECT unnest(captured_columns) FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid",
                               {relid});
    auto tracked = spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {relid});
    if (!tracked) {
        std::vector<sql::ddl::column_definition> cols{
            {"__pgt_xid", "pg_catalog.xid8", true}, {"__pgt_stmt", "pg_catalog.int8", true}, {"__pgt_action", "\"char\"", true}};
        for (const auto& c : source.columns) cols.push_back(buffer_column(source, c));
        spi::exec(sql::ddl::create_table(buffer, cols));
        auto buffer_oid = spi::scalar("SELECT $1::regclass::oid::text", {buffer});
        server::depend_on_extension("pg_class", static_cast<server::oid>(std::stoul(*buffer_oid)));
        spi::exec("INSERT INTO pgtrickle.pgt_change_tracking (source_relid, buffer_relid, captured_columns) "
                  "SELECT $1::oid, $2::oid, ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a "
                  "WHERE a.attrelid = $2::oid AND a.attnum > 3 AND NOT a.attisdropped ORDER BY a.attnum)",
                  {relid, *buffer_oid});
        for (const auto& trigger : triggers) create_trigger(source.oid, qualified(source), trigger);
        sync_partition_capture();
    } else {
        // A column added to the source since capture started: widen the buffer.
        for (const auto& c : source.columns) {
            bool present = false;
            for (const auto& r : captured) present |= r[0] == c.name;
            if (present) continue;
            spi::exec(sql::ddl::add_column(buffer, buffer_column(source, c)));
            spi::exec("UPDATE pgtrickle.pgt_change_tracking SET captured_columns = captured_columns || $2::text "
                      "WHERE source_relid = $1::oid",
                      {relid, c.name});
        }
    }
}

sql::tree::expr reads_all_rows(const sql::tree::expr& role, const sql::tree::expr& table) {
    const t::expr c = t::col("rls_c", "relowner");
    t::select policies({t::integer(1)});
    policies.from("pg_catalog.pg_class", "rls_c").from("pg_catalog.pg_roles", "rls_r");
    policies.where(t::all_of({t::eq(t::col("rls_c", "oid"), table), t::eq(t::col("rls_r", "oid"), role), t::col("rls_c", "relrowsecurity"),
                              t::negation(t::col("rls_r", "rolsuper")), t::negation(t::col("rls_r", "rolbypassrls")),
                              t::any_of({t::col("rls_c", "relforcerowsecurity"), t::negation(t::fn("pg_has_role", {role, c, t::text("USAGE")}))})}));
    return t::all_of({t::fn("has_table_privilege", {role, table, t::text("SELECT")}), t::negation(t::exists(policies))});
}

void sync_buffer_grants(const std::vector<unsigned>& sources) {
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // Wanted: (buffer, role) for each owner of a stream table reading the source who may
    // still read the source. Held: the grants each buffer has now, besides its owner's.
    t::select wanted({t::col("t", "buffer_relid"), t::as(t::col("c", "relowner"), "role")});
    wanted.distinct = true;
    t::relation readers = t::from("pgtrickle.pgt_change_tracking", "t");
    readers = join_on(readers, "pgtrickle.pgt_dependencies", "d", t::eq(t::col("d", "source_relid"), t::col("t", "source_relid")));
    readers = join_on(readers, "pgtrickle.pgt_stream_tables", "st", t::eq(t::col("st", "pgt_id"), t::col("d", "pgt_id")));
    readers = join_on(readers, "pg_catalog.pg_class", "c", t::eq(t::col("c", "oid"), t::col("st", "pgt_relid")));
    wanted.from(join_on(readers, "pg_catalog.pg_class", "b", t::eq(t::col("b", "oid"), t::col("t", "buffer_relid"))));
    const bool some = !sources.empty();
    const t::expr among_sources =
        some ? t::equals_any(t::col("t", "source_relid"), t::rendered_query("SELECT pg_catalog.unnest($1::pg_catalog.oid[])"))
             : t::boolean(true);
    wanted.where(t::all_of({t::ne(t::col("c", "relowner"), t::col("b", "relowner")),
                            reads_all_rows(t::col("c", "relowner"), t::col("t", "source_relid")), among_sources}));
    t::select held = buffer_grants();
    held.items = {t::col("t", "buffer_relid"), t::as(t::col("a", "grantee"), "role")};
    held.where(t::all_of({*held.where_condition, among_sources}));
    const auto changes = spi::query(t::render(grant_changes(wanted, held, true)),
                                    some ? std::vector<spi::param>{spi::integer_array(sources)} : std::vector<spi::param>{});
    for (const auto& c : changes)
        spi::exec(c[0] == "t" ? sql::ddl::grant_select(*c[2], *c[1]) : sql::ddl::revoke_all(*c[2], c[1]));
    if (some && changes.empty()) return; // (the schema's USAGE follows the buffers' grants: none changed)
    // USAGE on the buffer schema follows: exactly the roles holding a buffer grant.
    t::select grantees = buffer_grants();
    grantees.items = {t::as(t::col("a", "grantee"), "role")};
    t::select schema_grants({t::as(t::col("a", "grantee"), "role")});
    schema_grants.from("pg_catalog.pg_namespace", "n").from(t::from_function(t::fn("aclexplode", {t::col("n", "nspacl")}), "a"));
    schema_grants.where(t::all_of({t::eq(t::col("n", "nspname"), t::text("pgtrickle_changes")),
                                   t::ne(t::col("a", "grantee"), t::col("n", "nspowner"))}));
    for (const auto& c : spi::query(t::render(grant_changes(grantees, schema_grants, false))))
        spi::exec(c[0] == "t" ? sql::ddl::grant_schema_usage("pgtrickle_changes", *c[1])
                              : sql::ddl::revoke_all_on_schema("pgtrickle_changes", c[1]));
}

bool sync_partition_capture() {
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // Wanted: every partition (at any level) of a captured partitioned table. Held: the tables
    // with capture triggers that are not captured sources themselves.
    t::select wanted({t::col("p", "relid")});
    wanted.from(join_on(t::from("pgtrickle.pgt_change_tracking", "t"), "pg_catalog.pg_class", "c",
                        t::eq(t::col("c", "oid"), t::col("t", "source_relid"))))
        .from(t::from_function(t::fn("pg_partition_tree", {t::col("t", "source_relid")}), "p"))
        .where(t::all_of({t::eq(t::col("c", "relkind"), t::text("p")), t::ne(t::col("p", "relid"), t::col("t", "source_relid"))}));
    const t::expr capture_function =
        t::cast(t::cast(t::text("pgtrickle._cdc_capture"), t::type_name::catalog("regproc")), t::type_name::catalog("oid"));
    t::select held({t::as(t::col("g", "tgrelid"), "relid")});
    held.from("pg_catalog.pg_trigger", "g")
        .where(t::all_of({t::eq(t::col("g", "tgfoid"), capture_function),
                          not_in(t::col("g", "tgrelid"),
                                 t::select({t::col("u", "source_relid")}).from("pgtrickle.pgt_change_tracking", "u"))}));
    t::select foreign({t::eq(t::col("k", "relkind"), t::text("f"))});
    foreign.from("pg_catalog.pg_class", "k").where(t::eq(t::col("k", "oid"), t::col("w", "relid")));
    t::select adding(
        {t::cast(t::col("w", "relid"), t::type_name::catalog("int8")), name_of(t::col("w", "relid"), "regclass"), t::scalar(foreign)});
    adding.from(t::from(wanted, "w")).where(not_in(t::col("w", "relid"), held));
    auto added = spi::query(t::render(adding));
    for (const auto& r : added)
        if (r[2] == "t")
            throw error(sqlstate::feature_not_supported,
                        "pg_trickle: partition " + *r[1] + " of a captured partitioned table is a foreign table",
                        "Changes written to a foreign table cannot be captured (no triggers with transition tables).",
                        "Keep foreign tables out of partitioned tables that stream tables read.");
    t::select removing({name_of(t::col("h", "relid"), "regclass")});
    removing.distinct = true;
    removing.from(t::from(held, "h")).where(not_in(t::col("h", "relid"), wanted));
    auto removed = spi::query(t::render(removing));
    for (const auto& r : added)
        for (const auto& trigger : triggers) create_trigger(static_cast<unsigned>(std::stoul(*r[0])), *r[1], trigger);
    for (const auto& r : removed) drop_capture_triggers(*r[0]);
    return !added.empty() || !removed.empty();
}

void recompute_partitioned_sources() {
    server::role_scope as_owner(server::extension_owner(), false);
    for (const auto& r : spi::query("SELECT t.source_relid::int8 FROM pgtrickle.pgt_change_tracking t "
                                    "JOIN pg_catalog.pg_class c ON c.oid = t.source_relid WHERE c.relkind = 'p'")) {
        const t::select marker({t::fn("pg_current_xact_id", {}), t::cast(t::param(1), t::type_name::catalog("int8")), t::text("T")});
        const t::insert insert{buffer_name(static_cast<unsigned>(std::stoul(*r[0]))), {"__pgt_xid", "__pgt_stmt", "__pgt_action"},
                               marker, {}};
        spi::exec(t::render(insert), {std::to_string(next_statement_number())});
    }
}

void release_capture_if_unused(unsigned source_relid) {
    lock_capture_of(source_relid);
    citus::release_capture_if_unused(source_relid);
    const std::string relid = std::to_string(source_relid);
    if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_dependencies WHERE source_relid = $1::oid LIMIT 1", {relid})) return;
    if (!spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {relid})) return;
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // The source may be gone already (DROP TABLE); its triggers went with it.
    if (auto table = spi::scalar("SELECT $1::oid::regclass::text FROM pg_catalog.pg_class WHERE oid = $1::oid", {relid}))
        drop_capture_triggers(*table);
    spi::exec(sql::ddl::drop_table(buffer_name(source_relid), true));
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
    for (const auto& trigger : triggers) create_trigger(source_relid, table, trigger);
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
        for (const auto& trigger : triggers) {
            auto state = spi::scalar("SELECT tgenabled::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1::oid AND tgname = $2",
                                     {*r[0], trigger.name});
            if (state && *state == "A") continue;
            if (state) {
                spi::exec(sql::ddl::enable_always_trigger(table, trigger.name));
                repaired.push_back("enabled trigger " + std::string(trigger.name) + " on " + table);
                continue;
            }
            create_trigger(relid, table, trigger);
            repaired.push_back("recreated trigger " + std::string(trigger.name) + " on " + table);
        }
    }
    return repaired;
}

} // namespace pgt::ext
