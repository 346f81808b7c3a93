#include "capture/wal_capture.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "pgt/error.hpp"
#include "pgt/sql/ddl.hpp"
#include "pgt/sql/tree.hpp"

#include "capture/capture.hpp"
#include "capture/wal_decoder.hpp"
#include "capture/wal_progress.hpp"
#include "pg/async_commits.hpp"
#include "pg/gucs.hpp"
#include "pg/notices.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/wal.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/wal_reader.hpp"

namespace pgt::ext::wal {

namespace {

/// A captured source: how it is captured now, and whether its readers would have it read from
/// the WAL.
struct source_state {
    unsigned relid = 0;
    std::string mode; ///< TRIGGER, TRANSITIONING or WAL
    bool wants_wal = false;
};

/// The captured sources (those of `relids`, when given) and whether each should be read from the WAL.
/// (Whether the server allows it is read here, as a refresh reads it, not through
/// pgtrickle._wal_available(): a catalog updated by an earlier 0.3.0 build has SQL's reading.)
std::vector<source_state> sources(const std::optional<std::vector<unsigned>>& relids = std::nullopt) {
    const bool available = server::wal_level_logical() && plugin_allowed();
    std::vector<source_state> out;
    // (Prepared, as the statements below: the scheduler runs them at every pass.)
    for (const auto& r : spi::prepared(
             "SELECT t.source_relid::int8, t.cdc_mode, "
             "c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables u WHERE u.pgt_relid = t.source_relid) "
             "AND pg_catalog.bool_and(s.refresh_mode <> 'IMMEDIATE') "
             "AND pg_catalog.bool_and(COALESCE(s.requested_cdc_mode, 'auto') IN ('auto', 'wal')) "
             "FROM pgtrickle.pgt_change_tracking t JOIN pg_catalog.pg_class c ON c.oid = t.source_relid "
             "JOIN pgtrickle.pgt_dependencies d ON d.source_relid = t.source_relid "
             "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id "
             "WHERE $1::pg_catalog.oid[] IS NULL OR t.source_relid = ANY ($1::pg_catalog.oid[]) "
             "GROUP BY t.source_relid, t.cdc_mode, c.relkind ORDER BY 1",
             1)
                             .query({relids ? spi::param(spi::integer_array(*relids)) : spi::param()}))
        out.push_back({static_cast<unsigned>(std::stoul(*r[0])), *r[1], available && r[2] == "t"});
    return out;
}

/// The slot's state: absent, usable, or lost (its WAL removed: max_slot_wal_keep_size).
enum class slot_status { absent, usable, lost };
slot_status slot() {
    auto r = spi::prepared("SELECT wal_status FROM pg_catalog.pg_replication_slots WHERE slot_name = $1", 1).query({slot_name()});
    if (r.empty()) return slot_status::absent;
    return r[0][0] == "lost" ? slot_status::lost : slot_status::usable;
}

std::uint64_t parse_lsn(const std::string& text) {
    const auto slash = text.find('/');
    return (std::stoull(text.substr(0, slash), nullptr, 16) << 32) | std::stoull(text.substr(slash + 1), nullptr, 16);
}

/// Readers of `relid` recompute at their next refresh; their compiled delta may read WAL rows.
void recompute_readers(unsigned relid, const std::string& why) {
    spi::exec("UPDATE pgtrickle.pgt_stream_tables SET needs_reinit = true, generation = generation + 1, "
              "last_error_message = $2 WHERE pgt_id IN (SELECT pgt_id FROM pgtrickle.pgt_dependencies WHERE source_relid = $1::oid) "
              "AND refresh_mode <> 'IMMEDIATE'",
              {std::to_string(relid), why});
}

/// pgt_dependencies.cdc_mode shows each source's capture mode, as pgt_change_tracking has it.
void mirror_modes() {
    spi::exec("UPDATE pgtrickle.pgt_dependencies d SET cdc_mode = t.cdc_mode FROM pgtrickle.pgt_change_tracking t "
              "WHERE t.source_relid = d.source_relid AND d.cdc_mode <> t.cdc_mode");
}

/// Triggers from now on; the WAL still delivers the transactions that committed before. The
/// triggers' lock waits for the source's writers and holds new ones until this commits. Without
/// `wait`, nothing is done when another transaction holds the source (settle).
void back_to_triggers(unsigned relid, bool wait) {
    if (!wait && !server::try_lock_relation_tree(relid, server::relation_lock::share_row_exclusive)) return;
    set_capture_triggers(relid, true);
    spi::exec("UPDATE pgtrickle.pgt_change_tracking SET cdc_mode = 'TRIGGER', wal_until_lsn = CASE WHEN cdc_mode = 'WAL' "
              "THEN pg_catalog.pg_current_wal_insert_lsn() END, cdc_changed_at = now() WHERE source_relid = $1::oid",
              {std::to_string(relid)});
}

/// The WAL from now on: locked first (waits for the source's writers, holds new ones), so that
/// every transaction committing after the insert position read next has no trigger to fire.
/// Without `wait`, nothing is done when another transaction holds the source (settle).
void to_wal(unsigned relid, bool wait) {
    if (!wait && !server::try_lock_relation_tree(relid, server::relation_lock::access_exclusive)) return;
    server::internal_ddl_scope internal;
    const std::string table = *spi::scalar("SELECT $1::oid::regclass::text", {std::to_string(relid)});
    spi::exec(sql::ddl::lock_exclusively(table));
    // Updates and deletes must log whole old rows (the buffer holds them), TOASTed values too.
    if (spi::scalar("SELECT 1 FROM pg_catalog.pg_class WHERE oid = $1::oid AND relreplident <> 'f'", {std::to_string(relid)}))
        spi::exec(sql::ddl::replica_identity(table));
    set_capture_triggers(relid, false);
    spi::exec("UPDATE pgtrickle.pgt_change_tracking SET cdc_mode = 'WAL', wal_from_lsn = pg_catalog.pg_current_wal_insert_lsn(), "
              "wal_until_lsn = NULL, cdc_changed_at = now() WHERE source_relid = $1::oid",
              {std::to_string(relid)});
}

/// Sources with changes still to come from the WAL, and their windows.
std::vector<source_window> windows(const std::string& decoded) {
    std::vector<source_window> out;
    for (const auto& r : spi::prepared("SELECT source_relid::pg_catalog.int8, COALESCE(wal_from_lsn, '0/0')::pg_catalog.text, "
                                       "COALESCE(wal_until_lsn, '0/0')::pg_catalog.text FROM pgtrickle.pgt_change_tracking "
                                       "WHERE cdc_mode = 'WAL' OR wal_until_lsn > $1::pg_catalog.pg_lsn ORDER BY source_relid",
                                       1)
                             .query({decoded}))
        out.push_back({static_cast<unsigned>(std::stoul(*r[0])), parse_lsn(*r[1]), parse_lsn(*r[2])});
    return out;
}

/// The first key of the advisory lock that serialises decoding passes and what changes or
/// drops the slot's row ('pgtw'; the second key 0).
constexpr int decoding_lock_class = 0x70677477;

/// Takes the decoding lock for the rest of the transaction; without `wait`, false when another
/// holds it. An advisory lock, not a lock on pgt_wal_capture's row: a row lock would give a
/// pass a transaction id from its start, and a transaction id held while a pass decodes a
/// large transaction keeps every snapshot's xmin, and so the trimming of every change buffer,
/// behind it. (A pass takes one when it first writes.)
bool lock_decoding(bool wait) {
    namespace t = sql::tree;
    const std::vector<t::expr> key{t::integer(decoding_lock_class), t::integer(0)};
    if (wait) {
        spi::prepared(t::render(t::select({t::fn("pg_advisory_xact_lock", key)})), 0).execute({});
        return true;
    }
    return spi::prepared(t::render(t::select({t::fn("pg_try_advisory_xact_lock", key)})), 0).query({}).at(0)[0] == "t";
}

/// What decode_locked needs to know of the last pass (pgt_wal_capture's row), read with the
/// decoding lock held, under a snapshot taken after it (the last pass committed): who holds it
/// decodes. Without `wait`, nothing when another holds it already.
std::optional<spi::row> lock_last_pass(bool wait) {
    if (!lock_decoding(wait)) return std::nullopt;
    const spi::snapshot after_lock;
    auto rows = spi::prepared("SELECT decoded_lsn::text, decoder_xid::text, decoded_next_xid::text FROM pgtrickle.pgt_wal_capture", 0)
                    .query({}, &after_lock);
    if (rows.empty()) return std::nullopt;
    return rows[0];
}

/// WAL since the last decoding pass with no commit that may have changed a source.
struct quiet_stretch {
    /// When known: the transactions that may have written a source before its end and had not
    /// ended there (decoded_point::writers_in_progress), which make it a point refreshes read on from.
    std::optional<std::vector<std::uint32_t>> writers;
};

/// Whether the WAL `since` searches holds no commit that may have changed its tables. The
/// database's decoder (`continuing`) reads on from the point it published last: its passes
/// that decode nothing read only the WAL written since the one before, not all of it since the
/// last one that decoded (up to 16 MB, every few milliseconds while commits come), and each
/// publishes its end as a point, which a refresh reads on from in turn (decoded_until_now).
/// Without such a point (none since the server started, or one before the last pass, which a
/// refresh made itself), it decodes: that publishes one.
std::optional<quiet_stretch> quiet_since_last_pass(const server::commit_search& since, bool continuing) {
    if (!continuing) return server::commits_changing(since) ? std::nullopt : std::optional(quiet_stretch{});
    const auto point = decoded_now();
    if (!point || !point->writers_in_progress || point->position < since.from) return std::nullopt;
    server::commit_search tail = since;
    tail.from = point->position;
    tail.ignore = point->by;
    tail.writers_before = point->writers_in_progress;
    auto writers = server::writers_at_end_when_unchanged(tail);
    if (!writers) return std::nullopt;
    return quiet_stretch{std::move(writers)};
}

/// One decoding pass under the decoder's lock: the slot advanced to what is already durable,
/// then everything committed before now decoded into the buffers, in this transaction. Skipped
/// when the WAL since the last pass holds no commit that may have changed a source (logical
/// decoding resets the backend's caches and cached plans), unless the slot would hold back
/// 16 MB more WAL. The sources, then their buffers, are locked in the order of their oids;
/// without `wait` (the scheduler), nothing is done when one of those locks is taken: a
/// transaction dropping a buffer or a source then never deadlocks with the scheduler. The
/// database's decoder passes `decoder_until` (the WAL position when its pass began: what
/// committed before it is decoded) and decodes through its kept context (decode_continuing).
std::optional<long long> decode_locked(const spi::row& last_pass, bool wait,
                                       std::optional<std::uint64_t> decoder_until = std::nullopt) {
    const bool continuing = decoder_until.has_value();
    const std::string decoded = *last_pass[0];
    const auto w = windows(decoded);
    server::commit_search since;
    since.from = parse_lsn(decoded);
    since.ignore = last_pass[1] ? std::stoull(*last_pass[1]) : 0;
    if (last_pass[2]) since.assigned_from = std::stoull(*last_pass[2]);
    for (const auto& s : w) {
        auto table = server::lock_and_locate(s.relid, wait);
        if (!table) return std::nullopt;
        since.tables.push_back(*table);
    }
    const auto buffers = lock_buffers(w, wait);
    if (!buffers) return std::nullopt;
    // (The decoder reads up to where the WAL was when its pass began: what it wrote since need
    // not be flushed.)
    since.to = continuing ? server::flush_wal_to(*decoder_until) : server::flush_inserted_wal();
    // (A quarter of pg_trickle.wal_max_lag_mb at most: skipping must not be what exceeds it.)
    const std::uint64_t most = guc::wal_max_lag_mb > 0 ? std::min<std::uint64_t>(16, guc::wal_max_lag_mb / 4) << 20 : 16u << 20;
    if (since.to < since.from + most)
        if (const auto quiet = quiet_since_last_pass(since, continuing)) {
            publish_at_commit(since.to, server::next_full_xid(), false, quiet->writers);
            return 0;
        }
    const std::string name = slot_name();
    std::uint64_t end = since.to;
    long long rows = 0;
    std::optional<std::vector<std::uint32_t>> writers;
    if (continuing) {
        // (Flushed above, which every commit the caller waits for precedes.)
        auto pass = decode_continuing(name, since.from, end, *buffers, since.tables);
        rows = pass.rows;
        writers = std::move(pass.writers_in_progress);
    } else {
        advance_slot(name, since.from);
        // Decoding reads the WAL from the slot's restart point, which moves to a
        // running-transactions record once the slot has passed it: one here lets the next pass
        // start about here. Its end comes after every commit the caller's snapshot sees, and is
        // flushed so they can be read.
        end = server::log_running_transactions_and_flush();
        if (!w.empty()) rows = decode(name, end, *buffers);
    }
    const std::uint64_t next_xid = server::next_full_xid();
    const std::string upto = lsn_text(end);
    spi::prepared("UPDATE pgtrickle.pgt_wal_capture SET decoded_lsn = $1::pg_catalog.pg_lsn, decoder_xid = pg_catalog.pg_current_xact_id(), "
                  "decoded_next_xid = $2::pg_catalog.xid8, decoded_at = pg_catalog.now()",
                  2)
        .execute({upto, std::to_string(next_xid)});
    publish_at_commit(end, next_xid, true, writers);
    // Windows that closed before what is now decoded are done.
    spi::prepared("UPDATE pgtrickle.pgt_change_tracking SET wal_from_lsn = NULL, wal_until_lsn = NULL "
                  "WHERE cdc_mode = 'TRIGGER' AND wal_until_lsn <= $1::pg_catalog.pg_lsn",
                  1)
        .execute({upto});
    return rows;
}

/// After giving up on the slot, and after failing to make one, the scheduler waits this long
/// before making one again (a lasting cause would otherwise cost a recomputation each time).
constexpr int retry_after_abandon_s = 300;
constexpr int retry_slot_creation_s = 10;

/// When the scheduler may next make the slot (steady clock, this process).
std::chrono::steady_clock::time_point next_slot_attempt{};

/// The slot is gone or holds back too much WAL: every source goes back to triggers, the
/// changes the slot has not delivered are lost, so their readers recompute once.
void abandon(const std::string& why) {
    lock_decoding(true);
    for (const auto& r : spi::query("SELECT source_relid::int8 FROM pgtrickle.pgt_change_tracking WHERE cdc_mode <> 'TRIGGER' "
                                    "OR wal_until_lsn IS NOT NULL")) {
        const auto relid = static_cast<unsigned>(std::stoul(*r[0]));
        if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE source_relid = $1::oid AND cdc_mode = 'WAL'",
                        {*r[0]}))
            set_capture_triggers(relid, true);
        spi::exec("UPDATE pgtrickle.pgt_change_tracking SET cdc_mode = 'TRIGGER', wal_from_lsn = NULL, wal_until_lsn = NULL, "
                  "cdc_changed_at = now() WHERE source_relid = $1::oid",
                  {*r[0]});
        recompute_readers(relid, why);
    }
    mirror_modes();
    next_slot_attempt = std::chrono::steady_clock::now() + std::chrono::seconds(retry_after_abandon_s);
    spi::exec("DELETE FROM pgtrickle.pgt_wal_capture");
    spi::exec("SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots "
              "WHERE slot_name = $1 AND NOT active",
              {slot_name()});
    spi::exec("SELECT pg_catalog.pg_notify('pgtrickle_alert', pg_catalog.json_build_object('event', 'wal_capture_abandoned', "
              "'message', $1::text)::text)",
              {why});
    server::log("pg_trickle: WAL capture stopped: " + why + "; its sources are back on triggers, their stream tables "
                "recompute once, and the WAL is tried again in " + std::to_string(retry_after_abandon_s) + " s");
}

} // namespace

bool plugin_allowed() {
    const auto libraries = server::list_setting_if_any("output_plugin_libraries");
    return !libraries || std::ranges::find(*libraries, "pg_trickle") != libraries->end();
}

std::string slot_name() { return "pgtrickle_" + std::to_string(server::database_oid()); }

std::string requested_mode(const std::optional<std::string>& requested, mode refresh_mode) {
    std::string m = requested.value_or(guc::cdc_mode ? guc::cdc_mode : "auto");
    for (auto& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (m != "auto" && m != "trigger" && m != "wal")
        throw error(sqlstate::invalid_parameter_value,
                    "invalid argument: unknown cdc_mode: " + m + ". Must be 'auto', 'trigger', or 'wal'");
    if (m == "wal" && refresh_mode == mode::immediate) {
        if (requested)
            throw error(sqlstate::invalid_parameter_value,
                        "invalid argument: refresh_mode = 'IMMEDIATE' is incompatible with cdc_mode = 'wal'. "
                        "IMMEDIATE stream tables are maintained from their statements' transition rows.",
                        {}, "Use cdc_mode => 'trigger' or 'auto', or another refresh mode.");
        server::notice("pg_trickle: IMMEDIATE stream tables capture changes with triggers (pg_trickle.cdc_mode = 'wal' "
                     "applies to the others)");
        return "trigger";
    }
    if (m == "wal" && requested && !server::wal_level_logical())
        throw error(sqlstate::invalid_parameter_value, "invalid argument: cdc_mode = 'wal' requires wal_level = logical", {},
                    "Set wal_level = logical and restart PostgreSQL, or use cdc_mode => 'auto'.");
    if (m == "wal" && requested && !plugin_allowed())
        throw error(sqlstate::invalid_parameter_value,
                    "invalid argument: cdc_mode = 'wal' requires pg_trickle in output_plugin_libraries",
                    "This server loads only the logical decoding output plugins that setting names.",
                    "As a superuser: ALTER SYSTEM SET output_plugin_libraries = 'pgoutput', 'test_decoding', "
                    "'pg_trickle'; SELECT pg_reload_conf(); or use cdc_mode => 'auto'.");
    return m;
}

void settle(const std::vector<unsigned>& relids, bool wait) {
    if (relids.empty()) return;
    server::role_scope as_ext(server::extension_owner(), false);
    // Switches wait for a decoding pass to end and hold the next: a pass reads which sources it
    // decodes, and their windows, when it starts. The scheduler (without `wait`) waits for no
    // source's lock while it holds this one: a stream table's creation waits for it holding its
    // sources' locks.
    if (!lock_decoding(wait)) return;
    const bool slot_ready = spi::scalar("SELECT 1 FROM pgtrickle.pgt_wal_capture").has_value() && slot() == slot_status::usable;
    for (const auto& s : sources(relids)) {
        if (s.mode == "WAL" && !s.wants_wal)
            back_to_triggers(s.relid, wait);
        else if (s.mode == "TRANSITIONING" && !s.wants_wal)
            spi::exec("UPDATE pgtrickle.pgt_change_tracking SET cdc_mode = 'TRIGGER' WHERE source_relid = $1::oid",
                      {std::to_string(s.relid)});
        else if (s.mode != "WAL" && s.wants_wal && slot_ready)
            to_wal(s.relid, wait);
    }
    mirror_modes();
}

std::vector<unsigned> wal_sources(const std::vector<unsigned>& relids, const spi::snapshot* snap) {
    server::role_scope as_ext(server::extension_owner(), false);
    std::vector<unsigned> out;
    for (const auto& r : spi::prepared("SELECT t.source_relid::pg_catalog.int8 FROM pgtrickle.pgt_change_tracking t, "
                                       "pgtrickle.pgt_wal_capture w WHERE t.source_relid = ANY ($1::oid[]) "
                                       "AND (t.cdc_mode = 'WAL' OR t.wal_until_lsn > w.decoded_lsn)",
                                       1)
                             .query({spi::integer_array(relids)}, snap))
        out.push_back(static_cast<unsigned>(std::stoul(*r[0])));
    return out;
}

namespace {

/// Decodes, in this transaction, every change committed before now into the buffers: the
/// decoder is locked first (a pass running ends first), then the snapshot taken.
void decode_here(std::optional<spi::snapshot>& snap) {
    server::role_scope as_ext(server::extension_owner(), false);
    const auto decoded = lock_last_pass(true);
    snap.emplace();
    if (!decoded) return;
    const bool allowed = plugin_allowed();
    if (slot() != slot_status::usable || !allowed)
        throw error("55000",
                    allowed ? "pg_trickle: the WAL capture slot " + slot_name() + " is missing or lost"
                            : "pg_trickle: output_plugin_libraries no longer names pg_trickle",
                    "Changes of sources captured from the WAL cannot be read.",
                    "The scheduler moves those sources back to triggers and recomputes their readers.");
    decode_locked(*decoded, true);
}

/// Whether every change of `sources` committed before now is in the buffers: decoded already
/// (a commit in the WAL since the decoder's position that cannot have changed them need not be
/// waited for), or once the decoder, asked, got there. False when no decoder answers.
bool decoded_until_now(const std::vector<unsigned>& sources) {
    const std::uint64_t now = server::insert_position();
    const auto point = decoded_now();
    if (!point) return false;
    if (point->position >= now) return true;
    server::commit_search tail;
    tail.from = point->position;
    tail.to = server::async_commits::flush_visible_commits(); // (the WAL is read up to what is flushed)
    tail.ignore = point->by;
    tail.assigned_from = point->next_xid;
    tail.writers_before = point->writers_in_progress;
    for (unsigned relid : sources) tail.tables.push_back(*server::lock_and_locate(relid, true));
    // (Nothing is published of this scan: it looked only for these sources' changes, and a
    // point moved past a commit that changed another one, not yet decoded, would let that
    // source's next refresh take its snapshot without them, and pass them for good.)
    return !server::commits_changing(tail) || await_decoded(now);
}

} // namespace

void take_decoded_snapshot(std::optional<spi::snapshot>& snap, const std::vector<unsigned>& sources) {
    const std::uint64_t since = passes_published();
    snap.emplace();
    if (decoded_until_now(sources))
        if (auto passes = passes_since(since); passes && snap->make_visible(*passes)) return;
    // No decoder answered: the snapshot is taken again, after decoding here.
    snap.reset();
    decode_here(snap);
}

bool in_use() {
    server::role_scope as_ext(server::extension_owner(), false);
    return !spi::prepared("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE cdc_mode <> 'TRIGGER' OR wal_until_lsn IS NOT NULL "
                          "UNION ALL SELECT 1 FROM pgtrickle.pgt_wal_capture LIMIT 1",
                          0)
                .query({})
                .empty();
}

namespace {

using runner = std::function<std::optional<std::string>(const std::function<void()>&)>;

/// Runs `work` as the extension owner in a transaction of its own (`run`); a failure is logged
/// and retried at the scheduler's next look.
std::optional<std::string> step(const runner& run, const std::function<void()>& work) {
    auto failure = run([&] {
        server::role_scope as_ext(server::extension_owner(), false);
        work();
    });
    if (failure) server::log("pg_trickle: WAL capture: " + *failure);
    return failure;
}

/// What the scheduler's WAL work starts from.
struct capture_state {
    std::vector<source_state> all;
    bool have_row = false; ///< pgt_wal_capture has the slot's row
    slot_status status = slot_status::absent;
    bool allowed = true; ///< decoding may load pg_trickle
    bool wanted = false; ///< some source wants WAL capture
};

/// A slot that is gone or lost, or that decoding may no longer load pg_trickle for, or that
/// holds back more WAL than allowed: back to triggers. Returns whether it was abandoned.
bool abandoned(const runner& run, const capture_state& state) {
    if (state.status != slot_status::usable || !state.allowed) {
        step(run, [&] {
            abandon(state.allowed ? "the WAL capture slot " + slot_name() + " is missing or lost"
                                  : "output_plugin_libraries no longer names pg_trickle");
        });
        return true;
    }
    if (guc::wal_max_lag_mb <= 0) return false;
    bool over = false;
    step(run, [&] {
        over = !spi::prepared("SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND "
                              "pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn) > $2::int8 * 1048576",
                              2)
                    .query({slot_name(), std::to_string(guc::wal_max_lag_mb)})
                    .empty();
        if (over) abandon("the WAL capture slot " + slot_name() + " holds back more than pg_trickle.wal_max_lag_mb");
    });
    return over;
}

/// The slot, made when a source first wants it (in a transaction of its own: making it waits
/// for the transactions running then to end, up to lock_timeout, and is retried later).
void make_slot(const runner& run, const capture_state& state) {
    if (std::chrono::steady_clock::now() < next_slot_attempt) return;
    step(run, [&] {
        std::vector<unsigned> wanting;
        for (const auto& s : state.all)
            if (s.wants_wal) wanting.push_back(s.relid);
        spi::exec("UPDATE pgtrickle.pgt_change_tracking SET cdc_mode = 'TRANSITIONING', cdc_changed_at = now() "
                  "WHERE cdc_mode = 'TRIGGER' AND source_relid = ANY ($1::oid[])",
                  {spi::integer_array(wanting)});
        mirror_modes();
    });
    const auto failure = step(run, [&] {
        spi::exec("SET LOCAL lock_timeout = '2s'");
        if (slot() == slot_status::absent)
            spi::exec("SELECT pg_catalog.pg_create_logical_replication_slot($1, 'pg_trickle')", {slot_name()});
        spi::exec("INSERT INTO pgtrickle.pgt_wal_capture (slot_name, decoded_lsn) SELECT slot_name, confirmed_flush_lsn "
                  "FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
                  {slot_name()});
    });
    if (failure) next_slot_attempt = std::chrono::steady_clock::now() + std::chrono::seconds(retry_slot_creation_s);
}

/// Decodes what committed since the last pass; the rows decoded.
long long decode_pass(const runner& run) {
    long long rows = 0;
    step(run, [&] {
        // A refresh decoding now holds the lock: it does this tick's work.
        if (const auto decoded = lock_last_pass(false)) rows = decode_locked(*decoded, false).value_or(0);
    });
    return rows;
}

/// Nothing left to decode for: the slot goes (and holds back no WAL).
void drop_unused_slot(const runner& run) {
    step(run, [&] {
        // Locked before looking (after the decoder's pass, which holds the lock and the slot):
        // a source's move to the WAL, which holds it too, is either seen here or finds no slot.
        lock_decoding(true);
        if (spi::scalar("SELECT 1 FROM pgtrickle.pgt_change_tracking WHERE cdc_mode <> 'TRIGGER' OR wal_until_lsn IS NOT NULL"))
            return;
        spi::exec("DELETE FROM pgtrickle.pgt_wal_capture");
        spi::exec("SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots "
                  "WHERE slot_name = $1 AND NOT active",
                  {slot_name()});
    });
}

} // namespace

bool background_step(const runner& run) {
    capture_state state;
    if (step(run, [&] {
            state.all = sources();
            state.have_row = !spi::prepared("SELECT 1 FROM pgtrickle.pgt_wal_capture", 0).query({}).empty();
            state.status = slot();
            state.allowed = plugin_allowed();
        }))
        return false;
    for (const auto& s : state.all) state.wanted |= s.wants_wal;
    if (state.have_row && abandoned(run, state)) return false;
    if (state.wanted && !state.have_row) {
        make_slot(run, state);
        return false;
    }
    // Sources whose readers changed their minds, one transaction each (a switch locks the
    // table, or is left to a later tick when another transaction holds it).
    for (const auto& s : state.all)
        if (s.wants_wal != (s.mode == "WAL"))
            step(run, [&] {
                // (Below deadlock_timeout: a catalog row a creation holds, waiting for the
                // decoding lock, makes this give up before the creation is found deadlocked.)
                spi::exec("SET LOCAL lock_timeout = '100ms'");
                settle({s.relid}, false);
            });
    // (The database's decoder decodes, when it runs.)
    const long long rows = state.have_row && decoder_pid(server::database_oid()) == 0 ? decode_pass(run) : 0;
    if (state.have_row && !state.wanted) drop_unused_slot(run);
    return rows > 0;
}

std::optional<long long> decoder_pass() {
    const std::uint64_t until = server::insert_position();
    server::role_scope as_ext(server::extension_owner(), false);
    // Never stuck behind a lock a waiting refresh's transaction holds: failing, it tells the
    // refresh to decode itself.
    server::set_local("lock_timeout", "1s");
    // Its commit need not wait for the disk: the next pass flushes the WAL before it advances
    // the slot past these rows (decode_locked), and a refresh that read them flushes it when
    // it commits. A crash before either loses rows the slot still holds: they are decoded again.
    server::set_local("synchronous_commit", "off");
    const auto decoded = lock_last_pass(false);
    if (!decoded) {
        // Capture stopped (the slot goes): the context goes too. Otherwise a refresh decoding
        // itself holds the decoder, and the slot: the context is checked at the next pass.
        if (!spi::prepared("SELECT 1 FROM pgtrickle.pgt_wal_capture", 0).query({}).size()) end_decoding_session();
        return std::nullopt;
    }
    return decode_locked(*decoded, false, until);
}

void drop_orphan_slot() {
    spi::exec("SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots "
              "WHERE slot_name = $1 AND NOT active",
              {slot_name()});
}

} // namespace pgt::ext::wal
