#pragma once
// The last transaction to change each of a set of objects (named by database and a number), in
// shared memory: what a REPEATABLE READ or SERIALIZABLE writer checks to tell whether a
// committed change is invisible to its snapshot.

namespace pgt::server::last_writers {

/// Registers the shared-memory request; from _PG_init when preloaded.
void reserve();
/// Whether the table is in shared memory (pg_trickle was preloaded).
bool available();
/// Whether object `id` of the current database was last changed by another transaction that
/// committed and that the current snapshot does not see. Requires available().
bool changed_unseen(long long id);
/// Records the current transaction as object `id`'s last changer. Entries every snapshot sees
/// past are reused when the table is full; error 54000 when none is. Requires available().
void record(long long id);

} // namespace pgt::server::last_writers
