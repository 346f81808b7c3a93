#pragma once
// The last transaction to change each IMMEDIATE stream table (maintenance, ALTER, DROP), in
// shared memory. A REPEATABLE READ or SERIALIZABLE writer about to maintain a stream table
// checks it: if that transaction committed and the writer's snapshot does not see it, the
// writer would read stale contents and write a wrong row, so it fails with 40001 instead.
// Holding the stream table's maintenance lock (immediate_lock) orders its maintainers: the last
// one is enough to tell whether any committed change is invisible to a snapshot.

namespace pgt::ext::maintainers {

/// Registers the shared-memory request; from _PG_init when preloaded.
void install();

/// Serializes maintenance, ALTER and DROP of stream table `id` until the end of the current
/// transaction (a lock on the stream table's catalog row as an object, not the row itself).
void lock(long long id);

/// Under lock(id): error 40001 if a transaction the current (REPEATABLE READ or SERIALIZABLE)
/// snapshot does not see has changed stream table `id`; then records the current transaction
/// as its last changer. Error 55000 at those levels when pg_trickle is not preloaded.
void check_and_record(long long id);

} // namespace pgt::ext::maintainers
