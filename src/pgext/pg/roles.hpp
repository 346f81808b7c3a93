#pragma once
// Roles and rights: who runs, who owns, and running as another role.

#include <string>

#include "pg/oid.hpp"

namespace pgt::server {

oid current_user();
/// Whether the current user has the privileges of relation `relid`'s owner (or is superuser).
bool owns_relation(oid relid);
oid extension_owner();
std::string role_name(oid role);

/// Runs as `role` until destroyed. `restricted` also marks a security-restricted operation, as
/// REFRESH MATERIALIZED VIEW does while running a view's query as its owner; an unrestricted
/// scope (pg_trickle's own SQL as the extension owner) pins search_path to pg_catalog, pg_temp.
/// Destroyed, it restores the user and settings it changed, on every path: an exception that a
/// caller catches and does not rethrow (after rolling back a subtransaction it started inside
/// the scope) leaves them as they were.
class role_scope {
public:
    role_scope(oid role, bool restricted);
    ~role_scope();
    role_scope(const role_scope&) = delete;
    role_scope& operator=(const role_scope&) = delete;

private:
    oid saved_user_;
    int saved_context_;
    int guc_level_ = 0; ///< unrestricted scopes pin search_path in a GUC nest level of their own
};

} // namespace pgt::server
