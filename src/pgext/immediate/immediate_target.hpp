#pragma once
// One IMMEDIATE stream table maintained from the rows that writing statements changed in its
// sources: the same circuit as a DIFFERENTIAL refresh, lowered with each changed source's
// inserted and deleted rows as ephemeral named relations (the transition rows the capture
// triggers kept), in the writing transaction. What it needs of the stream table is remembered
// per backend and read again when its catalog row changes.

#include <vector>

extern "C" {
typedef struct Tuplestorestate Tuplestorestate;
}

namespace pgt::ext::immediate {

/// Changes of one source a stream table has not absorbed yet: the rows inserted and deleted,
/// in the source's row format (null: none), and whether a TRUNCATE was among them.
struct source_delta {
    unsigned source = 0;
    Tuplestorestate* inserted = nullptr;
    Tuplestorestate* deleted = nullptr;
    bool truncated = false;
};

/// What the end of a statement needs to order maintenance: an IMMEDIATE stream table's storage
/// (which its readers read) and the stream tables among its sources.
struct target_shape {
    unsigned relid = 0;
    std::vector<long long> upstream;
};

/// The IMMEDIATE stream table `id` as its catalog row is now; null when it was dropped or is
/// no longer IMMEDIATE.
const target_shape* shape_of(long long id);

/// Maintains IMMEDIATE stream table `id` from `changes` (its unabsorbed changes, one entry per
/// changed source). A stream table that is suspended or not populated is left as it is.
void maintain(long long id, const std::vector<source_delta>& changes);

/// Registers the invalidation callback that forgets delta plans when a source changes shape;
/// from _PG_init.
void install_target_invalidation();

} // namespace pgt::ext::immediate
