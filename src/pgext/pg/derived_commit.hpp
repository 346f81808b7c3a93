#pragma once
// Commits that need not wait for the WAL flush: a transaction whose every write derives from
// committed data (stream table refreshes) loses, in a crash, only work that leaves each
// stream table in its previous, consistent state with the changes still pending.

namespace pgt::server {

/// Marks the writes made in its scope as derived. At commit, a transaction that wrote nothing
/// before its first such scope and nothing outside them (nothing after the last either) does
/// not wait for its WAL to reach the disk (synchronous_commit = off for that commit alone),
/// unless a standby or subscriber streams the WAL (it commits as the session says then).
class derived_writes_scope {
public:
    derived_writes_scope();
    ~derived_writes_scope();
    derived_writes_scope(const derived_writes_scope&) = delete;
    derived_writes_scope& operator=(const derived_writes_scope&) = delete;
};

/// Whether the commit under way, of a transaction with a transaction id, is one that
/// derived_writes_scope made asynchronous; from a transaction callback that runs after the
/// commit hook's (XACT_EVENT_PRE_COMMIT to XACT_EVENT_COMMIT).
bool committing_derived_only();

/// Registers the commit hook; call it before any other transaction callback that may write is
/// registered (the last registered runs first, and this one must see what the others wrote
/// before commit). Only async_commits' callback, which writes nothing, comes before it.
void install_derived_commit();

} // namespace pgt::server
