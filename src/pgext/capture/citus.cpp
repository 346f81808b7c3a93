#include "capture/citus.hpp"

#include <algorithm>

#include "pgt/error.hpp"
#include "pgt/sql/ddl.hpp"
#include "pgt/sql/tree.hpp"

#include "capture/capture.hpp"
#include "pg/gucs.hpp"
#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"
#include "pg/transactions.hpp"

namespace pgt::ext::citus {

namespace {

namespace t = sql::tree;

const t::type_name int8 = t::type_name::catalog("int8");

/// The capture function of every Citus source (its oid on the coordinator is the trigger's
/// argument): run on the node of the shard placement whose trigger fired (TG_TABLE_NAME is the
/// shard's name, `<table>_<shard id>`), it appends the statement's old and new rows to the
/// buffer's shard with the same hash range (the one a reference table has), a table on that
/// node, with the columns the source still has. Written directly, without Citus's planner, which
/// routes no write from within a trigger; as the extension owner. Not a function of the
/// extension: Citus refuses triggers on its tables that depend on one.
constexpr const char* capture_function_sql = R"(CREATE OR REPLACE FUNCTION pgtrickle_dist.capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET citus.enable_manual_changes_to_shards = on AS $pgt$
DECLARE
    buffer text := 'changes_' || TG_ARGV[0];
    shard regclass;
    columns text;
BEGIN
    SELECT pg_catalog.format('%I.%I', 'pgtrickle_dist', buffer || '_' || b.shardid)::pg_catalog.regclass INTO shard
      FROM pg_catalog.pg_dist_shard s JOIN pg_catalog.pg_dist_shard b
        ON b.logicalrelid = pg_catalog.format('%I.%I', 'pgtrickle_dist', buffer)::pg_catalog.regclass
       AND b.shardminvalue IS NOT DISTINCT FROM s.shardminvalue
     WHERE s.shardid = pg_catalog.substring(TG_TABLE_NAME, '_([0-9]+)$')::pg_catalog.int8;
    IF shard IS NULL THEN
        RAISE EXCEPTION 'pg_trickle: no change buffer shard for %', TG_TABLE_NAME USING ERRCODE = 'XX000';
    END IF;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(b.attname), ', ' ORDER BY b.attnum) INTO columns
      FROM pg_catalog.pg_attribute b JOIN pg_catalog.pg_attribute s
        ON s.attrelid = TG_RELID AND s.attname = b.attname AND s.attnum > 0 AND NOT s.attisdropped
     WHERE b.attrelid = shard AND b.attnum > 0 AND NOT b.attisdropped AND b.attname NOT LIKE '\_\_pgt\_%';
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE pg_catalog.format('INSERT INTO %s (__pgt_action, %s) SELECT %L, %s FROM __pgt_old', shard, columns, 'D', columns);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        EXECUTE pg_catalog.format('INSERT INTO %s (__pgt_action, %s) SELECT %L, %s FROM __pgt_new', shard, columns, 'I', columns);
    END IF;
    RETURN NULL;
END
$pgt$)";

/// Its TRUNCATE function: on the coordinator (Citus keeps TRUNCATE triggers there), every reader
/// of the source reinitialises at its next refresh.
constexpr const char* truncate_function_sql = R"(CREATE OR REPLACE FUNCTION pgtrickle_dist.truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pgt$
BEGIN
    UPDATE pgtrickle.pgt_stream_tables SET needs_reinit = true
     WHERE pgt_id IN (SELECT pgt_id FROM pgtrickle.pgt_dependencies WHERE source_relid = TG_ARGV[0]::pg_catalog.oid);
    RETURN NULL;
END
$pgt$)";

struct trigger_spec {
    const char* name;
    const char* event;
    const char* old_table;
    const char* new_table;
    const char* function;
};
// One per event: transition tables are allowed only on single-event triggers.
constexpr trigger_spec triggers[] = {
    {"pg_trickle_citus_ins", "INSERT", "", "__pgt_new", "pgtrickle_dist.capture"},
    {"pg_trickle_citus_upd", "UPDATE", "__pgt_old", "__pgt_new", "pgtrickle_dist.capture"},
    {"pg_trickle_citus_del", "DELETE", "__pgt_old", "", "pgtrickle_dist.capture"},
    {"pg_trickle_citus_trunc", "TRUNCATE", "", "", "pgtrickle_dist.truncated"},
};

std::string qualified(const ir::table& source) { return spi::quote_ident(source.schema) + "." + spi::quote_ident(source.name); }
std::string regclass_text(unsigned relid) { return *spi::scalar("SELECT $1::pg_catalog.oid::pg_catalog.regclass::text", {std::to_string(relid)}); }


t::expr batch(const std::string& alias) { return t::col(alias, "__pgt_batch"); }

/// How many applied batches a buffer keeps before they are deleted (record_applied).
constexpr long long trim_batches = 16;

} // namespace

bool installed() { return !spi::prepared("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus'", 0).query({}).empty(); }

bool reads_citus_tables(const std::vector<ir::table_ptr>& sources) {
    return std::ranges::any_of(sources, [](const ir::table_ptr& s) { return placement_of(s->oid).kind != placement::local; });
}

void one_connection_per_node() {
    if (installed()) server::set_local("citus.multi_shard_modify_mode", "sequential");
}

table_placement placement_of(unsigned relid) {
    if (!installed()) return {};
    const auto r = spi::prepared("SELECT p.partmethod::text, p.repmodel::text, "
                                 "CASE WHEN p.partmethod = 'h' THEN pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END, "
                                 "p.colocationid::text FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid = $1::pg_catalog.oid",
                                 1)
                       .query({std::to_string(relid)});
    if (r.empty()) return {};
    if (r[0][0] == "h") return {placement::distributed, *r[0][2], std::stoll(*r[0][3])};
    if (r[0][0] == "n" && r[0][1] == "t") return {placement::reference, {}};
    return {placement::other, {}};
}

const ir::column* column_named(const ir::table& source, const std::string& name) {
    if (name.empty()) return nullptr;
    const auto it = std::find_if(source.columns.begin(), source.columns.end(), [&](const ir::column& c) { return c.name == name; });
    return it == source.columns.end() ? nullptr : &*it;
}

std::string buffer_name(unsigned relid) { return "pgtrickle_dist." + spi::quote_ident("changes_" + std::to_string(relid)); }

bool any_captured(const std::vector<unsigned>& relids) {
    if (relids.empty() || server::relation_oid_if_any("pgtrickle", "pgt_citus_sources") == 0) return false;
    return !spi::prepared("SELECT 1 FROM pgtrickle.pgt_citus_sources WHERE source_relid = ANY ($1::pg_catalog.oid[]) LIMIT 1", 1)
                .query({spi::integer_array(relids)})
                .empty();
}

bool captured(unsigned relid) { return any_captured({relid}); }

namespace {
/// A large change is read from the buffer by the refresh's delta, as the stream table's owner:
/// the role creating a stream table over `relid` (as the buffers of local sources, readable by
/// the owners of their readers; a role that may read every row of the source, which its
/// creation checked).
void grant_buffer(unsigned relid, const std::string& role) {
    spi::exec(sql::ddl::grant_schema_usage("pgtrickle_dist", spi::quote_ident(role)));
    spi::exec(sql::ddl::grant_select(buffer_name(relid), spi::quote_ident(role)));
}
} // namespace

void ensure_capture(const ir::table& source, const table_placement& where) {
    if (where.kind != placement::distributed && where.kind != placement::reference)
        throw error(sqlstate::feature_not_supported,
                    "unsupported source: " + qualified(source) + " is a Citus table that is neither distributed by a column nor a reference table",
                    {}, "Distribute it with create_distributed_table or make it a reference table with create_reference_table.");
    if (server::relation_oid_if_any("pgtrickle", "pgt_citus_sources") == 0)
        throw error(sqlstate::feature_not_supported, "sources distributed by Citus need pg_trickle 0.3.0's catalog", {},
                    "Run ALTER EXTENSION pg_trickle UPDATE.");
    const std::string relid = std::to_string(source.oid);
    const std::string buffer = buffer_name(source.oid);
    const std::string reader = *spi::scalar("SELECT CURRENT_USER::text");
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    if (captured(source.oid)) {
        grant_buffer(source.oid, reader);
        // A column added to the source since: the buffer follows (the capture function takes
        // the columns both have).
        const auto buffer_oid = static_cast<server::oid>(std::stoul(*spi::scalar("SELECT $1::pg_catalog.regclass::pg_catalog.oid::text", {buffer})));
        for (const auto& c : source.columns)
            if (!server::has_column(buffer_oid, c.name.c_str())) spi::exec(sql::ddl::add_column(buffer, buffer_column(source, c)));
        return;
    }
    if (!spi::scalar("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'pgtrickle_dist'")) spi::exec("CREATE SCHEMA pgtrickle_dist");
    std::vector<sql::ddl::column_definition> cols{
        {"__pgt_batch", "pg_catalog.int8", false}, {"__pgt_action", "\"char\"", true}, {"__pgt_at", "pg_catalog.timestamptz", false}};
    for (const auto& c : source.columns) cols.push_back(buffer_column(source, c));
    spi::exec(sql::ddl::create_table(buffer, cols));
    // (Shard moves copy co-located tables without blocking writes only when each has a
    // replica identity.)
    spi::exec(sql::ddl::replica_identity(buffer));
    // When each row was captured (on its node's clock): monitoring's lag per node.
    spi::exec(sql::ddl::column_default(buffer, "__pgt_at", "pg_catalog.now()"));
    if (where.kind == placement::distributed)
        spi::exec("SELECT pg_catalog.create_distributed_table($1::pg_catalog.regclass, $2, colocate_with => $3)",
                  {buffer, where.column, qualified(source)});
    else
        spi::exec("SELECT pg_catalog.create_reference_table($1::pg_catalog.regclass)", {buffer});
    spi::exec(capture_function_sql);
    spi::exec(truncate_function_sql);
    // Triggers on a distributed table are created on every shard placement, and by Citus on
    // those it makes later (shard moves, new nodes): it calls them unsafe, as it cannot check
    // what they do. Plain ENABLE: a shard move's catch-up runs as replica and is not captured
    // again.
    const server::guc_scope unsafe({{"citus.enable_unsafe_triggers", "on"}}, true);
    for (const auto& tr : triggers)
        spi::exec(sql::ddl::create_statement_trigger(tr.name, "AFTER", tr.event, qualified(source), tr.function,
                                                     {tr.old_table, tr.new_table}, relid));
    grant_buffer(source.oid, reader);
    spi::exec("INSERT INTO pgtrickle.pgt_citus_sources (source_relid, buffer_relid, placement) "
              "VALUES ($1::pg_catalog.oid, $2::pg_catalog.regclass::pg_catalog.oid, $3)",
              {relid, buffer, where.kind == placement::distributed ? "distributed" : "reference"});
}

void release_capture_if_unused(unsigned relid) {
    const std::string id = std::to_string(relid);
    if (!captured(relid)) return;
    if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_dependencies WHERE source_relid = $1::pg_catalog.oid LIMIT 1", {id})) return;
    server::internal_ddl_scope internal;
    server::role_scope as_owner(server::extension_owner(), false);
    // The source may be gone already (DROP TABLE): its triggers went with it.
    if (spi::scalar("SELECT 1 FROM pg_catalog.pg_class WHERE oid = $1::pg_catalog.oid", {id})) {
        // (Citus refuses DROP TRIGGER on its tables as it refuses CREATE TRIGGER.)
        const server::guc_scope unsafe({{"citus.enable_unsafe_triggers", "on"}}, true);
        const std::string table = regclass_text(relid);
        for (const auto& tr : triggers) spi::exec(sql::ddl::drop_trigger(tr.name, table));
    }
    spi::exec(sql::ddl::drop_table(buffer_name(relid), true));
    spi::exec("DELETE FROM pgtrickle.pgt_citus_sources WHERE source_relid = $1::pg_catalog.oid", {id});
}

void lock_sources(const std::vector<unsigned>& sources, int timeout_ms) {
    if (sources.empty()) return;
    std::vector<std::string> tables;
    for (unsigned s : sources) tables.push_back(regclass_text(s));
    // (A writer that holds one source and waits for another would wait for this refresh, which
    // waits for it: this gives up first, well before the deadlock detectors look.)
    const server::guc_scope timeout({{"lock_timeout", std::to_string(timeout_ms) + "ms"}});
    spi::exec(sql::ddl::lock_shared(tables));
}

batches read_batches(unsigned relid, long long pgt_id) {
    batches b;
    b.last = std::stoll(*spi::prepared("SELECT last_batch::text FROM pgtrickle.pgt_citus_sources "
                                       "WHERE source_relid = $1::pg_catalog.oid FOR UPDATE",
                                       1)
                            .query({std::to_string(relid)})
                            .at(0)[0]);
    b.applied = applied_batch(pgt_id, relid);
    b.distributed_by = placement_of(relid).column;
    return b;
}

std::string pending_table(unsigned relid) { return "pg_temp." + spi::quote_ident("pgt_changes_" + std::to_string(relid)); }

long long claim(const ir::table& source, const batches& b) {
    if (b.pulled && b.unclaimed == 0) return b.last;
    t::update claim;
    claim.target = buffer_name(source.oid);
    claim.alias = "b";
    claim.set = {{"__pgt_batch", t::cast(t::param(1), int8)}};
    std::vector<spi::param> params{std::to_string(b.last + 1)};
    claim.where_condition = t::is_null(batch("b"));
    // (Of a distributed source, only the shards of the values that have unclaimed rows: Citus
    // writes those alone. It prunes shards by constants only: the values are a literal, which
    // the parser makes a constant array, where a cast of a text parameter stays a call.)
    if (const auto* column = column_named(source, b.distributed_by); b.pulled && column) {
        if (!b.unclaimed_values) return b.last; // (none unclaimed)
        sql_type array = column->type;
        array.name += "[]";
        claim.where_condition =
            t::all_of({*claim.where_condition, t::quantified("=", t::col("b", b.distributed_by), true, t::cast(t::text(*b.unclaimed_values), array))});
    }
    if (spi::exec(t::render(claim), params) == 0) return b.last;
    spi::prepared("UPDATE pgtrickle.pgt_citus_sources SET last_batch = $2::pg_catalog.int8 WHERE source_relid = $1::pg_catalog.oid", 2)
        .execute({std::to_string(source.oid), std::to_string(b.last + 1)});
    return b.last + 1;
}

/// `b.__pgt_batch IS NULL OR b.__pgt_batch > CAST($param AS int8)`: pending for a reader that
/// applied up to the batch given.
t::expr pending(int param) { return t::any_of({t::is_null(batch("b")), t::gt(batch("b"), t::cast(t::param(param), int8))}); }

pending_count pull_pending(const ir::table& source, batches& b, long long limit) {
    const std::string copy = pending_table(source.oid);
    std::vector<sql::ddl::column_definition> cols{{"__pgt_batch", "pg_catalog.int8", false}, {"__pgt_action", "\"char\"", true}};
    for (const auto& c : source.columns) cols.push_back(buffer_column(source, c));
    // (Made once per session; again when the source's columns changed.)
    const auto existing = spi::scalar("SELECT pg_catalog.count(*)::text FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass($1) "
                                      "AND attnum > 0 AND NOT attisdropped",
                                      {copy});
    if (existing != std::to_string(cols.size())) {
        if (existing != "0") spi::exec(sql::ddl::drop_table(copy, true));
        spi::exec(sql::ddl::create_temporary_table(copy, cols, true));
        // (The delta reads it as the stream table's owner; no other session sees it.)
        spi::exec(sql::ddl::grant_select(copy, "PUBLIC"));
    }
    // (Emptied at commit; also between two refreshes in one transaction.)
    t::delete_from emptied;
    emptied.target = copy;
    spi::exec(t::render(emptied));
    t::select rows({batch("b"), t::col("b", "__pgt_action")});
    for (const auto& c : source.columns) rows.items.emplace_back(t::col("b", c.name));
    rows.from(buffer_name(source.oid), "b").where(pending(1)).limit(t::cast(t::param(2), int8));
    std::vector<std::string> names;
    for (const auto& c : cols) names.push_back(c.name);
    const auto copied = static_cast<long long>(spi::exec(t::render(t::insert{copy, names, rows, {}}), {std::to_string(b.applied), std::to_string(limit)}));
    t::call_options inserted, unclaimed;
    inserted.star = unclaimed.star = true;
    inserted.filter = t::eq(t::col("p", "__pgt_action"), t::text("I"));
    unclaimed.filter = t::is_null(batch("p"));
    t::select counts({t::aggregate("pg_catalog", "count", {}, inserted), t::aggregate("pg_catalog", "count", {}, unclaimed)});
    // (A distributed source's unclaimed values: the shards its claim touches; and all its
    // values: those of the stored rows the change can touch, compiled_query::shard_pruning.)
    const bool distributed = column_named(source, b.distributed_by) != nullptr;
    if (distributed) {
        t::call_options of_unclaimed;
        of_unclaimed.filter = unclaimed.filter;
        counts.items.push_back(t::cast(t::aggregate("pg_catalog", "array_agg", {t::col("p", b.distributed_by)}, of_unclaimed), t::type_name::catalog("text")));
        counts.items.push_back(t::cast(t::aggregate("pg_catalog", "array_agg", {t::col("p", b.distributed_by)}, {}), t::type_name::catalog("text")));
    }
    counts.from(copy, "p");
    const auto r = spi::query(t::render(counts)).at(0);
    b.pulled = copied < limit;
    b.unclaimed = std::stoll(*r[1]);
    if (distributed) {
        b.unclaimed_values = r[2];
        b.values = r[3];
    }
    return {copied, std::stoll(*r[0])};
}

namespace {
/// The pending rows of each co-located source b[i] (`source` i, `batch`, `action` and the
/// distribution `value`), as a UNION ALL that Citus runs shard group by shard group.
t::query co_located_pending(const std::vector<const ir::table*>& sources, const std::vector<batches*>& b) {
    std::vector<t::query> legs;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        t::select leg({t::as(t::integer(static_cast<long long>(i)), "source"), t::as(batch("b"), "batch"),
                       t::as(t::col("b", "__pgt_action"), "action"), t::as(t::col("b", b[i]->distributed_by), "value")});
        legs.push_back(leg.from(buffer_name(sources[i]->oid), "b").where(pending(static_cast<int>(i + 1))));
    }
    return t::union_all(std::move(legs));
}

/// count_co_located from the pending rows themselves, where at most `most` a source are pending
/// on average; nullopt where there are more. (Citus runs this plain pass over a shard group for
/// about two thirds of what the grouped one costs: a 10-row refresh's count over 32 shard
/// groups, 7 ms against 10.5.) The values print here, as the coordinator's session prints them.
std::optional<std::vector<pending_count>> counted_rows(const std::vector<const ir::table*>& sources, const std::vector<batches*>& b,
                                                       const std::vector<spi::param>& params, long long most) {
    const long long cap = most * static_cast<long long>(sources.size()) + 1;
    t::select rows({t::col("u", "source"), t::is_null(t::col("u", "batch")), t::col("u", "action"), t::col("u", "value")});
    rows.from(t::from(co_located_pending(sources, b), "u")).limit(t::integer(cap));
    const auto pending = spi::query(t::render(rows), params);
    if (static_cast<long long>(pending.size()) >= cap) return std::nullopt;
    std::vector<pending_count> counts(sources.size());
    std::vector<std::vector<std::string>> values(sources.size()), unclaimed_values(sources.size());
    for (const auto& r : pending) {
        const auto i = std::stoul(*r[0]);
        const bool unclaimed = *r[1] == "t";
        ++counts[i].records;
        if (*r[2] == "I") ++counts[i].inserted;
        if (unclaimed) ++b[i]->unclaimed;
        if (!r[3]) continue;
        values[i].push_back(*r[3]);
        if (unclaimed) unclaimed_values[i].push_back(*r[3]);
    }
    for (std::size_t i = 0; i < sources.size(); ++i) {
        b[i]->pulled = counts[i].records <= most;
        if (counts[i].records == 0 || !b[i]->pulled) continue;
        b[i]->values = spi::text_array(values[i]);
        if (b[i]->unclaimed > 0) b[i]->unclaimed_values = spi::text_array(unclaimed_values[i]);
    }
    return counts;
}
} // namespace

std::vector<pending_count> count_co_located(const std::vector<const ir::table*>& sources, const std::vector<batches*>& b, long long most) {
    std::vector<spi::param> params;
    for (const auto* each : b) params.push_back(std::to_string(each->applied));
    for (auto* each : b) {
        each->pulled = true;
        each->unclaimed = 0;
        each->values.reset();
        each->unclaimed_values.reset();
    }
    // A small change: its rows, counted here.
    if (auto counts = counted_rows(sources, b, params, most)) return *counts;
    const t::expr unclaimed = t::is_null(t::col("u", "batch")), value = t::col("u", "value");
    const auto number_of = [](t::expr condition) { return t::aggregate("pg_catalog", "sum", {t::case_when({{std::move(condition), t::integer(1)}}, t::integer(0))}, {}); };
    const auto listed = [](t::expr v) {
        return t::cast(t::fn("array_remove", {t::aggregate("pg_catalog", "array_agg", {std::move(v)}, {}), t::null()}), t::type_name::catalog("text"));
    };
    const t::type_name text = t::type_name::catalog("text");
    // (No aggregate FILTER: Citus combines partial aggregates of plain calls.)
    t::select census({t::cast(t::col("u", "source"), text), t::cast(t::count_all(), text), t::cast(number_of(t::eq(t::col("u", "action"), t::text("I"))), text),
                      t::cast(number_of(unclaimed), text), listed(value), listed(t::case_when({{unclaimed, value}}))});
    census.from(t::from(co_located_pending(sources, b), "u")).group_by({t::col("u", "source")});
    std::vector<pending_count> counts(sources.size());
    for (const auto& r : spi::query(t::render(census), params)) {
        const auto i = std::stoul(*r[0]);
        counts[i] = {std::stoll(*r[1]), std::stoll(*r[2])};
        b[i]->unclaimed = std::stoll(*r[3]);
        b[i]->pulled = counts[i].records <= most;
        if (!b[i]->pulled) continue;
        b[i]->values = r[4];
        if (b[i]->unclaimed > 0) b[i]->unclaimed_values = r[5];
    }
    return counts;
}

pending_count count_pending(unsigned relid, long long applied, long long limit) {
    const t::expr action = t::col("x", "__pgt_action");
    t::select after({t::col("b", "__pgt_action")});
    after.from(buffer_name(relid), "b").where(pending(1)).limit(t::cast(t::param(2), int8));
    t::call_options inserted;
    inserted.star = true;
    inserted.filter = t::eq(action, t::text("I"));
    t::select counts({t::count_all(), t::aggregate("pg_catalog", "count", {}, inserted)});
    counts.from(t::from(after, "x"));
    const auto r = spi::query(t::render(counts), {std::to_string(applied), std::to_string(limit)});
    return {std::stoll(*r.at(0)[0]), std::stoll(*r.at(0)[1])};
}

bool has_pending(unsigned relid, long long applied) {
    t::select any({t::integer(1)});
    any.from(buffer_name(relid), "b").where(pending(1)).limit(t::integer(1));
    return !spi::query(t::render(any), {std::to_string(applied)}).empty();
}

long long applied_batch(long long pgt_id, unsigned relid) {
    const auto r = spi::prepared("SELECT applied_batch::text FROM pgtrickle.pgt_citus_frontiers WHERE pgt_id = $1::pg_catalog.int8 "
                                 "AND source_relid = $2::pg_catalog.oid",
                                 2)
                       .query({std::to_string(pgt_id), std::to_string(relid)});
    return r.empty() ? 0 : std::stoll(*r[0][0]);
}

void record_applied(long long pgt_id, unsigned relid, long long last) {
    const std::string id = std::to_string(relid);
    spi::prepared("INSERT INTO pgtrickle.pgt_citus_frontiers (pgt_id, source_relid, applied_batch) "
                  "VALUES ($1::pg_catalog.int8, $2::pg_catalog.oid, $3::pg_catalog.int8) ON CONFLICT (pgt_id, source_relid) "
                  "DO UPDATE SET applied_batch = EXCLUDED.applied_batch",
                  3)
        .execute({std::to_string(pgt_id), id, std::to_string(last)});
    // Every reader applied the batches up to the horizon (a reader without a batch yet holds
    // everything back). Their rows are deleted once trim_batches of them are there: a delete
    // is a statement on every shard, which a refresh of a few rows would pay each time, and
    // the rows left are only skipped by the refreshes' scans of the buffer.
    const auto horizon = spi::prepared("SELECT pg_catalog.min(COALESCE(f.applied_batch, 0))::text FROM pgtrickle.pgt_dependencies d "
                                       "LEFT JOIN pgtrickle.pgt_citus_frontiers f USING (pgt_id, source_relid) "
                                       "WHERE d.source_relid = $1::pg_catalog.oid "
                                       "HAVING pg_catalog.min(COALESCE(f.applied_batch, 0)) >= $2::pg_catalog.int8 + "
                                       "(SELECT trimmed_batch FROM pgtrickle.pgt_citus_sources WHERE source_relid = $1::pg_catalog.oid)",
                                       2)
                             .query({id, std::to_string(trim_batches)});
    if (horizon.empty()) return;
    t::delete_from trim;
    trim.target = buffer_name(relid);
    trim.alias = "b";
    trim.where_condition = t::le(batch("b"), t::cast(t::param(1), int8));
    spi::exec(t::render(trim), {*horizon[0][0]});
    spi::prepared("UPDATE pgtrickle.pgt_citus_sources SET trimmed_batch = $2::pg_catalog.int8 WHERE source_relid = $1::pg_catalog.oid", 2)
        .execute({id, *horizon[0][0]});
}

double rows_of(unsigned relid) {
    const auto r = spi::query("SELECT pg_catalog.sum(GREATEST(r.result::pg_catalog.float8, 0))::text FROM pg_catalog.run_command_on_shards("
                              "$1::pg_catalog.regclass, 'SELECT GREATEST(c.reltuples, pg_catalog.pg_stat_get_live_tuples(c.oid)) "
                              "FROM pg_catalog.pg_class c WHERE c.oid = ''%s''::pg_catalog.regclass') r WHERE r.success",
                              {regclass_text(relid)});
    return r.empty() || !r[0][0] ? 0 : std::stod(*r[0][0]);
}

std::string changes_relation(const ir::table& table, int param, long long cap, const std::optional<shard_values>& in_place) {
    const t::expr action = t::col("b", "__pgt_action");
    t::select rows;
    for (const auto& c : table.columns) rows.items.emplace_back(t::col("b", c.name));
    rows.items.push_back(t::as(t::case_when({{t::eq(action, t::text("I")), t::cast(t::integer(1), int8)}}, t::cast(t::integer(-1), int8)), "__pgt_w"));
    if (cap > 0 && in_place)
        // (No LIMIT: Citus would gather the rows on the coordinator to apply it.)
        rows.from(buffer_name(table.oid), "b")
            .where(t::all_of({pending(param), t::quantified("=", t::col("b", in_place->column), true, t::param(in_place->values_param))}));
    else if (cap > 0)
        rows.from(pending_table(table.oid), "b").limit(t::integer(cap));
    else
        rows.from(buffer_name(table.oid), "b").where(pending(param));
    return t::parenthesised(rows);
}

} // namespace pgt::ext::citus
