#pragma once
// This server process: its pid, its interrupts, sleeping, exiting, and the clock.

#include <cstdint>

namespace pgt::server {

int my_pid();
/// Whether a backend (or background worker) with this pid is attached to the server.
bool backend_alive(int pid);
/// Ends backend `pid` as pg_terminate_backend does (SIGTERM), without checks.
void terminate_backend(int pid);
/// Services pending interrupts: a cancel or termination leaves by longjmp (ERROR) or exits.
void check_for_interrupts();
/// The same from C++ code with live objects (the compiler's interruption points): a cancel or
/// statement_timeout is thrown as a pgt::error (57014); nothing pending costs one test.
void throw_if_interrupted();
/// Sleeps (not interruptibly: the caller checks for interrupts).
void sleep_ms(long ms);
/// Runs `callback()` as the process exits, before it detaches from shared memory, however it
/// exits (proc_exit, a FATAL error).
void before_exit(void (*callback)());
/// Exits the process normally (status 0), running the exit callbacks.
[[noreturn]] void exit_process();
/// The current time in unix milliseconds.
std::int64_t now_unix_ms();

} // namespace pgt::server
