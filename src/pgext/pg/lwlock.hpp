#pragma once
// Lightweight locks over shared memory (PostgreSQL's struct, opaque here). They are released
// when an error aborts the transaction or the process exits.

struct LWLock;

namespace pgt::server {

enum class lock_mode { shared, exclusive };

void lock(LWLock* l, lock_mode mode);
void unlock(LWLock* l);
bool held_by_me(LWLock* l);
/// Asks for a tranche of one lock named `tranche`; from a shared-memory request callback.
void request_named_lock(const char* tranche);
/// That tranche's lock; from a shared-memory attach callback.
LWLock* named_lock(const char* tranche);

} // namespace pgt::server
