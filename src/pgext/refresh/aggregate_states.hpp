#pragma once
// The state tables of a stream table's stored aggregates (pgt::stored_aggregates): one per
// aggregate below the top of its query, holding that aggregate's groups with their running
// state, in schema pgtrickle_state next to a TopK's state table. They are built by every full
// refresh (so they always match the stream table's frontier) and updated by every
// differential one, in its statement.

#include <map>
#include <string>
#include <vector>

#include "pg/spi.hpp"
#include "refresh/compiled.hpp"

namespace pgt::ext {

/// pgtrickle_state."n<node>_<relid>", quoted.
std::string aggregate_state_table(unsigned relid, int node);

/// Every state table of the stream table stored in `relid` (TopK's and aggregates'), quoted.
std::vector<std::string> state_tables_of(unsigned relid);

/// Whether all of `comp`'s aggregate state tables exist with every state column (a differential
/// refresh needs them; one made by an earlier version is made again by a recomputation).
bool aggregate_states_exist(const compiled_query& comp);

/// Drops and recreates `comp`'s aggregate state tables, owned by `owner`, filled from the
/// sources as of `snap` (the defining query's parts run with the owner's rights).
void rebuild_aggregate_states(const compiled_query& comp, unsigned owner, const spi::snapshot& snap);

} // namespace pgt::ext
