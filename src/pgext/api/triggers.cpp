// The trigger functions: change capture on sources, the write guard on stream tables, and the
// invalidation that a change of an IMMEDIATE stream table's catalog row sends.
#include "capture/buffer_writer.hpp"
#include "pg/function.hpp"
#include "pg/invalidation.hpp"
#include "pg/transactions.hpp"

PGT_FUNCTION(pgt_cdc_capture) {
    TriggerData* td = pgt::pg::trigger_data(fcinfo);
    if (!td || !pgt::pg::fired_after_statement(td))
        throw pgt::error("39P01", "pgtrickle._cdc_capture() can only be called as an AFTER … FOR EACH STATEMENT trigger");
    pgt::ext::capture_statement_changes(td);
    return PointerGetDatum(nullptr);
}

PGT_FUNCTION(pgt_dml_guard) {
    TriggerData* td = pgt::pg::trigger_data(fcinfo);
    if (!td) throw pgt::error("39P01", "pgtrickle._dml_guard() can only be called as a trigger");
    if (pgt::server::refresh_writes_scope::active()) return PointerGetDatum(nullptr);
    const std::string table = pgt::pg::trigger_table_name(td);
    throw pgt::error(pgt::sqlstate::wrong_object_type,
                     "Direct DML on stream table " + table +
                         " is not allowed. Stream tables are maintained automatically by pg_trickle.",
                     {}, "Change the source tables, or redefine the stream table with pgtrickle.alter_stream_table().");
}

PGT_FUNCTION(pgt_immediate_row_changed) {
    TriggerData* td = pgt::pg::trigger_data(fcinfo);
    if (!td) throw pgt::error("39P01", "pgtrickle._immediate_row_changed() can only be called as a trigger");
    // Backends drop what they remember of IMMEDIATE stream tables when they hear it
    // (immediate/immediate_target): this transaction's later statements, others once it commits.
    pgt::server::invalidate_relation(pgt::pg::trigger_table(td));
    return PointerGetDatum(nullptr);
}
