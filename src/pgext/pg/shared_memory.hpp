#pragma once
// Parts of shared memory that modules of the extension own, behind one pair of the server's
// shared-memory hooks (which the extension chains once, after whatever was installed before).

namespace pgt::pg {

/// Registers a part of shared memory (from _PG_init, while shared_preload_libraries loads the
/// library): `request` runs in the postmaster's shmem_request_hook (RequestAddinShmemSpace,
/// RequestNamedLWLockTranche), `attach` in every process's shmem_startup_hook with
/// AddinShmemInitLock held (ShmemInitStruct, ShmemInitHash), in the order registered.
void add_shared_memory(void (*request)(), void (*attach)());

} // namespace pgt::pg
