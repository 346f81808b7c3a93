#include "pg/spin_lock.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <storage/spin.h>
}

namespace pgt::server {

namespace {
static_assert(sizeof(slock_t) <= sizeof(spin_lock) && alignof(slock_t) <= alignof(spin_lock));
volatile slock_t* raw(spin_lock* l) { return reinterpret_cast<volatile slock_t*>(l); }
} // namespace

void spin_lock::init() { SpinLockInit(raw(this)); }
void spin_lock::lock() { SpinLockAcquire(raw(this)); }
void spin_lock::unlock() { SpinLockRelease(raw(this)); }

} // namespace pgt::server
