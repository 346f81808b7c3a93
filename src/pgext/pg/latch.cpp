#include "pg/latch.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <storage/latch.h>
#include <storage/proc.h>
#include <utils/wait_event.h>
}

namespace pgt::server {

Latch* my_latch() { return &MyProc->procLatch; }
void set_latch(Latch* latch) { SetLatch(latch); }
int latch_owner(const Latch* latch) { return latch->owner_pid; }

void wait_for_latch(long timeout_ms) {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
}

void sleep_ignoring_latch(long ms) { (void)WaitLatch(MyLatch, WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION); }

} // namespace pgt::server
