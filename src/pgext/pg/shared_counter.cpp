#include "pg/shared_counter.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <port/atomics.h>
}

namespace pgt::server {

namespace {
static_assert(sizeof(pg_atomic_uint64) <= sizeof(shared_counter) && alignof(pg_atomic_uint64) <= alignof(shared_counter));
pg_atomic_uint64* atomic(shared_counter* c) { return reinterpret_cast<pg_atomic_uint64*>(c); }
} // namespace

void shared_counter::init() { pg_atomic_init_u64(atomic(this), 0); }
std::uint64_t shared_counter::read() { return pg_atomic_read_u64(atomic(this)); }
std::uint64_t shared_counter::read_fenced() { return pg_atomic_fetch_add_u64(atomic(this), 0); }
void shared_counter::add(std::uint64_t n) { (void)pg_atomic_fetch_add_u64(atomic(this), n); }
std::uint64_t shared_counter::fetch_add(std::uint64_t n) { return pg_atomic_fetch_add_u64(atomic(this), n); }
void shared_counter::store(std::uint64_t v) { (void)pg_atomic_exchange_u64(atomic(this), v); }

} // namespace pgt::server
