#pragma once
// A spinlock in shared memory, for a few instructions' worth of work (PostgreSQL's slock_t,
// whose size pg/spin_lock.cpp checks fits here). Never hold it across a call that can fail.

namespace pgt::server {

class spin_lock {
public:
    /// Before any process uses it (it is plain memory until then).
    void init();
    void lock();
    void unlock();

private:
    alignas(8) unsigned char storage_[8];
};

} // namespace pgt::server
