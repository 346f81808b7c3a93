#pragma once
// Parts of shared memory that modules of the extension own, behind one pair of the server's
// shared-memory hooks (which the extension chains once, after whatever was installed before).

#include <cstddef>

namespace pgt::pg {

/// Registers a part of shared memory (from _PG_init, while shared_preload_libraries loads the
/// library): `request` runs in the postmaster's shmem_request_hook (RequestAddinShmemSpace,
/// RequestNamedLWLockTranche), `attach` in every process's shmem_startup_hook with
/// AddinShmemInitLock held (ShmemInitStruct, ShmemInitHash), in the order registered.
void add_shared_memory(void (*request)(), void (*attach)());

/// Asks for `size` bytes more; from a request callback.
void request_space(std::size_t size);
/// The struct named `name` in shared memory, made (`found` false: its memory is not
/// initialized yet) by the first process to attach; from an attach callback.
void* attach_struct(const char* name, std::size_t size, bool& found);

} // namespace pgt::pg
