#include "pg/entry.hpp"

#include "pg/guard.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

void _PG_init(void) { pgt::initialize(); }

namespace pgt::server {

bool preloading() { return process_shared_preload_libraries_in_progress; }

} // namespace pgt::server
