#pragma once
// Creating, redefining and dropping stream tables: storage, catalog rows, dependencies and
// change capture, kept consistent with each other.

#include <optional>
#include <string>
#include <vector>

#include "catalog/stream_table.hpp"

namespace pgt::ext {

struct create_options {
    std::string query;
    std::optional<std::string> schedule; ///< nullopt: 'calculated'
    ext::mode mode = ext::mode::automatic;
    bool initialize = true;
    std::string diamond_consistency = "atomic";
    std::string diamond_schedule_policy = "fastest";
    std::optional<std::string> cdc_mode; ///< nullopt: pg_trickle.cdc_mode
    /// The column by which Citus distributes the storage (lifecycle/distributed_storage.hpp);
    /// nullopt: a table on this node.
    std::optional<std::string> output_distribution_column;
    /// Restoring a dump: the id the stream table had, and whether an existing table of its name
    /// (restored by pg_dump) is taken over as its storage.
    std::optional<long long> id;
    bool adopt_storage = false;
    /// Restoring: a monotone cycle the dump held is made again whatever pg_trickle.allow_circular
    /// says now (its members are restored one by one, the first reading the others' restored
    /// storage as tables).
    bool cycles_allowed = false;
};

/// Refuses (22023) a diamond_consistency other than 'atomic' or 'none', a
/// diamond_schedule_policy other than 'fastest' or 'slowest', and 'slowest' without 'atomic':
/// the rules of create and alter, and of a definition restored from a dump (the catalog
/// holds no CHECK constraint for them).
void check_diamond(const std::string& consistency, const std::string& policy);

void create_stream_table(const std::string& name, const create_options& opts);

/// Redefines `st` with a new query and/or requested mode: storage rebuilt, full refresh.
void redefine_stream_table(const stream_table& st, const std::string& query, mode requested);

/// Drops `st` (and, with `cascade`, the stream tables reading it).
void drop_stream_table(const stream_table& st, bool cascade);

/// Error 42501 unless the current user owns the stream table's storage.
void require_owner(const stream_table_key& st);

/// Error 25006 in a read-only transaction or on a standby.
void require_writable();

/// Sets how the stream table would have its sources' changes captured ('auto', 'trigger',
/// 'wal'); the sources follow at once or at the scheduler's next look.
void set_cdc_mode(const stream_table& st, const std::string& mode);

/// Sets the status to ACTIVE (clearing the error count) or SUSPENDED.
void set_status(const stream_table& st, const std::string& status);

/// Stream tables reading `relid` (its dependents).
std::vector<stream_table> dependents_of(unsigned relid);

} // namespace pgt::ext
