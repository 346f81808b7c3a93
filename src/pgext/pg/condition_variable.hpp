#pragma once
// A condition variable in shared memory: processes sleep on it until another broadcasts
// (PostgreSQL's ConditionVariable, whose size pg/condition_variable.cpp checks fits here).

namespace pgt::server {

class condition_variable {
public:
    /// Before any process uses it (it is plain memory until then).
    void init();
    /// Wakes every process sleeping on it.
    void broadcast();
    /// Before the loop that checks the condition and sleeps: a broadcast after this is not missed.
    void prepare_to_sleep();
    /// Sleeps until a broadcast, at most `timeout_ms`; services interrupts (a cancel is an
    /// exception, pgt::error).
    void sleep(long timeout_ms);
    /// After the loop.
    static void cancel_sleep();

private:
    alignas(8) unsigned char storage_[16];
};

} // namespace pgt::server
