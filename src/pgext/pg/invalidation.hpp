#pragma once
// Caches kept per backend are told when the server's catalogs change under them: relcache and
// syscache invalidation callbacks, and invalidations sent to every backend at commit.

#include "pg/oid.hpp"

namespace pgt::server {

/// Calls `forget(relid)` whenever relation `relid`'s relcache entry is invalidated, and
/// `forget(0)` when every entry is (a cache reset). Register once per backend (from _PG_init);
/// all of them share one of the server's few relcache callbacks.
void on_relation_change(void (*forget)(oid relid));

/// Calls `forget()` whenever a role's attributes (pg_authid) or memberships (pg_auth_members)
/// change.
void on_role_change(void (*forget)());

/// Invalidates relation `relid`'s relcache entry in every backend when the current transaction
/// commits; nothing when no such relation exists (any more).
void invalidate_relation(oid relid);

} // namespace pgt::server
