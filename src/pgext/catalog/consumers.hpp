#pragma once
// Who reads a captured source: stream tables refreshed later from its change buffer (FULL,
// DIFFERENTIAL), and IMMEDIATE stream tables maintained at the end of each writing statement
// from the statement's own transition rows. Remembered per backend; a change of the set (create,
// alter, drop: readers_changed) invalidates the source's relcache entry, which every backend
// hears about before it writes the source again.

#include <vector>

namespace pgt::ext {

struct consumers {
    bool deferred = false;              ///< some reader refreshes from the change buffer
    std::vector<long long> immediate;   ///< the IMMEDIATE readers, by id
};

/// The readers of captured source `source_relid` (a partitioned table's root). A copy: what is
/// remembered may be forgotten by the next invalidation.
consumers consumers_of(unsigned source_relid);

/// The readers of `source_relid` changed: every backend forgets them (at this transaction's
/// commit; this backend at once).
void readers_changed(unsigned source_relid);

/// Registers the invalidation callback; from _PG_init.
void install_consumer_invalidation();

} // namespace pgt::ext
