#include "refresh/buffer_emptying.hpp"

#include <optional>
#include <string>

#include "pgt/sql/tree.hpp"

#include "capture/capture.hpp"
#include "catalog/catalog_oids.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

/// The transaction id below which every stream table reading `source_relid`'s buffer has seen
/// its rows, as its committed frontier says; none when one has no frontier yet or none reads
/// it. Where the catalog records trims, the readers that apply changes decide, if there are
/// any: a FULL reader left behind is told by the trim's record (record_trim_for_full_readers).
std::optional<std::string> committed_horizon(unsigned source_relid) {
    const char* sql =
        stream_table_catalog_oids().records_trims
            ? "SELECT CASE WHEN pg_catalog.count(*) FILTER (WHERE s.refresh_mode OPERATOR(pg_catalog.<>) 'FULL') OPERATOR(pg_catalog.>) 0 "
              "THEN CASE WHEN pg_catalog.bool_and(s.frontier_snapshot IS NOT NULL) FILTER (WHERE s.refresh_mode OPERATOR(pg_catalog.<>) 'FULL') "
              "THEN (pg_catalog.min(pg_catalog.pg_snapshot_xmin(s.frontier_snapshot)) FILTER (WHERE s.refresh_mode OPERATOR(pg_catalog.<>) 'FULL'))::pg_catalog.text END "
              "ELSE CASE WHEN pg_catalog.bool_and(s.frontier_snapshot IS NOT NULL) "
              "THEN pg_catalog.min(pg_catalog.pg_snapshot_xmin(s.frontier_snapshot))::pg_catalog.text END END "
              "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id OPERATOR(pg_catalog.=) d.pgt_id "
              "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.<>) 'IMMEDIATE'"
            : "SELECT CASE WHEN pg_catalog.bool_and(s.frontier_snapshot IS NOT NULL) "
              "THEN pg_catalog.min(pg_catalog.pg_snapshot_xmin(s.frontier_snapshot))::pg_catalog.text END "
              "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id OPERATOR(pg_catalog.=) d.pgt_id "
              "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.<>) 'IMMEDIATE'";
    const auto r = spi::prepared(sql, 1).query({std::to_string(source_relid)});
    return r.empty() ? std::nullopt : r[0][0];
}

/// After `source_relid`'s buffer was emptied below `horizon`: records the trim for a FULL reader
/// whose frontier is below it (or that has none), which then has changes pending.
void record_trim_for_full_readers(unsigned source_relid, const std::string& horizon) {
    if (!stream_table_catalog_oids().records_trims) return;
    spi::prepared("UPDATE pgtrickle.pgt_change_tracking SET trimmed_below = GREATEST(trimmed_below, $2::pg_catalog.xid8) "
                  "WHERE source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d "
                  "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id OPERATOR(pg_catalog.=) d.pgt_id "
                  "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.=) 'FULL' "
                  "AND (s.frontier_snapshot IS NULL OR pg_catalog.pg_snapshot_xmin(s.frontier_snapshot) OPERATOR(pg_catalog.<) $2::pg_catalog.xid8))",
                  2)
        .execute({std::to_string(source_relid), horizon});
}

/// Deletes the rows of `source_relid`'s buffer below `horizon`, as a refresh's trim would have:
/// for a buffer that cannot be emptied in place, writers adding rows to it all the time. (The
/// refreshes that left it here would otherwise leave it again and again, and it would grow by
/// every change until it passed the size they truncate at, each refresh reading it all.)
void trim_below(unsigned source_relid, const std::string& horizon) {
    namespace t = sql::tree;
    t::delete_from trim;
    trim.target = buffer_name(source_relid);
    trim.alias = "b";
    trim.where_condition = t::lt(t::col("b", "__pgt_xid"), t::cast(t::param(1), t::type_name::catalog("xid8")));
    spi::prepared(t::render(trim), 1).execute({horizon});
    record_trim_for_full_readers(source_relid, horizon);
}

bool take_trim_lock(unsigned source_relid) {
    return spi::prepared("SELECT pg_catalog.pg_try_advisory_xact_lock($1::pg_catalog.int4, $2::pg_catalog.int4)", 2)
               .query({std::to_string(trim_lock_class), std::to_string(static_cast<int>(source_relid))})
               .at(0)[0] == "t";
}

} // namespace

namespace {
buffer_emptier installed;
} // namespace

void install_buffer_emptier(buffer_emptier emptier) { installed = emptier; }

bool scheduler_empties_buffers() { return installed.serving && installed.tell_at_commit && installed.serving(); }

void leave_buffers_to_scheduler() {
    if (installed.tell_at_commit) installed.tell_at_commit();
}

bool empty_applied_buffers(bool trim_busy) {
    const server::role_scope as_ext(server::extension_owner(), false);
    bool busy = false;
    for (const auto& r : spi::prepared("SELECT source_relid::pg_catalog.int8 FROM pgtrickle.pgt_change_tracking", 0).query({})) {
        const auto source = static_cast<unsigned>(std::stoul(*r[0]));
        if (!buffer_is_large(source)) continue;
        if (!take_trim_lock(source)) {
            busy = true;
            continue;
        }
        std::optional<std::string> horizon;
        const auto result = empty_applied_buffer(source, [&] { return horizon = committed_horizon(source); });
        if (result == emptying::busy && !trim_busy) {
            busy = true;
        } else if (result == emptying::done) {
            record_trim_for_full_readers(source, *horizon);
        } else {
            // Rows past the horizon came meanwhile, or the buffer is still open: the applied
            // rows are deleted.
            if (result == emptying::busy) horizon = committed_horizon(source);
            if (horizon) trim_below(source, *horizon);
        }
    }
    return busy;
}

} // namespace pgt::ext
