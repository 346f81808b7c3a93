#include "pg/shared_memory.hpp"

#include <vector>

#include "pg/guard.hpp" // (pgt headers first)

extern "C" {
#include <miscadmin.h>
#include <storage/ipc.h>
#include <storage/lwlock.h>
#include <storage/shmem.h>
}

namespace pgt::pg {

namespace {

struct part {
    void (*request)();
    void (*attach)();
};

std::vector<part>& parts() {
    static std::vector<part> registered;
    return registered;
}

shmem_request_hook_type previous_request = nullptr;
shmem_startup_hook_type previous_startup = nullptr;

void request_all() {
    if (previous_request) previous_request();
    for (const auto& p : parts()) p.request();
}

void attach_all() {
    if (previous_startup) previous_startup();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    for (const auto& p : parts()) p.attach();
    LWLockRelease(AddinShmemInitLock);
}

} // namespace

void add_shared_memory(void (*request)(), void (*attach)()) {
    if (parts().empty()) {
        previous_request = shmem_request_hook;
        shmem_request_hook = request_all;
        previous_startup = shmem_startup_hook;
        shmem_startup_hook = attach_all;
    }
    parts().push_back({request, attach});
}

void request_space(std::size_t size) { RequestAddinShmemSpace(size); }

void* attach_struct(const char* name, std::size_t size, bool& found) { return ShmemInitStruct(name, size, &found); }

} // namespace pgt::pg
