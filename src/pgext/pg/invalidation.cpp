#include "pg/invalidation.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <utils/inval.h>
#include <utils/lsyscache.h>
#include <utils/syscache.h>
}

namespace pgt::server {

namespace {
// The C++ callback travels as the callback's Datum argument.
void relation_changed(Datum forget, Oid relid) { reinterpret_cast<void (*)(oid)>(DatumGetPointer(forget))(relid); }
void role_changed(Datum forget, int, uint32) { reinterpret_cast<void (*)()>(DatumGetPointer(forget))(); }
} // namespace

void on_relation_change(void (*forget)(oid relid)) {
    CacheRegisterRelcacheCallback(relation_changed, PointerGetDatum(reinterpret_cast<void*>(forget)));
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
