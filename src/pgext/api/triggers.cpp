// The trigger functions: change capture on sources, and the write guard on stream tables.
#include <map>
#include <utility>

#include "core/capture.hpp"
#include "pg/function.hpp"
#include "pg/server.hpp"
#include "pg/spi.hpp"
#include "scheduler/shared.hpp"

extern "C" {
#include <commands/trigger.h>
#include <utils/inval.h>
#include <utils/rel.h>
}

namespace {

enum class event { insert, update, remove, truncate };

/// Prepared capture statements per (source, event), dropped when the source or its buffer
/// changes (relcache invalidation marks them stale; they are replaced on next use).
struct capture_plan {
    pgt::spi::plan plan;
    Oid buffer = InvalidOid;
    bool stale = false;
};
std::map<std::pair<Oid, event>, capture_plan>& plans() {
    static std::map<std::pair<Oid, event>, capture_plan> cache;
    return cache;
}

void invalidate(Datum, Oid relid) {
    for (auto& [key, entry] : plans())
        if (relid == InvalidOid || key.first == relid || entry.buffer == relid) entry.stale = true;
}

/// The statement copying one event's transition table into the source's buffer; empty when
/// no stream table reads the source (a trigger left behind, e.g. restored by pg_dump without
/// pg_trickle's catalog): there is nothing to capture for.
std::string capture_sql(Oid source, event e, Oid& buffer) {
    // A partition writes to the buffer of the partitioned table at the root of its tree.
    auto rows = pgt::spi::query("SELECT buffer_relid::text, c, source_relid::text FROM pgtrickle.pgt_change_tracking, "
                                "unnest(captured_columns) WITH ORDINALITY u(c, i) WHERE source_relid = "
                                "COALESCE(pg_catalog.pg_partition_root($1::oid), $1::oid) ORDER BY i",
                                {std::to_string(source)});
    if (rows.empty()) return {};
    buffer = static_cast<Oid>(std::stoul(*rows[0][0]));
    std::string cols, from_t, from_o;
    for (const auto& r : rows) {
        const std::string c = pgt::spi::quote_ident(*r[1]);
        cols += ", " + c;
        from_t += ", t." + c;
    }
    const std::string target = pgt::ext::buffer_name(static_cast<unsigned>(std::stoul(*rows[0][2])));
    const std::string stamp = "(SELECT pg_catalog.pg_current_xact_id() AS x, "
                              "pg_catalog.nextval('pgtrickle.change_statement_seq') AS n)";
    const std::string head = "INSERT INTO " + target + " (__pgt_xid, __pgt_stmt, __pgt_action" + cols + ") ";
    switch (e) {
    case event::insert: return head + "SELECT s.x, s.n, 'I'" + from_t + " FROM __pgt_new t, " + stamp + " s";
    case event::remove: return head + "SELECT s.x, s.n, 'D'" + from_t + " FROM __pgt_old t, " + stamp + " s";
    case event::update:
        return "WITH s AS MATERIALIZED " + stamp + " " + head + "SELECT s.x, s.n, 'D'" + from_t +
               " FROM __pgt_old t, s UNION ALL SELECT s.x, s.n, 'I'" + from_t + " FROM __pgt_new t, s";
    case event::truncate:
        return "INSERT INTO " + target + " (__pgt_xid, __pgt_stmt, __pgt_action) SELECT s.x, s.n, 'T' FROM " + stamp + " s";
    }
    return {};
}

} // namespace

namespace pgt::ext {
/// Called once per backend from _PG_init.
void register_capture_invalidation() { CacheRegisterRelcacheCallback(invalidate, Datum(0)); }
} // namespace pgt::ext

PGT_FUNCTION(pgt_cdc_capture) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pgt::error("39P01", "pgtrickle._cdc_capture() can only be called as a trigger");
    auto* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    const Oid relid = RelationGetRelid(td->tg_relation);
    const event e = TRIGGER_FIRED_BY_INSERT(td->tg_event)   ? event::insert
                    : TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? event::update
                    : TRIGGER_FIRED_BY_DELETE(td->tg_event) ? event::remove
                                                            : event::truncate;
    pgt::spi::session spi;
    pgt::pg::call([&] {
        if (SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER) elog(ERROR, "SPI_register_trigger_data failed");
    });
    auto& entry = plans()[{relid, e}];
    if (!entry.plan.valid() || entry.stale) {
        Oid buffer = InvalidOid;
        const std::string sql = capture_sql(relid, e, buffer);
        if (sql.empty()) return PointerGetDatum(nullptr);
        entry.plan = pgt::spi::plan(sql, 0);
        entry.buffer = buffer;
        entry.stale = false;
    }
    entry.plan.execute({});
    pgt::sched::wake_scheduler_at_commit();
    return PointerGetDatum(nullptr);
}

PGT_FUNCTION(pgt_dml_guard) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pgt::error("39P01", "pgtrickle._dml_guard() can only be called as a trigger");
    if (pgt::server::refresh_writes_scope::active()) return PointerGetDatum(nullptr);
    auto* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    const std::string table = RelationGetRelationName(td->tg_relation);
    throw pgt::error(pgt::sqlstate::wrong_object_type,
                     "Direct DML on stream table " + table +
                         " is not allowed. Stream tables are maintained automatically by pg_trickle.",
                     {}, "Change the source tables, or redefine the stream table with pgtrickle.alter_stream_table().");
}
