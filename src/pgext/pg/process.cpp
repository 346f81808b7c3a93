#include "pg/process.hpp"

#include <csignal>

#include "pg/guard.hpp"

extern "C" {
#include <storage/ipc.h>
#include <storage/procarray.h>
#include <utils/timestamp.h>
}

namespace pgt::server {

int my_pid() { return MyProcPid; }
bool backend_alive(int pid) { return BackendPidGetProc(pid) != nullptr; }
void terminate_backend(int pid) { kill(pid, SIGTERM); }
void check_for_interrupts() { CHECK_FOR_INTERRUPTS(); }

void throw_if_interrupted() {
    if (INTERRUPTS_PENDING_CONDITION()) pg::call([] { CHECK_FOR_INTERRUPTS(); });
}
void sleep_ms(long ms) { pg_usleep(ms * 1000L); }

namespace {
// The C++ callback travels as the server's callback's Datum argument.
void run_exit_callback(int, Datum callback) { reinterpret_cast<void (*)()>(DatumGetPointer(callback))(); }
} // namespace

void before_exit(void (*callback)()) { before_shmem_exit(run_exit_callback, PointerGetDatum(reinterpret_cast<void*>(callback))); }

void exit_process() { proc_exit(0); }

std::int64_t now_unix_ms() { return GetCurrentTimestamp() / 1000 + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * 86400000LL; }

} // namespace pgt::server
