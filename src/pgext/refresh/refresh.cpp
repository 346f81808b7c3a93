#include "refresh/refresh.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

#include "pgt/auto_choice.hpp"
#include "pgt/error.hpp"
#include "pgt/sql/ddl.hpp"
#include "pgt/sql/tree.hpp"

#include "capture/buffer_writer.hpp"
#include "capture/capture.hpp"
#include "capture/citus.hpp"
#include "capture/wal_capture.hpp"
#include "catalog/catalog_oids.hpp"
#include "catalog/maintainers.hpp"
#include "pg/analyzer.hpp"
#include "pg/gucs.hpp"
#include "pg/heap_swap.hpp"
#include "pg/notices.hpp"
#include "pg/pending_scan.hpp"
#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "refresh/aggregate_states.hpp"
#include "refresh/buffer_emptying.hpp"
#include "refresh/auto_mode.hpp"
#include "refresh/compiled.hpp"
#include "refresh/definition.hpp"
#include "refresh/owner_rights.hpp"

namespace pgt::ext {

const char* action_name(refresh_action a) {
    switch (a) {
    case refresh_action::no_data: return "NO_DATA";
    case refresh_action::full: return "FULL";
    case refresh_action::differential: return "DIFFERENTIAL";
    case refresh_action::reinitialize: return "REINITIALIZE";
    }
    return "FULL";
}

namespace {
/// `SELECT EXISTS (rows)`, the rows' select list made `1`.
std::string any_row(sql::tree::select rows) {
    rows.items = {sql::tree::integer(1)};
    return sql::tree::render(sql::tree::select({sql::tree::exists(rows)}));
}
} // namespace

namespace {

const char* initiator_name(initiator who) {
    switch (who) {
    case initiator::manual: return "MANUAL";
    case initiator::scheduler: return "SCHEDULER";
    case initiator::initial: return "INITIAL";
    }
    return "MANUAL";
}

/// What a refresh starts from: the stream table's catalog row (read under the stream table's
/// maintenance lock, which refreshes, IMMEDIATE maintenance, ALTER and DROP all take first: its
/// frontier cannot move before this refresh writes the next; the row is not locked itself,
/// which would write WAL a refresh reading WAL-captured sources would then wait to flush), its
/// start time, the statement number that orders this transaction's own changes around it,
/// and the previous frontier.
struct start_point {
    stream_table st;
    std::string start_time, stmt;
    spi::param snapshot, xid, frontier_stmt;
    /// Whether the database captures anything from the WAL (else no source needs decoding).
    bool wal_capture = false;
    bool has_frontier() const { return snapshot.has_value(); }
};

/// lock_and_start's statement (rendered once per catalog version: it runs at every refresh).
const std::string& start_statement() {
    namespace t = sql::tree;
    static std::string rendered[2];
    std::string& sql = rendered[stream_table_catalog_oids().has_settings];
    if (!sql.empty()) return sql;
    const t::type_name text = t::type_name::catalog("text");
    t::select row = stream_table_rows();
    // (in UTC, ISO: it is read back under the stream table's settings)
    row.items.emplace_back(t::fn("to_char", {t::at_time_zone(t::fn("clock_timestamp", {}), t::text("UTC")),
                                             t::text("YYYY-MM-DD HH24:MI:SS.US")}));
    for (const char* c : {"frontier_snapshot", "frontier_xid", "frontier_stmt"}) row.items.emplace_back(t::cast(t::col("", c), text));
    row.items.emplace_back(t::exists(t::select({t::integer(1)}).from("pgtrickle.pgt_wal_capture", "w")));
    row.where(t::eq(t::col("", "pgt_id"), t::cast(t::param(1), t::type_name::catalog("int8"))));
    return sql = t::render(row);
}

std::optional<start_point> lock_and_start(long long id) {
    auto rows = spi::prepared(start_statement(), 1).query({std::to_string(id)});
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    const std::size_t n = r.size();
    return start_point{stream_table_from_row(r), *r[n - 5], std::to_string(next_statement_number()), r[n - 4], r[n - 3],
                       r[n - 2], r[n - 1] == "t"};
}

/// Per source: are there pending changes, and is one of them a TRUNCATE? For AUTO, also how
/// many change records each has (counted up to auto_count_limit, past which the count no
/// longer matters) and its rows.
struct pending {
    unsigned long long changed = 0;
    long long most_records = 0; ///< the most pending records of a changed source (as counted)
    bool truncated = false;
    std::vector<auto_source_change> sizes;
    /// Per source, where its buffer was read to the end: the oldest transaction id in it
    /// (pg::pending_count::oldest), the trim's bound.
    std::vector<spi::param> oldest;
    /// Per source, the tid before which its buffer holds no pending record (its first page a
    /// frontier may not have applied, pg::pending_count::first_unapplied_page), else "(0,0)":
    /// a small change's statement reads the buffer from there, not the records a slower
    /// reader of the source holds back before it.
    std::vector<spi::param> read_from;
    /// Every changed source's buffer was read to its end and holds no row the snapshot sees
    /// that is not pending (pg::pending_count::only_pending).
    bool only_pending = true;
};

std::vector<unsigned> oids_of(const std::vector<ir::table_ptr>& tables) {
    std::vector<unsigned> oids;
    for (const auto& t : tables) oids.push_back(t->oid);
    return oids;
}

/// Each table's rows as the planner knows them (the statistics collector's live count where a
/// table was never analyzed). (A lookup by oid for each: a generic plan of a join hashed all of
/// pg_class.)
std::vector<double> rows_of(const std::vector<unsigned>& tables) {
    const auto r = spi::prepared("SELECT GREATEST((SELECT r.reltuples FROM pg_catalog.pg_class r WHERE r.oid = s.oid), "
                                 "pg_catalog.pg_stat_get_live_tuples(s.oid), 0)::pg_catalog.float8 "
                                 "FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS s(oid, n) ORDER BY s.n",
                                 1)
                       .query({spi::integer_array(tables)});
    std::vector<double> rows;
    for (const auto& row : r) rows.push_back(row[0] ? std::stod(*row[0]) : 0);
    return rows;
}

/// Whether an AUTO recomputation of `st`, just loaded, leaves its storage's row-id index out
/// for the next differential refresh to rebuild: when the storage takes at least a tenth as
/// much space as its sources, the index would cost the recomputation about as much again (a
/// sort of every row), and a large change is likely to be followed by another. (Sizes on disk,
/// which statistics not yet reported cannot leave out.)
bool defers_row_id_index(const stream_table& st, const compiled_query& c) {
    // (A Citus source's rows are in its shards, whose sizes Citus does not give in a transaction
    // that claimed changes on them: its index is built.)
    if (c.reads_citus()) return false;
    return spi::prepared("SELECT pg_catalog.pg_relation_size($1::pg_catalog.oid) >= 0.1 * "
                         "(SELECT pg_catalog.sum(pg_catalog.pg_relation_size(s)) FROM pg_catalog.unnest($2::pg_catalog.oid[]) s)",
                         2)
               .query({std::to_string(st.relid), spi::integer_array(oids_of(c.sources))})
               .at(0)[0] == "t";
}

/// How long a refresh waits for its Citus sources' writers: less than deadlock_timeout (1 s by
/// default) and Citus's distributed deadlock detection (twice that), which would cancel the
/// younger transaction of a cycle, a writer as likely as the refresh. The refresh gives up
/// first (55P03) and is retried; the writer goes on.
constexpr int citus_lock_timeout_ms = 800;

/// Citus runs a statement's tasks on a worker over as many connections as it opens for them
/// (one more each time a task has waited citus.executor_slow_start_interval, up to
/// citus.max_adaptive_executor_pool_size), and each one opened starts a backend on the worker:
/// more than a refresh of a few changes costs, whose tasks are a few index probes each. Such a
/// refresh uses the one connection per worker that Citus keeps between transactions; a
/// recomputation, a large change and a distributed stream table whose change is applied on
/// every shard (not on those of its values: compiled_query::shard_pruning) keep Citus's
/// parallelism.
const std::vector<std::pair<std::string, std::string>> one_connection_per_worker{{"citus.max_adaptive_executor_pool_size", "1"}};

/// auto_explain's log_analyze instruments a statement as EXPLAIN ANALYZE does, and Citus runs
/// such a statement otherwise: the coordinator's writes to a stream table over a connection of
/// its own (where the storage's guard refuses them), an INSERT … SELECT through the coordinator
/// not at all. A refresh reading Citus tables has its statements logged without it.
const std::vector<std::pair<std::string, std::string>> citus_without_analyze{{"auto_explain.log_analyze", "off"}};

/// What a refresh read of its Citus sources (capture/citus.hpp), by source.
using claimed_batches = std::map<unsigned, citus::batches>;

/// Locks the Citus sources of `c` and takes their batch numbering for stream table `id`'s
/// refresh: its changes are their unclaimed rows and the batches after the last it applied,
/// which stay the same until it commits (no writer commits meanwhile); it claims the unclaimed
/// ones at its end (claim_read_changes). (Claiming first would have every later statement read
/// the buffers' shards over the connections that modified them, one per node, shard after
/// shard.)
claimed_batches lock_citus_changes(const compiled_query& c, long long id) {
    claimed_batches claimed;
    const std::vector<unsigned> sources = c.citus_sources();
    if (sources.empty()) return claimed;
    // (Bookkeeping, as the extension owner: a reader may not lock its sources in SHARE mode.)
    server::role_scope as_ext(server::extension_owner(), false);
    try {
        citus::lock_sources(sources, citus_lock_timeout_ms);
        for (unsigned s : sources) claimed[s] = citus::read_batches(s, id);
    } catch (const error& e) {
        // Citus reports a node lost inside a transaction as an internal error.
        if (e.code() != "XX000" || std::string_view(e.what()).find("connection marked as essential") == std::string_view::npos) throw;
        throw error("08006", std::string("a Citus node holding shards of the stream table's sources did not answer: ") + e.what(), {},
                    "The refresh is retried; pgtrickle.citus_capture() shows which node.");
    }
    return claimed;
}

/// After the refresh applied (or recomputed from) what it read: the unclaimed rows it read get
/// the next batch number, and stream table `id` has applied every batch up to it.
void claim_read_changes(const compiled_query& c, const claimed_batches& claimed, long long id) {
    if (claimed.empty()) return;
    server::role_scope as_ext(server::extension_owner(), false);
    for (const auto& source : c.sources) {
        const auto b = claimed.find(source->oid);
        if (b == claimed.end()) continue;
        const long long last = citus::claim(*source, b->second);
        if (last != b->second.applied) citus::record_applied(id, source->oid, last);
    }
}

/// The pending changes of the sources whose changes are read in place (compiled_query::in_place:
/// co-located with each other), counted in one statement; by source.
std::map<std::size_t, citus::pending_count> count_in_place(const compiled_query& c, claimed_batches& claimed) {
    std::vector<std::size_t> at;
    std::vector<const ir::table*> sources;
    std::vector<citus::batches*> batches;
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
        if (!c.in_place[i]) continue;
        at.push_back(i);
        sources.push_back(c.sources[i].get());
        batches.push_back(&claimed.at(c.sources[i]->oid));
    }
    std::map<std::size_t, citus::pending_count> counted;
    if (at.empty()) return counted;
    server::role_scope as_ext(server::extension_owner(), false);
    const auto counts = citus::count_co_located(sources, batches, small_change_records);
    for (std::size_t k = 0; k < at.size(); ++k) counted[at[k]] = counts[k];
    return counted;
}

pending pending_changes(const compiled_query& c, const start_point& f, const spi::snapshot& snap, claimed_batches& claimed,
                        const stream_table* automatic = nullptr) {
    pending p;
    std::vector<double> rows = automatic ? rows_of(oids_of(c.sources)) : std::vector<double>{};
    if (automatic)
        for (std::size_t i = 0; i < c.sources.size(); ++i)
            if (c.citus[i]) rows[i] = citus::rows_of(c.sources[i]->oid);
    double all_rows = 0;
    for (double r : rows) all_rows += r;
    // Counted past what a small change has, and for AUTO past what decides its choice: a count
    // that reaches it stopped before seeing every pending row (and a TRUNCATE among them).
    const long long limit = std::max(automatic ? auto_count_limit(*automatic, all_rows) : 0, small_change_records) + 1;
    const pg::frontier_text frontier{*f.snapshot, *f.xid, *f.frontier_stmt};
    const std::map<std::size_t, citus::pending_count> in_place = count_in_place(c, claimed);
    p.oldest.resize(c.sources.size());
    p.read_from.assign(c.sources.size(), std::string("(0,0)"));
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
        if (c.citus[i]) {
            // Changes read in place were counted together. Other sources: a small change is
            // copied here in one statement and read locally; past what a small change has,
            // counted (AUTO: up to its limit) and read from the buffer.
            citus::batches& b = claimed.at(c.sources[i]->oid);
            citus::pending_count counted;
            if (const auto it = in_place.find(i); it != in_place.end()) {
                counted = it->second;
            } else {
                server::role_scope as_ext(server::extension_owner(), false);
                counted = citus::pull_pending(*c.sources[i], b, small_change_records + 1);
                if (!b.pulled) counted = citus::count_pending(c.sources[i]->oid, b.applied, limit);
            }
            if (counted.records > 0) {
                p.changed |= 1ULL << i;
                p.only_pending = false; // (its change relation is Citus's)
            }
            p.most_records = std::max(p.most_records, counted.records);
            if (automatic) p.sizes.push_back({counted.records, std::max(counted.inserted, counted.records - counted.inserted), rows[i], counted.records < limit});
            continue;
        }
        // One pass over the buffer: pending rows counted up to the limit (each costs a
        // visibility test), then, where the mode's choice does not already end at the limit,
        // a TRUNCATE marker looked for among the rest.
        const unsigned buffer = buffer_of(c.sources[i]->oid);
        if (buffer == 0) throw error(sqlstate::undefined_table, "pg_trickle: the change buffer of relation " + std::to_string(c.sources[i]->oid) + " is missing");
        const pg::pending_count counted = pg::count_pending(buffer, frontier, limit, snap, !automatic && !p.truncated);
        const long long n = counted.records;
        if (n > 0) {
            p.changed |= 1ULL << i;
            p.only_pending &= counted.only_pending;
        }
        p.most_records = std::max(p.most_records, n);
        if (counted.truncated) p.truncated = true;
        if (counted.oldest) p.oldest[i] = std::to_string(*counted.oldest);
        if (counted.first_unapplied_page) p.read_from[i] = "(" + std::to_string(*counted.first_unapplied_page) + ",0)";
        if (automatic) p.sizes.push_back({n, std::max(counted.inserted, n - counted.inserted), rows[i], n < limit});
    }
    return p;
}

bool is_captured(unsigned relid) {
    return !spi::prepared("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid", 1)
                .query({std::to_string(relid)})
                .empty();
}

/// Whether table `relid` may have its contents replaced by a heap swap (pg::replace_contents):
/// a plain table nothing watches row by row — no stream table reads it (its capture must see
/// the rows change), no publication replicates it, no trigger of a user's fires on it, no CHECK
/// constraint or foreign key checks its rows — and not a table Citus distributes, whose rows are
/// in its shards (the coordinator's heap is empty).
bool swappable(unsigned relid) {
    if (citus::placement_of(relid).kind != citus::placement::local) return false;
    return spi::prepared(
               "SELECT c.relkind = 'r' "
               "AND NOT EXISTS (SELECT FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = c.oid) "
               "AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal "
               "  AND t.tgname OPERATOR(pg_catalog.<>) 'pgt_dml_guard') "
               "AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.confrelid = c.oid "
               "  OR (k.conrelid = c.oid AND k.contype IN ('c', 'f', 't'))) "
               "AND NOT EXISTS (SELECT FROM pg_catalog.pg_publication_tables p WHERE p.schemaname = n.nspname "
               "  AND p.tablename = c.relname) "
               "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
               "WHERE c.oid = $1::pg_catalog.oid",
               1)
               .query({std::to_string(relid)})
               .at(0)[0] == "t";
}

/// Replaces the contents of `table` (`relid`) with the rows of `load`, under `snap`: by a heap
/// swap where nothing watches the table, as REFRESH MATERIALIZED VIEW refills a view, else by
/// TRUNCATE and INSERT. Returns the rows loaded.
long long fill(const std::string& table, unsigned relid, full_load& load, const spi::snapshot& snap) {
    if (swappable(relid)) {
        if (!load.swap_plan.valid()) load.swap_plan = spi::plan::parallel_query(load.swap_select.empty() ? load.select : load.swap_select);
        if (const auto rows = pg::replace_contents(relid, load.swap_plan, snap)) return static_cast<long long>(*rows);
    }
    spi::exec(sql::ddl::truncate(table));
    return static_cast<long long>(load.plan.execute({}, &snap));
}

namespace t = sql::tree;

t::expr as_int8(t::expr x) { return t::cast(std::move(x), t::type_name::catalog("int8")); }
t::expr as_text(t::expr x) { return t::cast(std::move(x), t::type_name::catalog("text")); }
/// `$1`, the refreshing stream table's id, in every statement below.
t::expr refreshing_id() { return as_int8(t::param(1)); }
t::expr source_oid(unsigned source_relid) { return t::cast(t::integer(source_relid), t::type_name::catalog("oid")); }

/// `pgt_dependencies d JOIN pgt_stream_tables s ON …`: the stream tables reading a source.
t::relation readers(const std::string& d, const std::string& s) {
    return t::join(t::from("pgtrickle.pgt_dependencies", d), t::join_kind::inner, t::from("pgtrickle.pgt_stream_tables", s),
                   t::eq(t::col(d, "pgt_id"), t::col(s, "pgt_id")));
}

/// Removes buffer rows that every stream table reading the source from its buffer (IMMEDIATE
/// ones do not) has applied. A row written by
/// a transaction older than the oldest consumer frontier's xmin is visible to every consumer's
/// frontier: one cheap comparison per row instead of a visibility test per row and consumer.
/// Rows of transactions still running at some frontier stay until a later refresh moves it past
/// them (a long-running transaction elsewhere holds them back, as it holds back VACUUM).
/// (The refreshing stream table's own frontier is the one being written: its snapshot.)
/// One refresh at a time trims a buffer (a transaction-level advisory lock, tried once: a
/// refresh that does not get it leaves the trimming to the one that has it, or to a later
/// refresh). Refreshes running side by side over the same sources would otherwise wait for each
/// other's rows, and deadlock when they trim two buffers in opposite orders.
/// A FULL stream table needs no change, only to know whether one came since its last refresh:
/// it holds no trim back (one refreshed daily beside one refreshed every second would keep a
/// day of changes in the buffer, each scanned by every refresh). A trim past its frontier is
/// recorded instead (pgt_change_tracking.trimmed_below, read by has_pending_changes); on a
/// catalog without that column (0.1.0), it holds the trim back as every reader does.
/// The transaction id below which every row of `source_relid`'s buffer is applied by every
/// reader, once the refreshing stream table ($1) moves its frontier to the current snapshot:
/// NULL when another refresh holds the trim lock, a reader has no frontier yet, or another
/// reader's frontier is older than the refreshing one's was. (Then the horizon is that
/// reader's, and did not move: the rows below it went at an earlier trim. A stream table
/// refreshed every second next to one refreshed every hour would otherwise scan the hour's
/// changes at each refresh, only to delete nothing.)
sql::tree::expr trim_horizon(unsigned source_relid) {
    const t::expr xmin_of = t::fn("pg_snapshot_xmin", {t::col("m", "frontier_snapshot")});
    t::select mine({xmin_of});
    mine.from("pgtrickle.pgt_stream_tables", "m").where(t::eq(t::col("m", "pgt_id"), refreshing_id()));
    const t::expr me = t::eq(t::col("s", "pgt_id"), refreshing_id());
    const t::expr not_behind =
        t::any_of({me, t::all_of({t::is_not_null(t::col("s", "frontier_snapshot")),
                                  t::ge(t::fn("pg_snapshot_xmin", {t::col("s", "frontier_snapshot")}),
                                        t::coalesce({t::scalar(mine), t::cast(t::text("0"), t::type_name::catalog("xid8"))}))})});
    const t::expr lock = t::fn("pg_try_advisory_xact_lock", {t::integer(trim_lock_class), t::integer(static_cast<int>(source_relid))});
    t::when_then horizon{t::all_of({t::fn("bool_and", {not_behind}), lock}),
                         t::fn("min", {t::fn("pg_snapshot_xmin", {t::case_when({{me, t::fn("pg_current_snapshot", {})}},
                                                                                   t::col("s", "frontier_snapshot"))})})};
    t::select q({t::case_when({std::move(horizon)})});
    const bool full_readers_wait = !stream_table_catalog_oids().records_trims;
    q.from(readers("d", "s"))
        .where(t::all_of({t::eq(t::col("d", "source_relid"), source_oid(source_relid)), t::ne(t::col("s", "refresh_mode"), t::text("IMMEDIATE")),
                          full_readers_wait ? t::boolean(true) : t::any_of({me, t::ne(t::col("s", "refresh_mode"), t::text("FULL"))})}));
    return t::scalar(q);
}

/// Records that `source_relid`'s buffer was trimmed below `horizon` (an xid8), when a FULL
/// reader other than the refreshing one ($1) had not seen every row below it.
t::update record_trim(unsigned source_relid, t::expr horizon) {
    t::select behind({t::integer(1)});
    behind.from(readers("d", "s"))
        .where(t::all_of({t::eq(t::col("d", "source_relid"), source_oid(source_relid)), t::eq(t::col("s", "refresh_mode"), t::text("FULL")),
                          t::ne(t::col("s", "pgt_id"), refreshing_id()),
                          t::any_of({t::is_null(t::col("s", "frontier_snapshot")),
                                     t::lt(t::fn("pg_snapshot_xmin", {t::col("s", "frontier_snapshot")}), horizon)})}));
    t::update recorded;
    recorded.target = "pgtrickle.pgt_change_tracking";
    recorded.set = {{"trimmed_below", t::greatest({t::col("", "trimmed_below"), horizon})}};
    recorded.where_condition = t::all_of({t::eq(t::col("", "source_relid"), source_oid(source_relid)), t::is_not_null(horizon), t::exists(behind)});
    recorded.returning = {t::integer(1)};
    return recorded;
}

/// Who trims the buffers a refresh read (or could have read).
enum class trimming {
    none,     ///< nobody: the refresh found nothing
    own,      ///< the refresh
    deferred, ///< a reader that applies changes, if the source has one (else the refresh)
};

/// A refresh that recomputed leaves the trim to another reader that applies changes, whose
/// refreshes with changes always trim: the scan of a large buffer would cost a full refresh as
/// much again. A FULL stream table's refresh to any reader DIFFERENTIAL in the catalog (AUTO's
/// recomputations included: they do not defer to FULL); an AUTO one's recomputation only to a
/// reader created DIFFERENTIAL (two AUTO readers that both recompute would otherwise each leave
/// the trim to the other).
/// `oldest` ($n, NULL when unknown): the oldest transaction id in the buffer as the refresh's
/// count read it; a horizon at or below it has nothing to delete (a reader that does not hold
/// the horizon back would scan the buffer for nothing).
t::delete_from trim_buffer(unsigned source_relid, trimming how, bool full_plan_reader, int oldest) {
    // (The horizon is joined, not compared with: when it is NULL, the buffer is not scanned.)
    t::select horizon({t::as(trim_horizon(source_relid), "horizon")});
    horizon.offset(0);
    const t::type_name xid8 = t::type_name::catalog("xid8");
    std::vector<t::expr> applied{t::is_not_null(t::col("h", "horizon")),
                                 t::gt(t::col("h", "horizon"), t::coalesce({t::cast(t::param(oldest), xid8), t::cast(t::text("0"), xid8)})),
                                 t::lt(t::col("b", "__pgt_xid"), t::col("h", "horizon"))};
    if (how == trimming::deferred) {
        t::select differential({t::integer(1)});
        differential.from(readers("d2", "s2"))
            .where(t::all_of({t::eq(t::col("d2", "source_relid"), source_oid(source_relid)),
                              t::eq(t::col("s2", full_plan_reader ? "refresh_mode" : "requested_mode"), t::text("DIFFERENTIAL")),
                              t::ne(t::col("s2", "pgt_id"), refreshing_id())}));
        applied.push_back(t::negation(t::exists(differential)));
    }
    t::delete_from trim;
    trim.target = buffer_name(source_relid);
    trim.alias = "b";
    trim.using_items.push_back(t::from(horizon, "h"));
    trim.where_condition = t::all_of(std::move(applied));
    trim.returning = {t::as(t::col("h", "horizon"), "horizon")};
    return trim;
}

enum class history_row { none, add, complete };

/// The finish statement's parameters before the per-source ones.
constexpr int finish_fixed_params = 12;

/// Whether every one of `sources` is read by a stream table created DIFFERENTIAL besides `id`:
/// one that trims its buffer whenever it applies changes.
bool read_by_differential(const std::vector<unsigned>& sources, long long id) {
    return spi::prepared("SELECT pg_catalog.bool_and(EXISTS (SELECT FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s "
                         "USING (pgt_id) WHERE d.source_relid = r.relid AND s.requested_mode = 'DIFFERENTIAL' AND s.pgt_id <> $2::int8)) "
                         "FROM pg_catalog.unnest($1::pg_catalog.oid[]) r(relid)",
                         2)
               .query({spi::integer_array(sources), std::to_string(id)})
               .at(0)[0] == "t";
}

/// The end of a refresh, in one statement run under its snapshot: the new frontier (that
/// snapshot itself: pg_current_snapshot() under it), the history row (added, or the caller's
/// RUNNING row completed), and, as `trim` says, the buffer rows every consumer has now applied.
/// Parameters: $1 id, $2 statement number, $3 action, $4 rows inserted, $5 rows deleted,
/// $6 whether it fell back to FULL, $7 start time, $8 initiator, $9 the caller's history row,
/// $10 the change records an AUTO refresh counted, $11 the reason for its choice, $12 its
/// auto_costs after this refresh, then per source (in order) the oldest transaction id in its
/// buffer (pending::oldest). The state a success settles (status, errors, population,
/// reinitialisation) is written only when `settles` (the row read under the lock is not
/// already in it): a frontier-only UPDATE sets no column that the catalog's triggers watch.
std::string finish_statement(const compiled_query& c, history_row history, trimming trim, bool settles) {
    const bool has_settings = stream_table_catalog_oids().has_settings; // AUTO's figures, on a 0.2.0 catalog
    const t::expr action = as_text(t::param(3));
    const t::expr no_data = t::eq(action, t::text("NO_DATA"));
    const t::expr now = t::fn("now", {});
    t::update frontier;
    frontier.target = "pgtrickle.pgt_stream_tables";
    frontier.set = {
        {"frontier_snapshot", t::fn("pg_current_snapshot", {})},
        {"frontier_xid", t::fn("pg_current_xact_id", {})},
        {"frontier_stmt", as_int8(t::param(2))},
        {"data_timestamp", t::case_when({{no_data, t::coalesce({t::col("", "data_timestamp"), now})}}, now)},
        {"last_refresh_at", now},
        {"effective_refresh_mode",
         t::case_when({{no_data, t::col("", "effective_refresh_mode")}, {t::eq(action, t::text("DIFFERENTIAL")), t::text("DIFFERENTIAL")}},
                      t::text("FULL"))},
        {"last_error_message", t::null()},
    };
    if (settles) {
        frontier.set.push_back({"is_populated", t::boolean(true)});
        frontier.set.push_back({"needs_reinit", t::boolean(false)});
        frontier.set.push_back({"consecutive_errors", t::integer(0)});
        const t::expr status = t::col("", "status");
        frontier.set.push_back({"status", t::case_when({{t::any_of({t::eq(status, t::text("INITIALIZING")), t::eq(status, t::text("ERROR"))}),
                                                        t::text("ACTIVE")}},
                                                      status)});
    }
    if (has_settings)
        frontier.set.push_back({"auto_costs", t::coalesce({t::cast(t::param(12), t::type_name::catalog("float8[]")), t::col("", "auto_costs")})});
    frontier.where_condition = t::eq(t::col("", "pgt_id"), refreshing_id());
    frontier.returning = {t::integer(1)};
    std::vector<t::with_item> steps{{"frontier", t::rendered_query(t::render(frontier))}};

    const t::expr inserted = as_int8(t::param(4)), deleted = as_int8(t::param(5));
    const t::expr fell_back = t::cast(t::param(6), t::type_name::catalog("bool"));
    if (history == history_row::complete) {
        t::update done;
        done.target = "pgtrickle.pgt_refresh_history";
        done.set = {{"end_time", t::fn("clock_timestamp", {})}, {"action", action}, {"rows_inserted", inserted},
                    {"rows_deleted", deleted}, {"was_full_fallback", fell_back}};
        if (has_settings) {
            done.set.push_back({"delta_row_count", as_int8(t::param(10))});
            done.set.push_back({"refresh_reason", as_text(t::param(11))});
        }
        done.set.push_back({"status", t::text("COMPLETED")});
        done.set.push_back({"data_timestamp", now});
        done.where_condition = t::eq(t::col("", "refresh_id"), as_int8(t::param(9)));
        done.returning = {t::integer(1)};
        steps.emplace_back("history", t::rendered_query(t::render(done)));
    } else if (history == history_row::add) {
        std::vector<std::string> columns{"pgt_id", "data_timestamp", "start_time", "end_time", "action", "rows_inserted",
                                         "rows_deleted", "was_full_fallback", "status", "initiated_by"};
        std::vector<t::expr> row{refreshing_id(), now, t::at_time_zone(t::cast(t::param(7), t::type_name::catalog("timestamp")), t::text("UTC")),
                                 t::fn("clock_timestamp", {}), action, inserted, deleted, fell_back, t::text("COMPLETED"),
                                 as_text(t::param(8))};
        if (has_settings) {
            columns.insert(columns.end(), {"delta_row_count", "refresh_reason"});
            row.insert(row.end(), {as_int8(t::param(10)), as_text(t::param(11))});
        }
        const t::insert added{"pgtrickle.pgt_refresh_history", std::move(columns), t::values({std::move(row)}), {t::integer(1)}};
        steps.emplace_back("history", t::rendered_query(t::render(added)));
    }
    if (trim != trimming::none)
        for (std::size_t i = 0; i < c.sources.size(); ++i) {
            if (c.citus[i]) continue; // (its batches are recorded after: citus::record_applied)
            const std::string trimmed = "trim_" + std::to_string(i);
            steps.emplace_back(trimmed,
                               t::rendered_query(t::render(trim_buffer(c.sources[i]->oid, trim, std::holds_alternative<full_plan>(c.plan),
                                                                       finish_fixed_params + 1 + static_cast<int>(i)))));
            if (!stream_table_catalog_oids().records_trims) continue;
            t::select below({t::fn("max", {t::col(trimmed, "horizon")})});
            below.from(trimmed, trimmed);
            steps.emplace_back("recorded_" + std::to_string(i), t::rendered_query(t::render(record_trim(c.sources[i]->oid, t::scalar(below)))));
        }
    return t::render(t::with(std::move(steps), t::select({t::integer(1)})));
}

/// Whether emptying a buffer whose stored rows were all applied by TRUNCATE costs less than
/// keeping its file, the trim deleting the rows. Kept, it costs per row about 0.6 µs to delete
/// it (measured on 12,000- and 20,000-row buffers), and about 0.05 µs for each stream table that
/// applies the buffer's changes, whose next statements read the dead row once more before it is
/// pruned; and per page about 2 µs for each of them, their statements reading every page
/// (pruned rows leave their pages until VACUUM: so a file no VACUUM reaches is truncated once
/// its pages cost more). A truncation costs a scan of every shared buffer's header at its
/// commit (about 6 ns each: 3–4.6 ms at shared_buffers = 4GB), and the new file invalidates
/// the plans of every such stream table: each plans its statements again, where a deletion
/// leaves them valid. A reader's planning is priced at what AUTO measured of its own (a moving
/// average), else at a millisecond. (TPC-H at SF 1: 12,000 line item records, about 8 ms to
/// delete, against 4 ms and about 130 ms of planning by the 17 stream tables that read them.)
bool truncation_pays(unsigned source_relid, const pg::buffer_contents& stored) {
    constexpr double delete_ms_per_row = 0.0006, reread_ms_per_row = 0.00005, read_ms_per_page = 0.002, truncate_ms = 1,
                     ms_per_shared_buffer = 6e-6, unmeasured_planning_ms = 1;
    // The readers, and their planning: AUTO's average where the catalog keeps one (0 or
    // missing when none was measured).
    const bool measured = stream_table_catalog_oids().has_settings;
    const auto found =
        spi::prepared(measured ? "SELECT pg_catalog.count(*), pg_catalog.sum(CASE WHEN s.auto_costs[$3::pg_catalog.int4] OPERATOR(pg_catalog.>) 0 "
                                 "THEN s.auto_costs[$3::pg_catalog.int4] ELSE $2::pg_catalog.float8 END) "
                                 "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                                 "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.=) 'DIFFERENTIAL'"
                               : "SELECT pg_catalog.count(*), pg_catalog.count(*) OPERATOR(pg_catalog.*) $2::pg_catalog.float8 "
                                 "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                                 "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.=) 'DIFFERENTIAL'",
                      3)
            .query({std::to_string(source_relid), std::to_string(unmeasured_planning_ms), std::to_string(auto_choice::measured::planning_ms_position)});
    const double readers = found.empty() || !found[0][0] ? 0 : std::stod(*found[0][0]);
    const double replanning_ms = found.empty() || !found[0][1] ? 0 : std::stod(*found[0][1]);
    const double kept_ms = (delete_ms_per_row + reread_ms_per_row * readers) * static_cast<double>(stored.row_versions) +
                           read_ms_per_page * readers * static_cast<double>(stored.pages);
    return kept_ms > truncate_ms + ms_per_shared_buffer * static_cast<double>(server::shared_buffer_count()) + replanning_ms;
}

/// The statement that reads `source_relid`'s trim horizon (for refreshing stream table $1):
/// prepared, as planning it cost more than running it, and rendered once per source, as
/// rendering it at every refresh cost two thirds as much as running it (perf).
const spi::plan& horizon_statement(unsigned source_relid) {
    static std::map<std::pair<unsigned, bool>, std::string> rendered; // (by the catalog's version too)
    std::string& sql = rendered[{source_relid, stream_table_catalog_oids().records_trims}];
    if (sql.empty()) sql = t::render(t::select({as_text(trim_horizon(source_relid))}));
    return spi::prepared(sql, 1);
}

/// The transaction id below which every FULL reader of `source_relid` other than stream table
/// `id` has seen every row, as its frontier says (0 for one without a frontier), where the
/// scheduler waits for them before it empties the buffer (buffer_emptying.cpp's
/// committed_horizon: where the catalog does not record trims, or no reader applies changes);
/// none without such readers.
std::optional<std::uint64_t> full_readers_horizon(unsigned source_relid, long long id, const spi::snapshot& snap) {
    const char* sql =
        stream_table_catalog_oids().records_trims
            ? "SELECT pg_catalog.min(COALESCE(pg_catalog.pg_snapshot_xmin(s.frontier_snapshot), '0'::pg_catalog.xid8))::pg_catalog.text "
              "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id OPERATOR(pg_catalog.=) d.pgt_id "
              "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.=) 'FULL' "
              "AND s.pgt_id OPERATOR(pg_catalog.<>) $2::pg_catalog.int8 AND NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d2 "
              "JOIN pgtrickle.pgt_stream_tables s2 ON s2.pgt_id OPERATOR(pg_catalog.=) d2.pgt_id "
              "WHERE d2.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s2.refresh_mode OPERATOR(pg_catalog.<>) ALL (ARRAY['FULL', 'IMMEDIATE']))"
            : "SELECT pg_catalog.min(COALESCE(pg_catalog.pg_snapshot_xmin(s.frontier_snapshot), '0'::pg_catalog.xid8))::pg_catalog.text "
              "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id OPERATOR(pg_catalog.=) d.pgt_id "
              "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.=) 'FULL' "
              "AND s.pgt_id OPERATOR(pg_catalog.<>) $2::pg_catalog.int8";
    const auto r = spi::prepared(sql, 2)
                       .query({std::to_string(source_relid), std::to_string(id)}, &snap);
    if (r.empty() || !r[0][0]) return std::nullopt;
    return std::stoull(*r[0][0]);
}

/// An `oldest` transaction id for the finish statement's trim of a buffer (finish_statement)
/// above every horizon: the trim leaves that buffer alone.
constexpr const char* trim_nothing = "18446744073709551615";

/// Before a trim that may delete a large buffer's every row (a refresh of stream table `id`
/// that applied or recomputed something, under `snap`), the buffers whose rows every reader
/// has applied are emptied instead: deleting a million rows costs seconds, and their pages
/// would be read by every scan for pending rows until VACUUM. Where a scheduler serves the
/// database and no FULL reader is behind, the scheduler empties such a buffer after this
/// refresh commits (buffer_emptying.hpp; its `oldest` becomes trim_nothing); otherwise it is
/// truncated here (capture's truncate_applied_buffer) where that costs less (truncation_pays).
/// (So is a buffer past 64 MB: the scheduler, which skips a buffer another transaction has
/// open, may have missed it again and again while refreshes overlapped.)
void truncate_applied_buffers(const compiled_query& c, long long id, const spi::snapshot& snap, std::vector<spi::param>& oldest) {
    constexpr long long left_to_scheduler_bytes = 64LL << 20;
    const bool scheduler_empties = scheduler_empties_buffers();
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
        const auto& source = c.sources[i];
        if (c.citus[i] || !buffer_is_large(source->oid)) continue;
        const auto horizon = horizon_statement(source->oid).query({std::to_string(id)}, &snap);
        if (horizon.empty() || !horizon[0][0]) continue;
        if (scheduler_empties && buffer_bytes(source->oid) < left_to_scheduler_bytes) {
            // Every row below what every reader will have seen once this refresh commits, FULL
            // ones where the scheduler waits for them (a FULL reader behind is otherwise told
            // by the trim's record, as it is of a truncation): what the scheduler checks again.
            std::uint64_t below = std::stoull(*horizon[0][0]);
            if (const auto full = full_readers_horizon(source->oid, id, snap)) below = std::min(below, *full);
            if (pg::row_versions_below(buffer_of(source->oid), below)) {
                oldest[i] = trim_nothing;
                leave_buffers_to_scheduler();
                continue;
            }
        }
        if (!truncate_applied_buffer(source->oid, *horizon[0][0], [&](const pg::buffer_contents& stored) { return truncation_pays(source->oid, stored); }))
            continue;
        if (stream_table_catalog_oids().records_trims)
            spi::prepared(t::render(record_trim(source->oid, t::cast(t::param(2), t::type_name::catalog("xid8")))), 2)
                .execute({std::to_string(id), *horizon[0][0]}, &snap);
    }
}

const spi::plan& finish_plan(compiled_query& c, history_row history, trimming trim, bool settles) {
    auto& p = c.finish_plans[(settles ? 9 : 0) + static_cast<int>(history) * 3 + static_cast<int>(trim)];
    if (!p.valid()) p = spi::plan(finish_statement(c, history, trim, settles), finish_fixed_params + static_cast<int>(c.sources.size()), true);
    return p;
}

/// A TopK state that keeps the first rows, after `inserted` and `deleted` rows were applied to
/// it: refilled from the sources when deletions left fewer rows than the stream table shows (a
/// state that held fewer before holds the whole result), trimmed when insertions doubled it.
void refit_prefix(const topk_plan& t, const full_load& load, long long inserted, long long deleted,
                  const spi::snapshot* snap) {
    const auto& k = *t.deltas.graph.query.topk;
    const long long shown = k.limit + k.offset;
    const long long rows_after = std::stoll(*t.state_count.query({}, snap)[0][0]);
    const long long rows_before = rows_after - inserted + deleted;
    if (rows_before >= shown && rows_after < shown) {
        spi::exec(sql::ddl::truncate(t.deltas.target));
        load.plan.execute({}, snap);
    } else if (rows_after > 2 * lower::topk_prefix_rows(t.deltas.graph)) {
        t.state_trim.execute({}, snap);
    }
}

/// A TopK's stream table becomes the first rows of its maintained result, as a difference:
/// the rows it inserted and deleted.
std::pair<long long, long long> take_top(const topk_plan& t, const spi::snapshot* snap) {
    auto counts = t.take_top.query({}, snap);
    return {std::stoll(*counts[0][0]), std::stoll(*counts[0][1])};
}

/// Takes a refresh's snapshot into `snap`; returns whether some of `sources` are captured
/// from the WAL. Their changes that committed before it are then decoded into the buffers and
/// visible in it first, when the refresh may apply them (`applies_changes`; one that recomputes
/// regardless applies what its snapshot sees, whenever it is decoded).
/// An atomic group's member (`group`) takes the group's snapshot, decoded already for the
/// sources the group found; `undecoded` is set when some of this member's are not among them.
bool take_snapshot(std::optional<spi::snapshot>& snap, const std::vector<unsigned>& sources, bool applies_changes,
                   const group_snapshot* group, bool& undecoded) {
    // Looked at after the snapshot, and as it sees the catalog: a source moved to the WAL
    // before it, and written since, has changes the snapshot sees that no trigger captured; a
    // source's window closed by a decoding pass that committed after it still holds rows the
    // snapshot does not see, stamped with transactions it does. (Taken again after decoding.)
    snap.emplace();
    const std::vector<unsigned> decoded = sources.empty() ? sources : wal::wal_sources(sources, &*snap);
    undecoded = group && std::ranges::any_of(decoded, [&](unsigned s) { return std::ranges::find(group->decoded, s) == group->decoded.end(); });
    if (!decoded.empty() && applies_changes && !group) {
        snap.reset();
        wal::take_decoded_snapshot(snap, decoded);
    }
    return !decoded.empty();
}

/// The distribution values of the stored rows a change touches (compiled_query::shard_pruning),
/// as an array literal: those of the pending rows of the changed sources; NULL where one of
/// them is not keyed or had its values not listed (a large change).
spi::param touched_shard_values(const compiled_query& c, const claimed_batches& claimed, unsigned long long changed) {
    std::string listed;
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
        if (((changed >> i) & 1) == 0) continue;
        if (!c.pruning->keyed[i]) return std::nullopt;
        const citus::batches& b = claimed.at(c.sources[i]->oid);
        // (One-dimensional array literals, `{…}`: their elements join into one.)
        if (!b.pulled || !b.values || b.values->size() < 2 || b.values->front() != '{' || b.values->back() != '}') return std::nullopt;
        const std::string elements = b.values->substr(1, b.values->size() - 2);
        if (!elements.empty()) listed += (listed.empty() ? "" : ",") + elements;
    }
    return "{" + listed + "}";
}

/// A delta statement's parameters: the frontier, then, when it reads no Citus source, for each
/// source the tid its buffer is read from (pending::read_from); when it does, for each source
/// the last of its batches the stream table applied, then for each the distribution values of
/// its pending changes where they are read in place (NULL for the others), then
/// `shard_values`, those of the stored rows the change touches (touched_shard_values).
std::vector<spi::param> delta_parameters(const compiled_query& c, const start_point& f, const pending& p, const claimed_batches& claimed,
                                         const spi::param& shard_values) {
    std::vector<spi::param> params{f.snapshot, f.xid, f.frontier_stmt};
    if (!c.reads_citus()) {
        params.insert(params.end(), p.read_from.begin(), p.read_from.end()); // (one per source: pending_changes)
        return params;
    }
    for (std::size_t i = 0; i < c.sources.size(); ++i)
        params.push_back(c.citus[i] ? spi::param(std::to_string(claimed.at(c.sources[i]->oid).applied)) : std::nullopt);
    for (std::size_t i = 0; i < c.sources.size(); ++i)
        params.push_back(c.in_place[i] ? claimed.at(c.sources[i]->oid).values : std::nullopt);
    if (c.pruning) params.push_back(shard_values);
    return params;
}

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};

/// Whether a full load of `comp` is compiled by JIT, as REFRESH MATERIALIZED VIEW of its
/// defining query would be: the session has jit on and PostgreSQL's plan of that query passes
/// jit_above_cost. (A load's plan of a decorrelated query has many more expressions, and an
/// estimate that passes the threshold where the query's does not: compiling them took seconds
/// for a nested EXISTS over twenty rows.)
bool load_compiles(const stream_table& st, compiled_query& comp) {
    const server::session_jit_scope session;
    if (!session.compiles()) return false;
    // (Over Citus tables the coordinator's plan hardly matters: not planned twice.)
    if (comp.reads_citus()) return true;
    if (!comp.query_cost) comp.query_cost = server::analyzer::planned_cost(st.defining_query);
    return server::jit_compiles(*comp.query_cost);
}

/// Whether a full load of `comp` runs its defining query as written (where its storage allows)
/// rather than its circuit's load: when PostgreSQL estimates the circuit's plan at more than a
/// hundred times the query's; and where the circuit lifts a correlated subquery, unless it
/// estimates the query's at more than a hundred times the circuit's. A lifted subquery is
/// evaluated for every distinct outer value, where PostgreSQL's own plan may evaluate it for
/// few rows or none (nested EXISTS over 20 rows: a load 30 times slower; a sqlsmith query's
/// passed 60 s), and the estimates of its repeated joins compound: over tables never analyzed,
/// a load priced at an 18th of the query's ran past 120 s where the query took 37 ms.
bool loads_as_written(const stream_table& st, compiled_query& comp) {
    if (comp.reads_citus()) return false; // (Citus plans each: not planned twice)
    if (!comp.load_cost) comp.load_cost = server::analyzer::planned_cost(comp.load.select);
    if (!comp.query_cost) comp.query_cost = server::analyzer::planned_cost(st.defining_query);
    if (const auto* inc = comp.incremental(); inc && lifts_subquery(inc->graph)) return *comp.query_cost <= 100 * std::max(*comp.load_cost, 1.0);
    return *comp.load_cost > 100 * std::max(*comp.query_cost, 1.0);
}

/// The planner's estimate of what reload() of a differentially maintained `comp` runs: its
/// storage's load (the defining query as written, or the circuit's load) and the loads of its
/// aggregate state tables.
double recompute_cost(const stream_table& st, compiled_query& comp) {
    if (!comp.load_cost) comp.load_cost = server::analyzer::planned_cost(comp.load.select);
    double cost = *comp.load_cost;
    if (std::holds_alternative<differential_plan>(comp.plan) && !comp.load.query_load.empty() && loads_as_written(st, comp))
        cost = *comp.query_cost;
    if (!comp.states_cost) {
        comp.states_cost = 0.0;
        if (const auto* inc = comp.incremental())
            for (const auto& def : inc->aggregate_state_defs) *comp.states_cost += server::analyzer::planned_cost(def.select);
    }
    return cost + *comp.states_cost;
}

} // namespace

refresh_outcome reload(const stream_table& st, compiled_query& comp, unsigned owner, const spi::snapshot& snap) {
    refresh_outcome out{st.needs_reinit ? refresh_action::reinitialize : refresh_action::full};
    server::role_scope as_owner(owner, true);
    std::optional<server::session_jit_scope> as_session;
    if (load_compiles(st, comp)) as_session.emplace();
    server::refresh_writes_scope writes;
    auto load_storage = [&] {
        auto load = [&] { out.inserted = fill(st.qualified(), st.relid, comp.load, snap); };
        auto as_written = [&] {
            spi::exec(sql::ddl::truncate(st.qualified()));
            out.inserted = static_cast<long long>(spi::plan(comp.load.query_load, 0).execute({}, &snap));
        };
        if (comp.load.query_load.empty())
            load();
        else if (loads_as_written(st, comp))
            as_written();
        else
            on_data_exception(st, load, "its full recomputation", as_written, "loaded from its defining query as written");
        rebuild_aggregate_states(comp, owner, snap);
    };
    std::visit(overloaded{[&](const topk_plan& t) {
                              fill(t.deltas.target, relid_of(t.deltas.target), comp.load, snap);
                              rebuild_aggregate_states(comp, owner, snap);
                              std::tie(out.inserted, out.deleted) = take_top(t, &snap);
                          },
                          [&](const full_plan& f) {
                              // Readers downstream get the difference, not a TRUNCATE that
                              // forces them to recompute.
                              if (!st.is_populated || !is_captured(st.relid)) return load_storage();
                              ensure_row_id_index(st, false);
                              out.action = refresh_action::full;
                              auto counts = f.difference_plan.query({}, &snap);
                              out.inserted = std::stoll(*counts[0][0]);
                              out.deleted = std::stoll(*counts[0][1]);
                          },
                          [&](const differential_plan&) { load_storage(); }},
               comp.plan);
    return out;
}

namespace {

/// The settings a differential statement is planned and run with.
/// A delta touches few rows, but its correlated subqueries look costly to the planner, whose
/// JIT compilation would then cost more than the refresh itself. It reads those rows through
/// indexes whose pages are mostly cached: at the default random_page_cost of 4 the planner
/// would rather hash or merge whole tables.
std::vector<std::pair<std::string, std::string>> delta_settings(const compiled_query& comp) {
    std::vector<std::pair<std::string, std::string>> settings{{"jit", "off"}, {"random_page_cost", "1.1"}};
    if (comp.reads_citus()) settings.emplace_back("plan_cache_mode", "force_custom_plan");
    return settings;
}

/// How many times the cost of recomputing a differential statement may be estimated at. (The
/// estimates of both are often far off, but in the same way: a delta that joins a change with
/// whole tables many times over is priced thousands of times a recomputation, an ordinary one
/// below it.) Below delta_cost_floor (the planner's units: a sequential page read is 1) it
/// runs whatever the ratio: a filter over a tiny table costs less to load than its delta's
/// reading of the change buffer, whose size the planner guesses.
constexpr double delta_cost_limit = 100, delta_cost_floor = 1e6;

} // namespace

std::optional<std::string> costlier_than_recompute(const stream_table& st, compiled_query& comp, unsigned owner, const spi::plan& delta) {
    if (comp.reads_citus()) return std::nullopt; // (planned anew at each run, with its values)
    server::role_scope as_owner(owner, true);
    const double load = std::max(recompute_cost(st, comp), 1.0);
    const server::guc_scope settings(delta_settings(comp));
    const double cost = delta.make_generic_plan();
    if (cost <= delta_cost_floor || cost <= delta_cost_limit * load) return std::nullopt;
    char reason[160];
    std::snprintf(reason, sizeof reason, "its differential statement is estimated at %.3g times the cost of recomputing it", cost / load);
    server::notice("stream table " + st.display() + ": " + reason + "; recomputed instead");
    return std::string(reason);
}

refresh_outcome apply_delta(compiled_query& comp, unsigned owner, const spi::plan& delta, bool counted,
                            const std::vector<spi::param>& params, const spi::snapshot* snap, planning_clock* planning, const spi::plan* fill,
                            const spi::plan* insert_rows) {
    server::role_scope as_owner(owner, true);
    server::refresh_writes_scope writes;
    const server::guc_scope settings(delta_settings(comp));
    if (planning) {
        delta.make_generic_plan();
        planning->ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - planning->since).count();
    }
    if (!counted) return {refresh_action::differential, static_cast<long long>(delta.execute(params, snap)), 0};
    // (With a stage, the change computed into it first; the apply reads no change relation.)
    if (fill) fill->execute(params, snap);
    auto counts = delta.query(fill ? std::vector<spi::param>{} : params, snap);
    const long long inserted = std::stoll(*counts[0][0]), deleted = std::stoll(*counts[0][1]);
    if (insert_rows && insert_rows->valid() && inserted > 0)
        insert_rows->execute(std::vector<spi::param>(counts[0].begin() + 3, counts[0].end()), snap);
    refresh_outcome out{refresh_action::differential, inserted + std::stoll(*counts[0][2]), deleted + std::stoll(*counts[0][2])};
    const auto* t = std::get_if<topk_plan>(&comp.plan);
    if (!t) return out;
    // A TopK: the delta changed its state; the stream table follows.
    const bool state_changed = out.inserted + out.deleted > 0;
    out.inserted = out.deleted = 0;
    if (!state_changed) return out;
    if (t->state_count.valid()) refit_prefix(*t, comp.load, inserted, deleted, snap);
    std::tie(out.inserted, out.deleted) = take_top(*t, snap);
    return out;
}

bool on_data_exception(const stream_table& st, const std::function<void()>& attempt, const char* attempted,
                       const std::function<void()>& instead, const char* done_instead) {
    try {
        pg::in_subtransaction(attempt);
        return false;
    } catch (const error& e) {
        if (!e.code().starts_with("22") && e.code() != sqlstate::feature_not_supported) throw;
        server::notice("stream table " + st.display() + ": " + attempted + " raised " + e.code() + " (" + e.what() + "); " +
                       done_instead);
    }
    instead();
    return true;
}

namespace {

/// The scheduler retries a stream table in ERROR (with back-off); users resume it first.
void require_refreshable(const stream_table& st, initiator who) {
    if ((who == initiator::manual && st.status == st_status::error) || (who != initiator::initial && st.status == st_status::suspended))
        throw error(sqlstate::invalid_parameter_value, "invalid argument: stream table " + st.display() + " is " +
                                                           (st.status == st_status::suspended ? "suspended" : "in error state") +
                                                           " ; use pgtrickle.resume_stream_table('" + st.display() + "') first");
}

/// An AUTO stream table's auto_costs after refresh `out`, measured from `started` less
/// `excluded_ms` and the planning of its statement (`planned`, when it planned one: the first
/// differential refresh of a size in a session, which costs many times what the next ones do;
/// kept apart, and priced where a session has not planned it yet). Null when it did nothing;
/// unmeasured when it rebuilt the row-id index first (not what applying such a change costs).
spi::param learned_costs(const stream_table& st, const refresh_outcome& out, const std::optional<auto_decision>& choice,
                         std::chrono::steady_clock::time_point started, double excluded_ms, std::optional<double> planned, bool index_rebuilt) {
    const long long records = choice ? choice->change_records : 0;
    if (out.action == refresh_action::no_data) return std::nullopt;
    if (out.action == refresh_action::differential && index_rebuilt) return costs_after_index_rebuilt(st);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return measured_costs(st, out.action != refresh_action::differential, records, ms - excluded_ms - planned.value_or(0), planned, choice);
}

/// The refresh history's reason: AUTO's choice, and why a differential refresh recomputed.
spi::param refresh_reason(const std::optional<auto_decision>& choice, const std::optional<std::string>& recomputed_because) {
    if (!choice && !recomputed_because) return std::nullopt;
    std::string reason = choice ? "AUTO: " + choice->reason : std::string();
    if (recomputed_because) reason += (reason.empty() ? "" : "; ") + ("recomputed: " + *recomputed_because);
    return reason;
}

} // namespace

refresh_outcome refresh(long long id, initiator who, std::optional<long long> history, bool recompute, const group_snapshot* group) {
    // (Every transaction on a standby is read-only: the standby's own reason comes first.)
    if (server::in_recovery())
        throw error(sqlstate::read_only_sql_transaction, "cannot refresh a stream table during recovery (on a standby)");
    if (server::read_only_transaction())
        throw error(sqlstate::read_only_sql_transaction, "cannot refresh a stream table in a read-only transaction");

    // A refresh's own statements read catalogs and change buffers, and a large buffer makes the
    // planner's estimate pass jit_above_cost: compiling the statement that trims it took 25–35
    // ms where running it took well under one. They are not compiled; loads (reload) are as
    // the session says, as REFRESH MATERIALIZED VIEW's.
    const server::no_jit_scope no_jit;
    const server::oid ext_owner = server::extension_owner();
    // Changes this transaction made are visible to it, but only committed ones can be decoded
    // from the WAL (below): after writes, a refresh reading WAL-captured sources recomputes.
    const bool wrote_before = group ? group->wrote_before : server::transaction_has_xid();
    // Serialises refreshes, IMMEDIATE maintenance, ALTER and DROP of the stream table (all
    // take this lock first).
    maintainers::lock(id);
    std::optional<start_point> locked;
    {
        server::role_scope as_ext(ext_owner, false);
        locked = lock_and_start(id);
    }
    if (!locked) throw error(sqlstate::undefined_table, "stream table " + std::to_string(id) + " was dropped");
    start_point& f = *locked;
    const stream_table* st = &f.st;
    const bool immediate = st->refresh_mode == mode::immediate;
    require_refreshable(*st, who);

    // Its SQL runs with the owner's rights and means what it meant at its creation, whatever
    // the caller's settings.
    const server::query_settings_scope settings(st->settings);
    auto& comp = compiled_for(*st);
    const std::vector<unsigned> source_oids = oids_of(comp.sources);
    const unsigned owner = checked_owner(*st, source_oids, who == initiator::initial);
    const bool differential = comp.incremental() != nullptr;
    // (IMMEDIATE stream tables read no Citus source: refused at creation.)
    std::optional<server::guc_scope> unanalyzed; // (outside few_connections, which may end first)
    if (comp.reads_citus() && server::setting_exists(citus_without_analyze[0].first)) unanalyzed.emplace(citus_without_analyze, true);
    std::optional<server::guc_scope> few_connections;
    if (comp.reads_citus() && (comp.options.distribution_column.empty() || comp.pruning) && !recompute)
        few_connections.emplace(one_connection_per_worker);
    claimed_batches claimed = immediate ? claimed_batches{} : lock_citus_changes(comp, id);
    // Everything that reads data from here on sees this one snapshot.
    std::optional<spi::snapshot> taken;
    bool undecoded = false; // (a group member's source the group's snapshot was not decoded for)
    const bool decoding = take_snapshot(taken, immediate || !f.wal_capture ? std::vector<unsigned>{} : source_oids, differential && !wrote_before,
                                        group, undecoded);
    const spi::snapshot& snap = *taken;
    // AUTO's measure of this refresh starts here: waiting for the WAL decoder or for writers of
    // Citus sources is the same for either choice, and a change that had to wait would teach
    // it that applying costs what recomputing does.
    const auto started = std::chrono::steady_clock::now();
    pending p;
    // (A FULL refresh recomputes whatever is pending: it need not look.) AUTO counts the changes.
    const bool automatic = st->requested_mode == mode::automatic && differential && !immediate;
    // (Where AUTO's recomputation left the row-id index out, applying must rebuild it first.)
    const auto* keyed = std::get_if<differential_plan>(&comp.plan);
    const bool index_missing = keyed && !has_row_id_index(*st);
    if (f.has_frontier() && !immediate && differential && !recompute)
        p = pending_changes(comp, f, snap, claimed, automatic ? &*st : nullptr);
    // IMMEDIATE stream tables read no change buffer: asked to refresh, they recompute.
    const bool full = recompute || !differential || immediate || !f.has_frontier() || !st->is_populated || st->needs_reinit ||
                      p.truncated || (decoding && (wrote_before || undecoded)) || !aggregate_states_exist(comp);
    // AUTO chooses, refresh by refresh, between applying the changes and recomputing.
    std::optional<auto_decision> choice;
    const long long cap = change_cap(p.most_records);
    // (A large change only: a small one's test against the frontier costs little, and each
    // variant is one more plan to make.)
    const bool only_pending = cap == 0 && p.only_pending;
    // (A Citus source's statement is planned at every execution, in what its refreshes measure.)
    const bool planned_now = p.changed != 0 && !comp.delta_prepared(p.changed, cap, only_pending) && !comp.reads_citus();
    if (!full && p.changed != 0 && automatic) choice = choose_auto(*st, p.sizes, index_missing, planned_now);
    refresh_outcome out;
    const spi::param shard_values = comp.pruning ? touched_shard_values(comp, claimed, p.changed) : std::nullopt;
    if (full || (choice && choice->full) || cap == 0 || (comp.pruning && !shard_values)) few_connections.reset();
    std::optional<planning_clock> planning; // (where a differential refresh plans its statement)
    bool fell_back = false;
    std::optional<std::string> recomputed_because; // (costlier_than_recompute)
    double index_ms = 0; // spent building the row-id index after a full load
    if (full || (choice && choice->full)) {
        // AUTO's full loads go without the row-id index, and are measured without it: it is
        // built after them, or, after a recomputation of a large result, left to the next
        // differential refresh.
        // (Not a distributed storage's: its index is rebuilt on every shard, through Citus.)
        const bool unindexed_load = automatic && keyed && comp.options.distribution_column.empty();
        if (unindexed_load) {
            server::role_scope as_owner(owner, true);
            drop_row_id_index(*st);
        }
        out = reload(*st, comp, owner, snap);
        if (unindexed_load && !(choice && defers_row_id_index(*st, comp))) {
            const auto loaded = std::chrono::steady_clock::now();
            server::role_scope as_owner(owner, true);
            ensure_row_id_index(*st, keyed->unique_row_id);
            index_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - loaded).count();
        }
    } else if (p.changed == 0) {
        out.action = refresh_action::no_data;
    } else {
        if (index_missing) {
            server::role_scope as_owner(owner, true);
            create_row_id_index(*st, keyed->unique_row_id);
        }
        fell_back = on_data_exception(
            *st,
            [&] {
                if (planned_now) planning.emplace();
                const delta_statements& delta = comp.delta_plan(p.changed, cap, only_pending);
                if (!delta.priced) {
                    delta.recompute_because = costlier_than_recompute(*st, comp, owner, delta.apply);
                    delta.priced = true;
                }
                if (delta.recompute_because) {
                    recomputed_because = delta.recompute_because;
                    out = reload(*st, comp, owner, snap);
                    return;
                }
                out = apply_delta(comp, owner, delta.apply, true, delta_parameters(comp, f, p, claimed, shard_values), &snap,
                                  planning ? &*planning : nullptr, delta.fill.valid() ? &delta.fill : nullptr, &delta.insert_rows);
                compiled_query::done_with_stage(delta);
            },
            "its differential refresh", [&] { out = reload(*st, comp, owner, snap); }, "recomputed in full");
    }

    // AUTO learns from every refresh that did something, its creation's full load included.
    const spi::param costs = st->requested_mode == mode::automatic && differential
                                 ? learned_costs(*st, out, choice, started, index_ms,
                                                 planning && out.action == refresh_action::differential ? std::optional(planning->ms) : std::nullopt,
                                                 index_missing)
                                 : std::nullopt;
    server::role_scope as_ext(ext_owner, false);
    // (A refresh that found nothing leaves the buffers to the next one that applies something:
    // the rows it could trim are the few a previous refresh applied but could not yet trim.)
    // (Asked only of a refresh that trims: one that found nothing need not read the catalog.)
    const bool trims = !immediate && out.action != refresh_action::no_data;
    const bool deferred = trims && (std::holds_alternative<full_plan>(comp.plan) ||
                                    (st->requested_mode == mode::automatic && out.action != refresh_action::differential &&
                                     read_by_differential(source_oids, id)));
    const trimming trim = !trims ? trimming::none : deferred ? trimming::deferred : trimming::own;
    const history_row row = history                                          ? history_row::complete
                            : out.action != refresh_action::no_data || who == initiator::manual ? history_row::add
                                                                                  : history_row::none;
    const bool fallback = fell_back || recomputed_because || (choice && choice->full) || (full && differential && f.has_frontier() && st->is_populated);
    p.oldest.resize(comp.sources.size()); // (NULL for a source not counted)
    if (trim == trimming::own) truncate_applied_buffers(comp, id, snap, p.oldest);
    const bool settled = st->status == st_status::active && st->is_populated && !st->needs_reinit && st->consecutive_errors == 0;
    std::vector<spi::param> finish_params{std::to_string(id), f.stmt, action_name(out.action), std::to_string(out.inserted),
                                          std::to_string(out.deleted), fallback ? "true" : "false", f.start_time, initiator_name(who),
                                          history ? spi::param(std::to_string(*history)) : std::nullopt,
                                          choice ? spi::param(std::to_string(choice->change_records)) : std::nullopt,
                                          refresh_reason(choice, recomputed_because), costs};
    finish_params.insert(finish_params.end(), p.oldest.begin(), p.oldest.end());
    finish_plan(comp, row, trim, !settled).execute(finish_params, &snap);
    claim_read_changes(comp, claimed, id);
    return out;
}

namespace {

/// Marks history row `history` failed, or adds a failed one.
void record_failed_history(long long id, initiator who, const std::string& sqlstate, const std::string& message,
                           std::optional<long long> history) {
    // (A 0.1.0 catalog, which the library also serves, records no SQLSTATE.)
    const spi::param code = stream_table_catalog_oids().has_settings ? spi::param(sqlstate) : std::nullopt;
    if (history) {
        t::update failed;
        failed.target = "pgtrickle.pgt_refresh_history";
        failed.set = {{"status", t::text("FAILED")}, {"end_time", t::fn("clock_timestamp", {})}, {"error_message", as_text(t::param(2))}};
        if (code) failed.set.push_back({"error_sqlstate", as_text(t::param(3))});
        failed.where_condition = t::eq(t::col("", "refresh_id"), as_int8(t::param(1)));
        spi::exec(t::render(failed), {std::to_string(*history), message, code});
    } else {
        std::vector<std::string> columns{"pgt_id", "data_timestamp", "start_time", "end_time", "action", "status", "error_message", "initiated_by"};
        const t::expr mode = t::col("s", "refresh_mode");
        t::select row({refreshing_id(), t::fn("now", {}), t::fn("now", {}), t::fn("clock_timestamp", {}),
                       t::case_when({{t::eq(mode, t::text("FULL")), t::text("FULL")}}, t::text("DIFFERENTIAL")), t::text("FAILED"),
                       as_text(t::param(2)), as_text(t::param(3))});
        if (code) {
            columns.emplace_back("error_sqlstate");
            row.items.emplace_back(as_text(t::param(4)));
        }
        row.from("pgtrickle.pgt_stream_tables", "s").where(t::eq(t::col("s", "pgt_id"), refreshing_id()));
        const t::insert failed{"pgtrickle.pgt_refresh_history", std::move(columns), row, {}};
        spi::exec(t::render(failed), {std::to_string(id), message, initiator_name(who), code});
    }
}

} // namespace

void record_interruption(long long id, initiator who, const std::string& sqlstate, const std::string& message,
                         std::optional<long long> history) {
    server::role_scope as_ext(server::extension_owner(), false);
    record_failed_history(id, who, sqlstate, message, history);
}

bool record_failure(long long id, initiator who, const std::string& sqlstate, const std::string& message, int max_errors,
                    std::optional<long long> history) {
    // (After a refresh that holds the lock has read the row: it settles the errors recorded
    // before it, and a failure recorded after it counts.)
    maintainers::lock(id);
    server::role_scope as_ext(server::extension_owner(), false);
    record_failed_history(id, who, sqlstate, message, history);
    // A failure that passes by itself (a node that did not answer, a lock not had in time, a
    // deadlock or serialization failure, a shutdown) leaves the stream table in ERROR, retried
    // with back-off until it succeeds; others suspend it after max_errors.
    const bool passes = sqlstate.starts_with("08") || sqlstate.starts_with("57P0") || sqlstate == "55P03" || sqlstate == "40P01" ||
                        sqlstate == "40001";
    auto suspended = spi::scalar(
        "UPDATE pgtrickle.pgt_stream_tables SET consecutive_errors = consecutive_errors + 1, "
        "last_error_message = $2, last_error_at = now(), "
        "status = CASE WHEN consecutive_errors + 1 >= $3::int AND NOT $4::bool THEN 'SUSPENDED' ELSE 'ERROR' END "
        "WHERE pgt_id = $1::int8 RETURNING status = 'SUSPENDED'",
        {std::to_string(id), message, std::to_string(max_errors), passes ? "true" : "false"});
    return suspended == "t";
}

} // namespace pgt::ext

namespace pgt::ext {

namespace {

/// A stream table's frontier ($1 snapshot, $2 xid, $3 statement) and whether it is populated
/// and current (not awaiting reinitialisation). None for IMMEDIATE stream tables: nothing waits
/// for them in a change buffer.
struct frontier_state {
    std::vector<spi::param> frontier;
    bool ready;
    bool full; ///< a FULL stream table (whose unseen changes a trim may have deleted)
};

std::optional<frontier_state> frontier_of(long long id) {
    auto f = spi::prepared("SELECT frontier_snapshot::text, frontier_xid::text, frontier_stmt::text, "
                           "is_populated AND NOT needs_reinit, refresh_mode = 'FULL' FROM pgtrickle.pgt_stream_tables "
                           "WHERE pgt_id = $1::int8 AND refresh_mode <> 'IMMEDIATE'",
                           1)
                 .query({std::to_string(id)});
    if (f.empty()) return std::nullopt;
    return frontier_state{{f[0][0], f[0][1], f[0][2]}, f[0][0] && f[0][3] == "t", f[0][4] == "t"};
}

/// The captured sources of stream table `id`.
std::vector<unsigned> captured_sources(long long id) {
    std::vector<unsigned> sources;
    for (const auto& r : spi::prepared("SELECT d.source_relid::text FROM pgtrickle.pgt_dependencies d "
                                       "JOIN pgtrickle.pgt_change_tracking USING (source_relid) WHERE d.pgt_id = $1::int8",
                                       1)
                             .query({std::to_string(id)}))
        sources.push_back(static_cast<unsigned>(std::stoul(*r[0])));
    return sources;
}

long long count_pending(unsigned source_relid, const std::vector<spi::param>& frontier) {
    if (!frontier[0])
        return std::stoll(*spi::prepared(sql::tree::render(sql::tree::select({sql::tree::count_all()}).from(buffer_name(source_relid), "b")), 0)
                               .query({})[0][0]);
    // (The refresh's own count, in C: a statement tested each record's visibility in the
    // frontier's snapshot by two function calls, a third of a second for 1,000,000 records held
    // for a slower reader, at every look of the monitoring views.)
    const unsigned buffer = buffer_of(source_relid);
    if (buffer == 0) return 0;
    const spi::snapshot snap;
    // (Every record read, from the first page: no limit to stop at, and no sample.)
    const bool whole_buffer = true;
    return pg::count_pending(buffer, pg::frontier_text{*frontier[0], *frontier[1], *frontier[2]}, std::numeric_limits<long long>::max(), snap,
                             whole_buffer)
        .records;
}

} // namespace

/// The Citus-captured sources of stream table `id` (none on a catalog before 0.3.0).
std::vector<unsigned> citus_sources(long long id) {
    std::vector<unsigned> sources;
    if (server::relation_oid_if_any("pgtrickle", "pgt_citus_sources") == 0) return sources;
    for (const auto& r : spi::prepared("SELECT d.source_relid::text FROM pgtrickle.pgt_dependencies d "
                                       "JOIN pgtrickle.pgt_citus_sources USING (source_relid) WHERE d.pgt_id = $1::int8",
                                       1)
                             .query({std::to_string(id)}))
        sources.push_back(static_cast<unsigned>(std::stoul(*r[0])));
    return sources;
}

long long pending_changes(long long id) {
    // Buffers are read as the extension owner: monitoring answers for every role.
    server::role_scope as_ext(server::extension_owner(), false);
    auto state = frontier_of(id);
    if (!state) return 0;
    if (!state->ready) return 1;
    long long total = 0;
    for (unsigned source : captured_sources(id)) total += count_pending(source, state->frontier);
    for (unsigned source : citus_sources(id))
        total += citus::count_pending(source, citus::applied_batch(id, source), std::numeric_limits<long long>::max()).records;
    return total;
}

bool has_pending_changes(long long id) {
    server::role_scope as_ext(server::extension_owner(), false);
    auto state = frontier_of(id);
    if (!state) return false;
    if (!state->ready) return true;
    const auto sources = captured_sources(id);
    // (A trim past a FULL stream table's frontier deleted changes it had not seen; other
    // readers hold the trims back.)
    if (state->full && state->frontier[0] && stream_table_catalog_oids().records_trims &&
        spi::prepared("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = ANY ($1::pg_catalog.oid[]) "
                      "AND trimmed_below > pg_catalog.pg_snapshot_xmin($2::pg_catalog.pg_snapshot)",
                      2)
            .query({spi::integer_array(sources), state->frontier[0]})
            .size() > 0)
        return true;
    for (unsigned source : citus_sources(id)) {
        // (A node that does not answer: the refresh tries, and records why it failed.)
        bool any = true;
        try {
            pg::in_subtransaction([&] { any = citus::has_pending(source, citus::applied_batch(id, source)); });
        } catch (const error& e) {
            if (interruption(e)) throw;
        }
        if (any) return true;
    }
    if (!state->frontier[0]) {
        for (unsigned source : sources)
            if (spi::prepared(any_row(sql::tree::select().from(buffer_name(source), "b")), 0).query({})[0][0] == "t") return true;
        return false;
    }
    // Counted to one, from the buffer's last page back, where a new change is: a statement's
    // scan read from the first page, through every record applied but held for a slower
    // reader (a 1,000,000-record buffer: about half a second per question, which the scheduler
    // asks of each stream table after each change).
    const pg::frontier_text frontier{*state->frontier[0], *state->frontier[1], *state->frontier[2]};
    const spi::snapshot snap;
    for (unsigned source : sources) {
        const unsigned buffer = buffer_of(source);
        if (buffer == 0 || pg::count_pending(buffer, frontier, 1, snap).records > 0) return true;
    }
    return false;
}

bool may_remove_rows(long long id, const std::vector<unsigned>& besides) {
    server::role_scope as_ext(server::extension_owner(), false);
    auto state = frontier_of(id);
    if (!state || !state->ready || state->full) return true;
    std::vector<unsigned> outside;
    for (const auto& r : spi::prepared("SELECT d.source_relid::text, t.source_relid IS NOT NULL FROM pgtrickle.pgt_dependencies d "
                                       "LEFT JOIN pgtrickle.pgt_change_tracking t USING (source_relid) WHERE d.pgt_id = $1::int8",
                                       1)
                             .query({std::to_string(id)})) {
        const auto relid = static_cast<unsigned>(std::stoul(*r[0]));
        if (std::find(besides.begin(), besides.end(), relid) != besides.end()) continue;
        if (r[1] != "t") return true;
        outside.push_back(relid);
    }
    if (!wal::wal_sources(outside).empty()) return true;
    for (unsigned source : outside)
        if (spi::prepared(any_row(pending_rows(source, "b", sql::tree::ne(sql::tree::col("b", "__pgt_action"), sql::tree::text("I")))), 3)
                .query(state->frontier)[0][0] == "t")
            return true;
    return false;
}

long long pending_rows(long long id, unsigned source_relid) {
    server::role_scope as_ext(server::extension_owner(), false);
    auto state = frontier_of(id);
    if (!state || !is_captured(source_relid)) return 0;
    return count_pending(source_relid, state->frontier);
}

} // namespace pgt::ext
