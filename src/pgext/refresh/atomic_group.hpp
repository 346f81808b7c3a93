#pragma once
// Atomic diamonds (pgt/refresh_order.hpp, atomic_groups): the stream tables of a group refresh
// in one transaction, every one locked first, then each with changes refreshed under one
// snapshot, upstream first. A stream table joining two sides that read one source thus never
// sees them at different versions, and a failure of any member rolls the whole group back.

#include <vector>

#include "refresh/refresh.hpp"

namespace pgt::ext {

/// The atomic group stream table `id` belongs to — an atomic diamond's or a refresh group's
/// (upstream first); empty when none.
std::vector<long long> atomic_group_of(long long id);
/// The same, read from the whole graph, for a stream table known to be possibly grouped
/// (refresh_target::may_be_grouped).
std::vector<long long> atomic_group_read(long long id);

/// Refreshes `members` (an atomic group, upstream first) in the current transaction. While it
/// runs, `*failing` (if given) names the member being refreshed, for the caller to record an
/// error of.
void refresh_group(const std::vector<long long>& members, initiator who, long long* failing);

} // namespace pgt::ext
