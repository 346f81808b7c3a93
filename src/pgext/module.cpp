// The extension's entry point: the magic block and _PG_init.
#include "pg/server.hpp"

#include "pg/postgres.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

namespace pgt::ext {
void register_capture_invalidation();
}

namespace {
/// A refresh interrupted by an error must not leave stream tables writable.
void reset_on_abort(XactEvent event, void*) {
    if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) pgt::server::refresh_writes_scope::reset();
}
} // namespace

void _PG_init(void) {
    RegisterXactCallback(reset_on_abort, nullptr);
    pgt::ext::register_capture_invalidation();
}
