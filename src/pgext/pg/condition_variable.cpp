#include "pg/condition_variable.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <storage/condition_variable.h>
#include <utils/wait_event.h>
}

namespace pgt::server {

namespace {
static_assert(sizeof(ConditionVariable) <= sizeof(condition_variable) &&
              alignof(ConditionVariable) <= alignof(condition_variable));
ConditionVariable* raw(condition_variable* c) { return reinterpret_cast<ConditionVariable*>(c); }
} // namespace

void condition_variable::init() { ConditionVariableInit(raw(this)); }
void condition_variable::broadcast() { ConditionVariableBroadcast(raw(this)); }
void condition_variable::prepare_to_sleep() {
    pg::call([&] { ConditionVariablePrepareToSleep(raw(this)); });
}
void condition_variable::sleep(long timeout_ms) {
    pg::call([&] { (void)ConditionVariableTimedSleep(raw(this), timeout_ms, PG_WAIT_EXTENSION); });
}
void condition_variable::cancel_sleep() { ConditionVariableCancelSleep(); }

} // namespace pgt::server
