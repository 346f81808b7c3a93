// The trigger functions: change capture on sources, the write guard on stream tables, and the
// invalidation that a change of an IMMEDIATE stream table's catalog row sends.
#include "capture/buffer_writer.hpp"
#include "pg/function.hpp"
#include "pg/transactions.hpp"

extern "C" {
#include <commands/trigger.h>
#include <utils/inval.h>
#include <utils/rel.h>
}

PGT_FUNCTION(pgt_cdc_capture) {
    auto* td = CALLED_AS_TRIGGER(fcinfo) ? reinterpret_cast<TriggerData*>(fcinfo->context) : nullptr;
    if (!td || !TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
        throw pgt::error("39P01", "pgtrickle._cdc_capture() can only be called as an AFTER … FOR EACH STATEMENT trigger");
    pgt::ext::capture_statement_changes(td);
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

PGT_FUNCTION(pgt_immediate_row_changed) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw pgt::error("39P01", "pgtrickle._immediate_row_changed() can only be called as a trigger");
    // Backends drop what they remember of IMMEDIATE stream tables when they hear it
    // (immediate/immediate_target): this transaction's later statements, others once it commits.
    auto* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    pgt::pg::call([&] { CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation)); });
    return PointerGetDatum(nullptr);
}
