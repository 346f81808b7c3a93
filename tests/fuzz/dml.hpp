#pragma once
// Random writes to the schema's tables: one-row and multi-row INSERTs (some of them upserts),
// UPDATEs of random columns (keys too), DELETEs of one row or of several, now and then a
// TRUNCATE. Values come from the type pools, so some writes fail on the data itself (a
// duplicate key, a domain's check): those are the writes' own errors.

#include <string>
#include <vector>

#include "schema.hpp"

namespace pgt::fuzz {

/// One write to `t`.
std::string random_write(const table& t, random& rng);

/// A round of writes to tables among `tables` (names of the schema's tables).
std::vector<std::string> random_round(const schema& s, const std::vector<std::string>& tables, random& rng);

} // namespace pgt::fuzz
