#pragma once
// Background workers: the launcher (registered at startup) and the per-database schedulers it
// starts. Their entry points are exported C functions (pgt_launcher_main, pgt_scheduler_main).

namespace pgt::sched {

/// Registers the launcher; from _PG_init when loaded through shared_preload_libraries.
void register_launcher();

} // namespace pgt::sched
