#pragma once
// The stream table's owner must still be allowed to read every source when it is refreshed: a
// delta that reads only change buffers would otherwise keep serving data after a REVOKE. The
// answer is remembered per backend until something it depends on changes — a relation's
// definition or grants (relcache invalidation), a role's attributes or memberships (syscache
// invalidation) — so refreshes do not ask the catalog every time.

#include <string>
#include <vector>

#include "catalog/stream_table.hpp"

namespace pgt::ext {

/// The owner of `st`, after checking that it may read every relation in `sources` (error
/// 42501 otherwise; `at_creation` words the detail for a stream table being created).
unsigned checked_owner(const stream_table& st, const std::vector<unsigned>& sources, bool at_creation);

/// Registers the invalidation callbacks that forget remembered answers; from _PG_init.
void install_rights_invalidation();

} // namespace pgt::ext
