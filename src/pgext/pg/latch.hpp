#pragma once
// Latches: how one process wakes another that waits (PostgreSQL's struct, opaque here).

struct Latch;

namespace pgt::server {

/// This process's latch, which others set to wake it.
Latch* my_latch();
void set_latch(Latch* latch);
/// The pid of the process that owns `latch` (0 when none does).
int latch_owner(const Latch* latch);
/// Waits until this process's latch is set or `timeout_ms` passed, then resets the latch. The
/// process exits if the postmaster dies.
void wait_for_latch(long timeout_ms);
/// Sleeps `ms`, whatever sets the latch meanwhile (left set for the next wait_for_latch). The
/// process exits if the postmaster dies.
void sleep_ignoring_latch(long ms);

} // namespace pgt::server
