#pragma once
// A 64-bit counter in shared memory that processes increment and read without a lock
// (PostgreSQL's pg_atomic_uint64, whose layout pg/shared_counter.cpp checks fits here).

#include <cstdint>

namespace pgt::server {

class shared_counter {
public:
    /// Sets it to 0; before any process uses it (it is plain memory until then).
    void init();
    std::uint64_t read();
    /// As read, and a full memory barrier: what other processes wrote before they changed it
    /// is seen after.
    std::uint64_t read_fenced();
    void add(std::uint64_t n);
    /// Adds n; returns the value before (a full barrier).
    std::uint64_t fetch_add(std::uint64_t n);
    /// Sets it to v (a full barrier).
    void store(std::uint64_t v);

private:
    alignas(8) unsigned char storage_[16];
};

} // namespace pgt::server
