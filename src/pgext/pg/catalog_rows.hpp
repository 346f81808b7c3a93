#pragma once
// Versions of catalog rows, read without SQL: cheap enough for every writing statement.

#include <cstdint>
#include <optional>

#include "pg/oid.hpp"

namespace pgt::server {

/// A version of a row: it changes whenever the row is updated (its tuple id and inserting
/// transaction).
struct row_version {
    std::uint32_t block = 0;
    std::uint16_t offset = 0;
    std::uint32_t xmin = 0;
    bool operator==(const row_version&) const = default;
};

/// The version of the row of table `table` whose int8 key (first column of unique index
/// `index`) is `key`, read with a fresh catalog snapshot; nothing when there is none.
std::optional<row_version> row_version_by_key(oid table, oid index, std::int64_t key);

} // namespace pgt::server
