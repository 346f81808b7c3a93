#pragma once
// Change buffers emptied off the refresh path. A refresh whose new frontier passes every row of
// a large buffer (no reader left behind) used to TRUNCATE it: a new file for the buffer, which
// invalidated the plans of every statement reading it (each reader planned them again, about
// 3 ms for an aggregate's), and a scan of shared buffers at its commit. Where a scheduler serves
// the database, such a refresh now leaves the buffer as it is and tells the scheduler at its
// commit; the scheduler empties the buffer in place once every reader's committed frontier has
// passed its rows (server::empty_in_place: the file keeps its number, the plans stay valid). A
// buffer that took new rows meanwhile has the rows every reader applied deleted instead.

namespace pgt::ext {

/// The first key of the advisory locks a trim of a buffer takes ('pgtb'); the source's oid is
/// the second. A stream table's creation holds its sources' until it commits: rows its first
/// load did not see stay in the buffers meanwhile.
inline constexpr int trim_lock_class = 0x70677462;

/// How the scheduler (a layer above) is asked, set once at load (module.cpp): whether one
/// serves the current database, and how the current transaction tells it at commit that it
/// left buffers to empty. Unset, refreshes leave it nothing.
struct buffer_emptier {
    bool (*serving)() = nullptr;
    void (*tell_at_commit)() = nullptr;
};
void install_buffer_emptier(buffer_emptier emptier);

/// Whether a scheduler serves the current database to empty the buffers a refresh leaves.
bool scheduler_empties_buffers();
/// The current transaction left buffers to empty: the scheduler looks once it commits.
void leave_buffers_to_scheduler();

/// The scheduler's pass, in a transaction: empties in place each large buffer whose every row
/// version was written before the oldest committed frontier of the stream tables reading it
/// (none may lack a frontier; FULL ones only where no reader applies changes or the catalog
/// does not record trims, else the trim is recorded for those behind, as a refresh's is),
/// skipping those another transaction has open or holds the trim lock of. A buffer that took
/// rows past that frontier meanwhile, and one still open with `trim_busy`, has its rows below it
/// deleted instead, as a refresh's trim deletes them. Returns whether it skipped an open
/// buffer: the scheduler is woken at the refresh's commit, before the refresh releases its
/// locks, and tries again shortly.
bool empty_applied_buffers(bool trim_busy);

} // namespace pgt::ext
