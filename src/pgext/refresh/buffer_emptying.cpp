#include "refresh/buffer_emptying.hpp"

#include <optional>
#include <string>

#include "capture/capture.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

/// The transaction id below which every stream table reading `source_relid` from its buffer
/// has applied its rows, as its committed frontier says; none when one has no frontier yet or
/// none reads it.
std::optional<std::string> committed_horizon(unsigned source_relid) {
    const auto r = spi::prepared("SELECT CASE WHEN pg_catalog.bool_and(s.frontier_snapshot IS NOT NULL) "
                                 "THEN pg_catalog.min(pg_catalog.pg_snapshot_xmin(s.frontier_snapshot))::pg_catalog.text END "
                                 "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id OPERATOR(pg_catalog.=) d.pgt_id "
                                 "WHERE d.source_relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND s.refresh_mode OPERATOR(pg_catalog.<>) 'IMMEDIATE'",
                                 1)
                       .query({std::to_string(source_relid)});
    return r.empty() ? std::nullopt : r[0][0];
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

bool empty_applied_buffers() {
    const server::role_scope as_ext(server::extension_owner(), false);
    bool busy = false;
    for (const auto& r : spi::prepared("SELECT source_relid::pg_catalog.int8 FROM pgtrickle.pgt_change_tracking", 0).query({})) {
        const auto source = static_cast<unsigned>(std::stoul(*r[0]));
        if (!buffer_is_large(source)) continue;
        if (!take_trim_lock(source) || empty_applied_buffer(source, [&] { return committed_horizon(source); }) == emptying::busy) busy = true;
    }
    return busy;
}

} // namespace pgt::ext
