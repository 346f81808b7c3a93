#include "pg/invalidation.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <utils/inval.h>
#include <utils/lsyscache.h>
#include <utils/syscache.h>
}

namespace pgt::server {

namespace {
// The server keeps ten relcache callbacks for all libraries (MAX_RELCACHE_CALLBACKS), and
// Citus alone registers five: pg_trickle registers one and calls its own from it.
constexpr int most_relation_callbacks = 8;
void (*relation_callbacks[most_relation_callbacks])(oid) = {};
int relation_callback_count = 0;

void relation_changed(Datum, Oid relid) {
    for (int i = 0; i < relation_callback_count; ++i) relation_callbacks[i](relid);
}
// The C++ callback travels as the callback's Datum argument.
void role_changed(Datum forget, int, uint32) { reinterpret_cast<void (*)()>(DatumGetPointer(forget))(); }
} // namespace

void on_relation_change(void (*forget)(oid relid)) {
    if (relation_callback_count == most_relation_callbacks) throw error(sqlstate::internal_error, "pg_trickle: too many relcache callbacks");
    if (relation_callback_count == 0) pg::call([] { CacheRegisterRelcacheCallback(relation_changed, PointerGetDatum(nullptr)); });
    relation_callbacks[relation_callback_count++] = forget;
}

void on_role_change(void (*forget)()) {
    const Datum arg = PointerGetDatum(reinterpret_cast<void*>(forget));
    CacheRegisterSyscacheCallback(AUTHOID, role_changed, arg);
    CacheRegisterSyscacheCallback(AUTHMEMMEMROLE, role_changed, arg);
    CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, role_changed, arg);
}

void invalidate_relation(oid relid) {
    pg::call([&] {
        if (get_rel_name(relid) != nullptr) CacheInvalidateRelcacheByRelid(relid);
    });
}

} // namespace pgt::server
