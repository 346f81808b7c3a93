// Restoring stream tables after pg_dump / pg_restore, and the library's version.
#include "lifecycle/restore.hpp"
#include "pg/function.hpp"
#include "pg/spi.hpp"
#include "scheduler/shared.hpp"

#ifndef PGT_VERSION
#error "PGT_VERSION is set by the build"
#endif

PGT_FUNCTION(pgt_restore_stream_tables) {
    pgt::spi::session spi;
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    std::vector<std::string> flat;
    for (const auto& o : pgt::ext::restore_stream_tables()) {
        flat.push_back(o.stream_table);
        flat.push_back(o.action);
        flat.push_back(o.detail);
    }
    return pgt::pg::text_array_result(flat);
}

// (A statement trigger on pgt_definitions: a null pointer, as the trigger protocol wants.)
PGT_FUNCTION(pgt_definitions_arrived) {
    pgt::sched::wake_scheduler_at_commit();
    return PointerGetDatum(nullptr);
}

PGT_FUNCTION(pgt_library_version) { return pgt::pg::text_result(PGT_VERSION); }
