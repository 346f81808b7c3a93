#pragma once
// A table's contents replaced as REFRESH MATERIALIZED VIEW replaces a materialized view's: the
// rows of a query bulk-loaded into a fresh heap (no index maintained row by row, no trigger
// fired, rows frozen), swapped in with its indexes rebuilt. Like TRUNCATE, not MVCC-safe; and
// neither triggers nor logical decoding see the rows change (the rows are written with the
// origin DoNotReplicateId, which decoding skips unqueued): for tables nothing else watches.

#include <cstdint>
#include <optional>

#include "pg/spi.hpp"

namespace pgt::pg {

/// Replaces the contents of table `relid` with the rows of `select` (a kept plan of a query
/// without parameters) run under `snap`, holding an ACCESS EXCLUSIVE lock on the table until
/// the transaction ends. The query's columns must be the table's, in order, of the same types
/// (and type modifiers where the table's columns have one): when they are not, nothing is done
/// and nullopt returned. Returns the number of rows loaded.
std::optional<std::uint64_t> replace_contents(unsigned relid, const spi::plan& select, const spi::snapshot& snap);

} // namespace pgt::pg
