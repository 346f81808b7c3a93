#include "core/refresh.hpp"

#include "pgt/error.hpp"

#include "core/capture.hpp"
#include "core/compiled.hpp"
#include "pg/server.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

const char* initiator_name(initiator who) {
    switch (who) {
    case initiator::manual: return "MANUAL";
    case initiator::scheduler: return "SCHEDULER";
    case initiator::initial: return "INITIAL";
    }
    return "MANUAL";
}

struct frontier {
    spi::param snapshot, xid, stmt;
    bool valid() const { return snapshot.has_value(); }
};

frontier read_frontier(long long id) {
    auto rows = spi::query("SELECT frontier_snapshot::text, frontier_xid::text, frontier_stmt::text "
                           "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8",
                           {std::to_string(id)});
    return {rows[0][0], rows[0][1], rows[0][2]};
}

/// Per source: are there pending changes, and is one of them a TRUNCATE?
struct pending {
    unsigned long long changed = 0;
    bool truncated = false;
};

pending pending_changes(const compiled_query& c, const frontier& f, const spi::snapshot& snap) {
    pending p;
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
        auto rows = snap.query("SELECT pg_catalog.bool_or(true), pg_catalog.bool_or(b.__pgt_action = 'T') FROM " +
                                   buffer_name(c.sources[i]->oid) + " b WHERE " + pending_condition("b"),
                               {f.snapshot, f.xid, f.stmt});
        if (rows[0][0] == "t") p.changed |= 1ULL << i;
        if (rows[0][1] == "t") p.truncated = true;
    }
    return p;
}

/// The owner must still be allowed to read every source: a delta that reads only change
/// buffers would otherwise keep serving data after a REVOKE.
void check_source_privileges(const compiled_query& c, unsigned owner) {
    for (const auto& src : c.sources)
        if (spi::scalar("SELECT pg_catalog.has_table_privilege($1::oid, $2::oid, 'SELECT')",
                        {std::to_string(owner), std::to_string(src->oid)}) != "t")
            throw error(sqlstate::insufficient_privilege,
                        "permission denied for table " + src->name,
                        "The stream table's owner, " + server::role_name(owner) + ", may no longer read it.");
}

unsigned owner_of(unsigned relid) {
    return static_cast<unsigned>(std::stoul(
        *spi::scalar("SELECT relowner::int8 FROM pg_catalog.pg_class WHERE oid = $1::oid", {std::to_string(relid)})));
}

/// Removes buffer rows every stream table reading the source has applied.
void trim_buffers(const compiled_query& c) {
    for (const auto& src : c.sources) {
        const std::string relid = std::to_string(src->oid);
        std::string consumed = pending_condition("b");
        // pending_condition reads $1..$3; here the frontier comes from each consumer's row.
        for (auto [from, to] : {std::pair{"$1", "s.frontier_snapshot::text"}, std::pair{"$2", "s.frontier_xid::text"},
                                std::pair{"$3", "s.frontier_stmt::text"}})
            for (auto pos = consumed.find(from); pos != std::string::npos; pos = consumed.find(from))
                consumed.replace(pos, 2, to);
        spi::exec("DELETE FROM " + buffer_name(src->oid) +
                      " b WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s "
                      "USING (pgt_id) WHERE d.source_relid = $1::oid AND (s.frontier_snapshot IS NULL OR " +
                      consumed + "))",
                  {relid});
    }
}

} // namespace

refresh_outcome refresh(long long id, initiator who) {
    if (server::read_only_transaction())
        throw error("25006", "cannot refresh a stream table in a read-only transaction");
    if (server::in_recovery()) throw error("25006", "cannot refresh a stream table during recovery (on a standby)");

    const server::oid ext_owner = server::extension_owner();
    {
        // Serialises refreshes of one stream table (and alter/drop) on its catalog row.
        server::role_scope as_ext(ext_owner, false);
        spi::exec("SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8 FOR UPDATE", {std::to_string(id)});
    }
    auto st = stream_table_by_id(id);
    if (!st) throw error(sqlstate::undefined_table, "stream table " + std::to_string(id) + " was dropped");
    if (who != initiator::initial && (st->status == "SUSPENDED" || st->status == "ERROR"))
        throw error(sqlstate::invalid_parameter_value,
                    "invalid argument: stream table " + st->display() + " is " +
                        (st->status == "SUSPENDED" ? "suspended" : "in error state") +
                        " ; use pgtrickle.resume_stream_table('" + st->display() + "') first");
    const auto start = spi::scalar("SELECT pg_catalog.clock_timestamp()::text");

    auto& comp = compiled_for(*st);
    const unsigned owner = owner_of(st->relid);
    check_source_privileges(comp, owner);
    const spi::snapshot snap;
    frontier f;
    std::string stmt;
    {
        server::role_scope as_ext(ext_owner, false);
        stmt = *spi::scalar("SELECT pg_catalog.nextval('pgtrickle.change_statement_seq')::text");
        f = read_frontier(id);
    }
    const bool differential = comp.graph.has_value();
    pending p;
    if (f.valid()) p = pending_changes(comp, f, snap);
    const bool full = !differential || !f.valid() || !st->is_populated || st->needs_reinit || p.truncated;

    refresh_outcome out;
    if (!full && p.changed == 0) {
        out.action = "NO_DATA";
    } else {
        server::role_scope as_owner(owner, true);
        server::refresh_writes_scope writes;
        if (full) {
            out.action = st->needs_reinit ? "REINITIALIZE" : "FULL";
            spi::exec("TRUNCATE " + st->qualified());
            out.inserted = static_cast<long long>(comp.full_plan.execute({}, &snap));
        } else {
            out.action = "DIFFERENTIAL";
            auto counts = comp.delta_plan(*st, p.changed).query({f.snapshot, f.xid, f.stmt}, &snap);
            out.inserted = std::stoll(*counts[0][0]) + std::stoll(*counts[0][2]);
            out.deleted = std::stoll(*counts[0][1]) + std::stoll(*counts[0][2]);
        }
    }

    server::role_scope as_ext(ext_owner, false);
    // The new frontier is the refresh snapshot itself (pg_current_snapshot() under it).
    snap.exec("UPDATE pgtrickle.pgt_stream_tables SET frontier_snapshot = pg_catalog.pg_current_snapshot(), "
              "frontier_xid = pg_catalog.pg_current_xact_id(), frontier_stmt = $2::int8, "
              "data_timestamp = CASE WHEN $3::text = 'NO_DATA' THEN COALESCE(data_timestamp, now()) ELSE now() END, "
              "last_refresh_at = now(), is_populated = true, needs_reinit = false, consecutive_errors = 0, "
              "status = CASE WHEN status = 'INITIALIZING' THEN 'ACTIVE' ELSE status END, "
              "effective_refresh_mode = CASE WHEN $3::text = 'NO_DATA' THEN effective_refresh_mode "
              "  WHEN $3::text = 'DIFFERENTIAL' THEN 'DIFFERENTIAL' ELSE 'FULL' END, "
              "last_error_message = NULL WHERE pgt_id = $1::int8",
              {std::to_string(id), stmt, out.action});
    trim_buffers(comp);
    if (out.action != "NO_DATA" || who == initiator::manual)
        spi::exec("INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, data_timestamp, start_time, end_time, action, "
                  "rows_inserted, rows_deleted, was_full_fallback, status, initiated_by) VALUES ($1::int8, now(), "
                  "$2::timestamptz, pg_catalog.clock_timestamp(), $3, $4::int8, $5::int8, $6::bool, 'COMPLETED', $7)",
                  {std::to_string(id), start, out.action, std::to_string(out.inserted), std::to_string(out.deleted),
                   (full && differential && f.valid() && st->is_populated) ? "true" : "false", initiator_name(who)});
    return out;
}

bool record_failure(long long id, initiator who, const std::string& message, int max_errors) {
    server::role_scope as_ext(server::extension_owner(), false);
    spi::exec("INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, data_timestamp, start_time, end_time, action, "
              "status, error_message, initiated_by) SELECT $1::int8, now(), now(), pg_catalog.clock_timestamp(), "
              "CASE WHEN refresh_mode = 'FULL' THEN 'FULL' ELSE 'DIFFERENTIAL' END, 'FAILED', $2, $3 "
              "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8",
              {std::to_string(id), message, initiator_name(who)});
    auto suspended = spi::scalar(
        "UPDATE pgtrickle.pgt_stream_tables SET consecutive_errors = consecutive_errors + 1, "
        "last_error_message = $2, last_error_at = now(), "
        "status = CASE WHEN consecutive_errors + 1 >= $3::int THEN 'SUSPENDED' ELSE status END "
        "WHERE pgt_id = $1::int8 RETURNING status = 'SUSPENDED'",
        {std::to_string(id), message, std::to_string(max_errors)});
    return suspended == "t";
}

} // namespace pgt::ext
