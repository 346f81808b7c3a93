#pragma once
// output_distribution_column: a stream table whose storage Citus distributes, co-located with a
// source distributed by a column of the same type (docs/SCALE_OUT.md §3). Its refreshes compute
// the change on the coordinator, as for any stream table over Citus sources, and apply it with
// statements Citus runs on every shard (lower::distributed_apply_ctes).

#include <string>

#include "refresh/definition.hpp"

namespace pgt::ext {

/// Makes the storage `schema`.`name` (`relid`, just created for `def`) a table Citus distributes by
/// `column`: refused (0A000) unless Citus is installed and `def` is maintained incrementally
/// (DIFFERENTIAL or AUTO), keyed or aggregate, with no state besides its rows (no TopK, no
/// stored aggregate); 42703 when `column` is not one of its columns. The write guard goes
/// (Citus would run it on every shard, where a refresh's writes arrive as anyone's), and the
/// row-id index becomes unique on the row id and `column`, as Citus requires of unique indexes.
void distribute_storage(const std::string& schema, const std::string& name, unsigned relid, const definition& def,
                        const std::string& column);

/// The column by which Citus distributes table `relid`, empty when it does not.
std::string storage_distribution_column(unsigned relid);

/// Refuses (0A000) a stream table that would read a distributed stream table: the refreshes of
/// one would have to capture the other's, which no statement Citus runs on the shards does.
void refuse_distributed_stream_table_sources(const definition& def);

} // namespace pgt::ext
