#pragma once
// pg_trickle.auto_restore: after pg_restore, the database's scheduler makes the stream tables
// again from their restored definitions, as restore_stream_tables() does, once the restore is
// over — so that a restored database keeps refreshing without a manual step.

namespace pgt::sched {

/// When definitions wait to be restored (health_check's restore_pending) and nothing else in the
/// database may still be restoring — no pg_restore session, no other session in a transaction —
/// restores them, logging each outcome. Definitions it tried are not tried again by this
/// scheduler (a failure waits for the user's restore_stream_tables()) until others arrive.
/// Returns true while definitions wait for the restore to end.
bool restore_when_quiet();

} // namespace pgt::sched
