#pragma once
// DROP DATABASE, seen before it runs (a ProcessUtility hook): it fails while any process is
// connected to the database, so pg_trickle's workers there must be gone first.

#include "pg/oid.hpp"

namespace pgt::server {

/// Calls `before(db)` as DROP DATABASE of another database `db` starts, when the current user
/// may drop it (its owner, or a superuser). `before` runs outside any error boundary and may
/// leave by longjmp (a cancel while it waits): it must hold no C++ object with a destructor.
/// From _PG_init; once.
void before_drop_database(void (*before)(oid db));

} // namespace pgt::server
