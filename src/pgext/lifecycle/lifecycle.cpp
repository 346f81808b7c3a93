#include "lifecycle/lifecycle.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "pgt/error.hpp"
#include "pgt/monotone.hpp"
#include "pgt/sql/ddl.hpp"

#include "capture/citus.hpp"
#include "lifecycle/distributed_storage.hpp"
#include "capture/capture.hpp"
#include "capture/wal_capture.hpp"
#include "catalog/catalog_oids.hpp"
#include "catalog/consumers.hpp"
#include "catalog/maintainers.hpp"
#include "catalog/server_catalog.hpp"
#include "pg/gucs.hpp"
#include "pg/settings.hpp"
#include "pg/notices.hpp"
#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"
#include "refresh/atomic_group.hpp"
#include "refresh/compiled.hpp"
#include "refresh/definition.hpp"
#include "refresh/fixpoint.hpp"
#include "refresh/refresh.hpp"

namespace pgt::ext {

namespace {

/// Writers of a source decide how to capture a statement (into the change buffer, for IMMEDIATE
/// maintenance, or both) from who reads it as of their first write in the transaction. Before
/// that changes — an IMMEDIATE reader comes, or the first reader refreshing from the buffer —
/// writers still in flight are waited for and new ones wait for this transaction: SHARE ROW
/// EXCLUSIVE, as CREATE TRIGGER takes. The full load that follows sees every write before.
void lock_out_writers(unsigned source, bool immediate) {
    const auto readers = consumers_of(source);
    if (immediate || (!readers.deferred && !readers.immediate.empty())) server::block_writers(source);
}

/// Refuses a definition that reads `relid`, the stream table's own storage: a cycle needs two.
void refuse_reading_itself(const definition& def, unsigned relid) {
    for (const auto& src : def.front.sources)
        if (src->oid == relid)
            throw error("3F000", "cycle detected in dependency graph: a stream table cannot read itself", {},
                        "A cycle (pg_trickle.allow_circular) needs two stream tables: one reading the other.");
}

/// A cycle closed by stream table `id` (stored in `relid`, defined by `def`) reading `path`'s
/// relations, `path` printed: refused unless pg_trickle.allow_circular is on and every query in
/// it is monotone (it then refreshes to a fixed point, refresh/fixpoint).
void allow_cycle(long long id, unsigned relid, const definition& def, const std::vector<unsigned>& path,
                 const std::string& printed, bool restoring) {
    const std::string cycle = "cycle detected in dependency graph: " + printed;
    if (!guc::allow_circular && !restoring)
        throw error("3F000", cycle, {},
                    "Stream tables may read each other in a cycle when pg_trickle.allow_circular is on and every query "
                    "in the cycle is monotone.");
    auto refuse = [&](const std::string& who, const std::string& why) {
        throw error("3F000", cycle + ": stream table " + who + " cannot be part of a cycle", why,
                    "A cycle refreshes to a fixed point only when every query in it is monotone: scans, filters, "
                    "projections, inner joins, UNION [ALL], INTERSECT, DISTINCT.");
    };
    auto check = [&](const std::string& who, mode m, const frontend::compile_result& front) {
        if (m == mode::immediate) refuse(who, "It is IMMEDIATE: a cycle is refreshed by the scheduler or refresh_stream_table.");
        if (!front.query) refuse(who, std::string("Its query is not maintained incrementally: ") + front.unsupported->what());
        if (auto op = non_monotone_operator(*front.query)) refuse(who, "Its query is not monotone: it uses " + *op + ".");
    };
    for (unsigned member : path) {
        if (member == relid) continue;
        const auto st = stream_table_by_relid(member);
        if (st && st->id != id) check(st->display(), st->refresh_mode, compiled_for(*st).front);
    }
    check(*spi::scalar("SELECT $1::oid::regclass::text", {std::to_string(relid)}), def.refresh_mode, def.front);
}

/// Records what the stream table reads and starts capturing it; refuses dependency cycles
/// but monotone ones that pg_trickle.allow_circular allows.
void register_sources(long long id, unsigned relid, const definition& def, bool restoring = false) {
    refuse_reading_itself(def, relid);
    // (In the order of their oids: two creations never wait for each other's.)
    std::vector<unsigned> oids;
    for (const auto& src : def.front.sources) oids.push_back(src->oid);
    std::ranges::sort(oids);
    for (unsigned oid : oids) lock_capture_of(oid);
    for (const auto& src : def.front.sources) {
        auto upstream = stream_table_by_relid(src->oid);
        if (upstream) {
            // A cycle would need `upstream` to read this stream table, directly or not.
            const auto found = spi::query(
                "WITH RECURSIVE up(relid, path) AS (SELECT $1::oid, ARRAY[$1::oid] UNION ALL "
                "SELECT d.source_relid, up.path || d.source_relid FROM up JOIN pgtrickle.pgt_stream_tables s "
                "ON s.pgt_relid = up.relid JOIN pgtrickle.pgt_dependencies d USING (pgt_id) "
                "WHERE NOT d.source_relid = ANY (up.path)) "
                "SELECT $2::oid::regclass::text || ' -> ' || "
                "pg_catalog.array_to_string(ARRAY(SELECT p::regclass::text FROM unnest(path) p), ' -> '), path::text "
                "FROM up WHERE relid = $2::oid LIMIT 1",
                {std::to_string(src->oid), std::to_string(relid)});
            if (!found.empty()) {
                std::vector<unsigned> path;
                for (const auto& p : spi::parse_text_array(*found[0][1])) path.push_back(static_cast<unsigned>(std::stoul(p)));
                allow_cycle(id, relid, def, path, *found[0][0], restoring);
            }
        }
        lock_out_writers(src->oid, def.refresh_mode == mode::immediate);
        {
            server::role_scope as_ext(server::extension_owner(), false);
            spi::exec("INSERT INTO pgtrickle.pgt_dependencies (pgt_id, source_relid, source_type) VALUES ($1::int8, "
                      "$2::oid, $3)",
                      {std::to_string(id), std::to_string(src->oid), upstream ? "STREAM_TABLE" : "TABLE"});
        }
        ensure_capture(*src);
        readers_changed(src->oid);
    }
    std::vector<unsigned> relids;
    for (const auto& src : def.front.sources) relids.push_back(src->oid);
    wal::settle(relids, true);
    sync_buffer_grants(relids);
}

void warn_all(const definition& def) {
    for (const auto& w : def.warnings) server::warning(w);
}

/// Records a TopK's limit, offset and order in the catalog row (NULL without TopK), and tells
/// the user where its whole result is kept.
void record_topk(long long id, unsigned relid, const definition& def) {
    const ir::topk* t = def.graph && def.graph->query.topk ? &*def.graph->query.topk : nullptr;
    {
        server::role_scope as_ext(server::extension_owner(), false);
        spi::exec("UPDATE pgtrickle.pgt_stream_tables SET topk_limit = $2::int8, topk_offset = $3::int8, topk_order_by = $4 "
                  "WHERE pgt_id = $1::int8",
                  {std::to_string(id), t ? spi::param{std::to_string(t->limit)} : spi::param{},
                   t ? spi::param{std::to_string(t->offset)} : spi::param{},
                   t ? spi::param{lower::topk_index_columns(*def.graph)} : spi::param{}});
    }
    if (t)
        server::notice("pg_trickle: TopK stream table: it holds the first " + std::to_string(t->limit) +
                     " rows of its query's result, " +
                     (lower::topk_keeps_prefix(*def.graph)
                          ? "whose first " + std::to_string(lower::topk_prefix_rows(*def.graph)) + " rows are kept in "
                          : "which is maintained in ") +
                     state_table(relid));
}

} // namespace

void require_writable() {
    // (Every transaction on a standby is read-only: the standby's own reason comes first.)
    if (server::in_recovery()) throw error("25006", "cannot change stream tables during recovery (on a standby)");
    if (server::read_only_transaction())
        throw error("25006", "cannot change stream tables in a read-only transaction");
}

void require_owner(const stream_table_key& st) {
    if (!server::owns_relation(st.relid)) throw error(sqlstate::insufficient_privilege, "must be owner of stream table " + st.display());
}

void set_cdc_mode(const stream_table& st, const std::string& mode) {
    const std::string m = wal::requested_mode(mode, st.refresh_mode);
    std::vector<unsigned> relids;
    {
        server::role_scope as_ext(server::extension_owner(), false);
        spi::exec("UPDATE pgtrickle.pgt_stream_tables SET requested_cdc_mode = $2, updated_at = now() WHERE pgt_id = $1::int8",
                  {std::to_string(st.id), m});
        for (const auto& r : spi::query("SELECT source_relid::int8 FROM pgtrickle.pgt_dependencies WHERE pgt_id = $1::int8",
                                        {std::to_string(st.id)}))
            relids.push_back(static_cast<unsigned>(std::stoul(*r[0])));
    }
    wal::settle(relids, true);
}

void set_status(const stream_table& st, const std::string& status) {
    maintainers::lock(st.id);
    maintainers::check_and_record(st.id);
    {
        server::role_scope as_ext(server::extension_owner(), false);
        spi::exec("UPDATE pgtrickle.pgt_stream_tables SET status = $2, updated_at = now(), consecutive_errors = "
                  "CASE WHEN $2 = 'ACTIVE' THEN 0 ELSE consecutive_errors END WHERE pgt_id = $1::int8",
                  {std::to_string(st.id), status});
    }
    // An IMMEDIATE stream table missed the changes made while it was suspended: it recomputes.
    if (st.refresh_mode == mode::immediate && st.status == st_status::suspended && status == "ACTIVE" && st.is_populated)
        refresh(st.id, initiator::manual);
}

std::vector<stream_table> dependents_of(unsigned relid) {
    std::vector<stream_table> out;
    for (const auto& r : spi::query("SELECT DISTINCT pgt_id FROM pgtrickle.pgt_dependencies WHERE source_relid = $1::oid "
                                    "ORDER BY 1",
                                    {std::to_string(relid)}))
        if (auto st = stream_table_by_id(std::stoll(*r[0]))) out.push_back(*st);
    return out;
}

void check_diamond(const std::string& consistency, const std::string& policy) {
    const auto invalid = [](const char* what, const std::string& value) {
        return error(sqlstate::invalid_parameter_value, std::string("invalid argument: invalid ") + what + " '" + value + "'");
    };
    if (consistency != "atomic" && consistency != "none") throw invalid("diamond_consistency", consistency);
    if (policy != "fastest" && policy != "slowest") throw invalid("diamond_schedule_policy", policy);
    if (consistency == "none" && policy == "slowest")
        throw error(sqlstate::invalid_parameter_value,
                    "invalid argument: diamond_schedule_policy 'slowest' requires diamond_consistency 'atomic'");
}

void create_stream_table(const std::string& name, const create_options& opts) {
    require_writable();
    check_diamond(opts.diamond_consistency, opts.diamond_schedule_policy);
    citus::one_connection_per_node();
    auto [schema, table] = split_name(name);
    if (!spi::scalar("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", {schema}))
        throw error("3F000", "schema \"" + schema + "\" does not exist");
    if (find_stream_table(name)) throw error(sqlstate::duplicate_table, "stream table already exists: " + schema + "." + table);
    const bool exists =
        spi::scalar("SELECT pg_catalog.to_regclass($1)", {spi::quote_ident(schema) + "." + spi::quote_ident(table)}).has_value();
    if (exists && !opts.adopt_storage)
        throw error(sqlstate::duplicate_table, "relation \"" + schema + "." + table + "\" already exists");

    // The query means what it means under the creator's settings, which are recorded: the same
    // whoever maintains the stream table later (see query_settings_scope).
    const auto settings = server::query_settings();
    const server::query_settings_scope in_force(settings);
    definition def = analyze(schema + "." + table, opts.query, opts.mode);
    refuse_distributed_stream_table_sources(def);
    // Citus lets no role read, in a transaction, the shards another role changed in it: capture
    // changes the sources' shards as the extension owner, so another owner's stream table is
    // populated by its first refresh, in a transaction of its own (the scheduler's next look).
    const bool populate_later =
        opts.initialize && server::current_user() != server::extension_owner() && citus::reads_citus_tables(def.front.sources);
    const bool initialize = opts.initialize && !populate_later;
    const unsigned relid = exists ? adopt_storage(schema, table, def) : create_storage(schema, table, def);
    if (opts.output_distribution_column && !exists) distribute_storage(schema, table, relid, def, *opts.output_distribution_column);
    server::depend_on(relid, def.objects);
    std::string id;
    {
        server::role_scope as_ext(server::extension_owner(), false);
        id = *spi::scalar(
            "INSERT INTO pgtrickle.pgt_stream_tables (pgt_id, pgt_relid, pgt_name, pgt_schema, defining_query, "
            "original_query, schedule, refresh_mode, requested_mode, downgrade_reason, maintenance, diamond_consistency, "
            "diamond_schedule_policy, auxiliary_columns, has_keyless_source, status, requested_cdc_mode) "
            "VALUES (COALESCE($16::int8, pg_catalog.nextval('pgtrickle.pgt_stream_tables_pgt_id_seq')), $1::oid, $2, $3, "
            "$4, $4, $5, $6, $7, NULLIF($8, ''), $9, $10, $11, $12::jsonb, $13::bool, "
            "CASE WHEN $14::bool THEN 'INITIALIZING' ELSE 'ACTIVE' END, $15) RETURNING pgt_id::text",
            {std::to_string(relid), table, schema, opts.query,
             def.refresh_mode == mode::immediate ? spi::param{} : spi::param{opts.schedule}, mode_name(def.refresh_mode),
             mode_name(def.requested_mode),
             def.downgrade_reason, def.graph ? spi::param{to_string(def.graph->strategy)} : spi::param{},
             opts.diamond_consistency, opts.diamond_schedule_policy, auxiliary_columns_json(def.layout),
             [&] {
                 for (const auto& s : def.front.sources)
                     if (s->primary_key.empty()) return "true";
                 return "false";
             }(),
             initialize ? "true" : "false", wal::requested_mode(opts.cdc_mode, def.refresh_mode),
             opts.id ? spi::param{std::to_string(*opts.id)} : spi::param{}});
    }
    record_settings(std::stoll(id), settings);
    record_topk(std::stoll(id), relid, def);
    register_sources(std::stoll(id), relid, def, opts.cycles_allowed);
    if (initialize) refresh(std::stoll(id), initiator::initial);
    if (populate_later)
        server::notice("stream table " + schema + "." + table + " reads tables distributed by Citus: it is populated by its first "
                       "refresh (the scheduler's next look, or refresh_stream_table in another transaction)");
    warn_all(def);
}

void redefine_stream_table(const stream_table& st, const std::string& query, mode requested) {
    require_writable();
    citus::one_connection_per_node();
    // IMMEDIATE maintenance of the old definition is over when this ends, and writers whose
    // snapshot predates it cannot maintain the new one from stale rows (40001).
    maintainers::lock(st.id);
    maintainers::check_and_record(st.id);
    if (st.refresh_mode == mode::immediate)
        for (const auto& r : spi::query("SELECT source_relid FROM pgtrickle.pgt_dependencies WHERE pgt_id = $1::int8",
                                        {std::to_string(st.id)}))
            lock_out_writers(static_cast<unsigned>(std::stoul(*r[0])), true);
    // A new query means what it means under the caller's settings (recorded with it); the same
    // query, what it meant under those recorded at its creation.
    const auto settings = query == st.defining_query && st.settings ? *st.settings : server::query_settings();
    const server::query_settings_scope in_force(settings);
    const definition def = analyze(st.display(), query, requested);
    // (Before the storage it reads is replaced, with its oid.)
    refuse_reading_itself(def, st.relid);
    refuse_distributed_stream_table_sources(def);
    const std::string distribution_column = storage_distribution_column(st.relid);
    const auto downstream = dependents_of(st.relid);
    if (!downstream.empty()) {
        // Downstream stream tables read this one's columns: they must stay the same.
        if (visible_columns(st) != spi::describe(query))
            throw error("42P17", "cannot change the columns of stream table " + st.display() +
                                     ": other stream tables read it",
                        {}, "Drop or redefine the dependent stream tables first.");
    }
    {
        server::internal_ddl_scope internal;
        spi::exec(sql::ddl::drop_table(st.qualified()));
    }
    drop_state_tables(st.relid);
    const unsigned relid = create_storage(st.schema, st.name, def);
    if (!distribution_column.empty()) distribute_storage(st.schema, st.name, relid, def, distribution_column);
    server::depend_on(relid, def.objects);
    record_settings(st.id, settings);
    record_topk(st.id, relid, def);
    {
        server::role_scope as_ext(server::extension_owner(), false);
        spi::exec("UPDATE pgtrickle.pgt_stream_tables SET pgt_relid = $2::oid, defining_query = $3, original_query = $3, "
                  "refresh_mode = $4, requested_mode = $5, downgrade_reason = NULLIF($6, ''), maintenance = $7, "
                  "schedule = CASE WHEN $4 = 'IMMEDIATE' THEN NULL ELSE schedule END, "
                  "auxiliary_columns = $8::jsonb, is_populated = false, needs_reinit = false, frontier_snapshot = NULL, "
                  "frontier_xid = NULL, frontier_stmt = NULL, generation = generation + 1, updated_at = now(), "
                  "status = 'INITIALIZING', consecutive_errors = 0 WHERE pgt_id = $1::int8",
                  {std::to_string(st.id), std::to_string(relid), query, mode_name(def.refresh_mode), mode_name(def.requested_mode),
                   def.downgrade_reason, def.graph ? spi::param{to_string(def.graph->strategy)} : spi::param{},
                   auxiliary_columns_json(def.layout)});
        for (const auto& r : spi::query("DELETE FROM pgtrickle.pgt_dependencies WHERE pgt_id = $1::int8 RETURNING source_relid",
                                        {std::to_string(st.id)}))
            readers_changed(static_cast<unsigned>(std::stoul(*r[0])));
        if (!downstream.empty()) {
            // Downstream stream tables now read the new storage; they start over with a full refresh.
            spi::exec(sql::ddl::drop_table(buffer_name(st.relid)));
            spi::exec("DELETE FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", {std::to_string(st.relid)});
            spi::exec("UPDATE pgtrickle.pgt_dependencies SET source_relid = $2::oid WHERE source_relid = $1::oid",
                      {std::to_string(st.relid), std::to_string(relid)});
            spi::exec("UPDATE pgtrickle.pgt_stream_tables SET needs_reinit = true, generation = generation + 1 "
                      "WHERE pgt_id IN (SELECT pgt_id FROM pgtrickle.pgt_dependencies WHERE source_relid = $1::oid)",
                      {std::to_string(relid)});
        }
    }
    forget_compiled(st.id);
    register_sources(st.id, relid, def);
    number_cycles();
    if (!downstream.empty()) ensure_capture(*server_catalog().relation_by_oid(relid)->table);
    for (const auto& r : spi::query("SELECT DISTINCT source_relid FROM pgtrickle.pgt_change_tracking t WHERE NOT EXISTS "
                                    "(SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = t.source_relid) ORDER BY 1"))
        release_capture_if_unused(static_cast<unsigned>(std::stoul(*r[0])));
    sync_buffer_grants();
    // (In a cycle now, or a diamond: with the others, to one snapshot.)
    if (const auto group = atomic_group_of(st.id); group.empty())
        refresh(st.id, initiator::initial);
    else
        refresh_group(group, initiator::initial, nullptr);
    warn_all(def);
}

namespace {

/// Drops `st` and, with `cascade`, what reads it; `dropping`: those being dropped already
/// (a cycle leads back to them).
void drop_with_readers(const stream_table& st, bool cascade, std::set<long long>& dropping) {
    require_writable();
    require_owner(st);
    maintainers::lock(st.id);
    maintainers::check_and_record(st.id);
    dropping.insert(st.id);
    auto downstream = dependents_of(st.relid);
    std::erase_if(downstream, [&](const stream_table& d) { return dropping.contains(d.id); });
    if (!downstream.empty() && !cascade) {
        std::string names;
        for (const auto& d : downstream) names += (names.empty() ? "" : ", ") + d.display();
        throw error("2BP01", "cannot drop stream table " + st.display() + " because other stream tables depend on it",
                    "stream tables reading it: " + names, "Use pgtrickle.drop_stream_table(name, cascade => true).");
    }
    for (const auto& d : downstream) drop_with_readers(d, true, dropping);
    // In the order of their oids, as a WAL decoding pass locks their buffers (see wal_capture).
    auto sources = spi::query("SELECT source_relid FROM pgtrickle.pgt_dependencies WHERE pgt_id = $1::int8 ORDER BY 1",
                              {std::to_string(st.id)});
    {
        server::internal_ddl_scope internal;
        spi::exec(sql::ddl::drop_table(st.qualified(), true));
    }
    drop_state_tables(st.relid);
    {
        server::role_scope as_ext(server::extension_owner(), false);
        spi::exec("DELETE FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8", {std::to_string(st.id)});
    }
    forget_compiled(st.id);
    for (const auto& s : sources) readers_changed(static_cast<unsigned>(std::stoul(*s[0])));
    for (const auto& s : sources) release_capture_if_unused(static_cast<unsigned>(std::stoul(*s[0])));
    release_capture_if_unused(st.relid);
    sync_buffer_grants();
}

} // namespace

void drop_stream_table(const stream_table& st, bool cascade) {
    citus::one_connection_per_node();
    // (A drop breaks cycles and makes none: without one, nothing to number again.)
    const bool cycles = stream_table_catalog_oids().has_refresh_groups &&
                        spi::scalar("SELECT EXISTS (SELECT FROM pgtrickle.pgt_stream_tables WHERE scc_id IS NOT NULL)") == "t";
    std::set<long long> dropping;
    drop_with_readers(st, cascade, dropping);
    if (cycles) number_cycles();
}

} // namespace pgt::ext
