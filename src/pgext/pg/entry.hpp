#pragma once
// The library's entry point as the server sees it (the magic block and _PG_init, in
// pg/entry.cpp): _PG_init calls pgt::initialize, which module.cpp defines.

namespace pgt {

/// What _PG_init does: settings, hooks, callbacks, shared memory and workers.
void initialize();

} // namespace pgt

namespace pgt::server {

/// Whether the library is being loaded through shared_preload_libraries (in the postmaster):
/// only then can it ask for shared memory and register background workers.
bool preloading();

} // namespace pgt::server
