#include "pg/lwlock.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <storage/lwlock.h>
}

namespace pgt::server {

void lock(LWLock* l, lock_mode mode) { LWLockAcquire(l, mode == lock_mode::exclusive ? LW_EXCLUSIVE : LW_SHARED); }
void unlock(LWLock* l) { LWLockRelease(l); }
bool held_by_me(LWLock* l) { return LWLockHeldByMe(l); }
void request_named_lock(const char* tranche) { RequestNamedLWLockTranche(tranche, 1); }
LWLock* named_lock(const char* tranche) { return &GetNamedLWLockTranche(tranche)->lock; }

} // namespace pgt::server
