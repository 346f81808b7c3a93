#pragma once
/// \file
/// Lowering: a query's circuit → the SQL that stores and maintains its stream table.
///
/// - `storage_layout`: the stream table's columns — `__pgt_row_id`, the visible columns, and the
///   hidden state the maintenance strategy needs (multiplicities, per-group counts and sums).
/// - `full_load_sql`: a SELECT of every storage column from the sources' current contents.
/// - `delta_sql`: given, per source, a relation of its pending changes (the source's columns
///   plus `__pgt_w`, +1 per inserted row and −1 per deleted row), one statement that computes
///   the net change of the stream table (`__pgt_delta`) and merges it in with data-modifying
///   CTEs, returning the numbers of rows inserted, deleted and updated. One named CTE per
///   circuit node, each commented with the node and its rule.
///
/// The generated SQL is search_path-proof (see `pgt/sql/builder.hpp`) and is executed by
/// PostgreSQL; no row is touched by C++.

#include <cstddef>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgt/circuit.hpp"
#include "pgt/detail/no_postgres.hpp"
#include "pgt/types.hpp"

namespace pgt::lower {

struct options {
    /// The row identity is pg_trickle_row_id's 128-bit hash of the row's key, a uuid: two rows
    /// never share one by chance. False for storage made before pg_trickle 0.2.0 (or on its
    /// catalog), which keeps pg_trickle_hash_multi's 64 bits, a bigint.
    bool wide_row_id = true;
    /// With a wide row id, it is computed by pg_trickle_row_id_of from the key's values, not
    /// from a text array of their images: the same uuid, without the array (a two-column key's
    /// cost 310 ns a row). False on a catalog without the function (before 0.3.0).
    bool row_id_of_values = true;
    /// The state tables of the circuit's stored aggregates (`stored_aggregates`) by node id,
    /// for `delta_sql`: a refresh reads each touched group's state there, folds the change in
    /// and writes it back. A stored aggregate without one has its touched groups recomputed
    /// from its input (twice, before and after, unless its calls are invertible).
    std::map<int, std::string> aggregate_states;
    /// `delta_sql` merges the change into a keyed, aggregate or DISTINCT stream table with one
    /// MERGE and reports no counts (`refresh_plan::counted`): a smaller plan to start, for
    /// maintenance that runs at every writing statement (IMMEDIATE). Bags and TopK count.
    bool merge = false;
    /// Prefixed to the names of the CTEs a lowering adds (two lowerings in one statement).
    std::string cte_prefix;
    /// An aggregate stream table keeps the state of an aggregate that a visible column shows
    /// as it is (COUNT, SUM, MIN, MAX, …) in that column, not in a hidden copy: a refresh
    /// writes it once. False for the storage of stream tables made before pg_trickle 0.2.0,
    /// which has the copy.
    bool state_in_output = true;
    /// The column by which Citus distributes the storage (output_distribution_column), empty
    /// for a local table: `delta_sql` applies through statements Citus runs on every shard
    /// (distributed_apply_ctes).
    std::string distribution_column;
    /// With distribution_column: when not 0, parameter $shard_values_param (an array of the
    /// column's type) lists the column's values of every row the change touches, or is NULL
    /// where they are not known. The statements that read or delete stored rows are then
    /// restricted to those values, by which Citus sends them to those values' shards alone.
    int shard_values_param = 0;
    /// An aggregate's touched groups that its stored state cannot answer (MIN after a delete,
    /// STRING_AGG, …) are recomputed in one grouped pass over their rows, joined to them,
    /// instead of by a subquery per group that refers to it; so are counted an INTERSECT's or
    /// EXCEPT's changed rows' copies in each input, an outer join's preserved rows' matches and
    /// an EXISTS's rows' matches: Citus runs no such correlated subquery over a distributed
    /// table.
    bool uncorrelated_rescans = false;
    /// The delta runs where a data exception (class 22) recomputes the stream table in full, as
    /// a refresh does (refresh.cpp, on_data_exception), not IMMEDIATE maintenance, whose writes
    /// must not fail. A group that a stored state can answer but in rare cases (a running sum of
    /// a plain numeric that took an input of scale 1000 or more) then raises one there, instead
    /// of every delta carrying a recomputation of such groups.
    bool data_exception_recomputes = false;
    /// Each changed source holds at most a few dozen pending records (a refresh's plan for
    /// tiny changes): the stored rows of the groups they touch are read by their row ids
    /// through the storage's index. Seeing a storage of a few thousand rows, the planner would
    /// otherwise scan it whole for the tens of groups it expects, and a storage that a refresh
    /// rewrites at every call holds many dead row versions to scan past.
    bool few_changes = false;
    /// When not empty, a table (a session's temporary table) into which `delta_sql` computes
    /// with one statement (`refresh_plan::stage_fill`) a bag's net change, or an aggregate's
    /// change per touched group, and from which its `statement` then goes on: it reads no
    /// change relation, only the stage and the stream table (and the sources where it
    /// recomputes groups, MIN or MAX). Citus runs each CTE of a statement that reads its tables
    /// and writes a local one apart, as a subplan whose rows it sends through a file, and
    /// refuses a DELETE by ctid among them (a bag's copies are told apart by ctid): the rest is
    /// then the server's alone to plan, but for such recomputations. (Other stream tables
    /// apply in one statement: staged, they were no faster.)
    std::string stage_table;
    /// When not 0, `delta_sql` throws statement_too_large where its statement passes this many
    /// bytes, and as soon as a part does (the CTEs so far, or one relation's SQL): a query whose
    /// nested subqueries each repeat their inputs' SQL would otherwise grow it exponentially.
    std::size_t max_statement_bytes = 0;
};

/// Thrown by lowering past options::max_statement_bytes.
struct statement_too_large : std::exception {
    const char* what() const noexcept override { return "refresh statement too large"; }
};

/// Why the stream table of `c` cannot be distributed by Citus (options::distribution_column),
/// or nullopt when it can: keyed or aggregate, with no state besides its rows.
std::optional<std::string> why_not_distributable(const circuit& c);

/// A stored aggregate's state table: `__pgt_row_id` (the group key's hash), the node's
/// columns, then its per-group state (row count, running sums, …).
struct aggregate_state {
    int node = -1;
    std::string select;                 ///< the table's contents from the sources, columns in order
    std::vector<std::string> key_columns; ///< the group key columns, quoted (for an index)
    /// A stored aggregate's state columns (unquoted): a table made by an earlier version that
    /// lacks one is made again.
    std::vector<std::string> state_columns = {};
};
std::vector<aggregate_state> aggregate_states(const circuit& c, const options& opts = {});

struct storage_column {
    std::string name;
    sql_type type;
    bool hidden = false;
    std::string purpose; ///< for list_auxiliary_columns()
    /// A COLLATE clause's name (quoted) where the values are not of the type's default
    /// collation: the server tells it (a min(x) of a column declared COLLATE "C" is "C").
    std::string collation = {};
};

struct layout {
    maintenance strategy = maintenance::bag;
    std::vector<storage_column> columns; ///< `__pgt_row_id` first, visible next, hidden last
    bool unique_row_id = true;           ///< false for bags: duplicates share a row id
    /// Columns (quoted) a refresh looks rows up by, besides the row id: indexed with it.
    std::vector<std::string> lookup_columns;
};

/// How a refresh reads one source (index into `circuit::sources`).
struct source_changes {
    /// A relation — a table name or a parenthesised SELECT — with the source's columns and a
    /// bigint `__pgt_w`: the changes not yet applied to the stream table.
    std::string relation;
    /// False when the caller knows there are none: the rules drop the terms that read them.
    bool may_change = true;
    /// True when the relation holds at most one row (one changed row, bound as parameters):
    /// it needs no consolidation, and an aggregate over it no GROUP BY
    /// (`single_row_maintainable`).
    bool single_row = false;
    /// For a single_row relation: its row's weight when the statement is written for one
    /// (+1 an inserted row, −1 a deleted one; 0 when only `__pgt_w` tells). The rules then
    /// write the row's contribution without multiplying by it.
    int weight = 0;
};

struct refresh_plan {
    /// False when the changes cannot change the result (no source may change, or they feed
    /// only rowless_nodes): `statement` then only returns its counts, all 0.
    bool has_delta = false;
    /// The refresh statement; it returns one row (inserted, deleted, updated) of bigints.
    std::string statement;
    /// False for a MERGE (`options::merge`): it returns no row, only the number of rows it
    /// changed.
    bool counted = true;
    /// With options::stage_table, for a change of the stream table itself: the SELECT of what
    /// is staged (the stage table is made from it: CREATE TABLE … AS, without data), and the
    /// statement writing it into the stage table (with the changes of state tables). Empty
    /// otherwise.
    std::string stage_select, stage_fill;
    /// For a change of one row merged into an aggregate (`source_changes::single_row`): an
    /// UPDATE of the group it touches, when that group is stored and stays. Run it first:
    /// `statement` is needed only when it changed no row.
    std::string update_first;
    /// For storage distributed by Citus, where the change lists the distribution values it
    /// touches (options::shard_values_param): the INSERT of the rows `statement` returns after
    /// its counts, one text array literal a column, its parameters in that order. Run it after
    /// `statement` when that counts rows inserted. Empty otherwise.
    std::string insert_rows;
    int insert_rows_params = 0;
};

layout storage_layout(const circuit& c, const options& opts = {});
/// The layouts earlier versions made for `c` (none unless a top-level GROUP BY), which storage
/// made then, or restored from its dump, has: 0.1.0's (every aggregate's state in hidden
/// columns, options::state_in_output false, and no count of a SUM's or AVG's inputs per scale
/// or of NaN inputs), and, with a 128-bit or a 64-bit row id, those made before NaN inputs
/// were counted and before a plain numeric's inputs were counted by scale.
std::vector<layout> earlier_storage_layouts(const circuit& c);

/// Whether a change of source `source` alone can be merged into the stream table one row at
/// a time, through `delta_sql` with `options::merge` and that source's relation `single_row`:
/// the stream table holds the source's rows through filters and projections only (as rows, or
/// counted below a DISTINCT), or a GROUP BY without HAVING of such rows. The rows, or the groups'
/// state (counts, sums, extremes rescanned from the source), then absorb the rows of a change
/// one after another as they would absorb them together, and the merge of one row runs without
/// consolidating or aggregating: a far smaller plan for one-row statements.
bool single_row_maintainable(const circuit& c, std::size_t source);

/// For a row of source `source` updated alone (single_row_maintainable, a GROUP BY): one UPDATE
/// folding the change of its old version (`first`, whose `__pgt_w` is −1) and of its new one
/// (`second`, +1), relations bound as `single_row`, into the group both belong to, when it is
/// stored and stays.
/// It changes no row when they belong to different groups, a filter drops one, or the group is
/// new or empties: the rows then go one by one. Empty for other stream tables.
std::string single_row_pair_update(const circuit& c, std::size_t source, const std::string& first,
                                   const std::string& second, const std::string& storage_table, const options& opts = {});

/// The WITH RECURSIVE node whose rows the stream table holds (the output, or a projection of
/// all its columns in order, stored as a bag), or -1. The stream table is then its state —
/// the rows are not kept twice — and has no state table of its own (`aggregate_states`).
int recursion_stored_as_result(const circuit& c);

/// The type of `__pgt_row_id` under `opts` (uuid, or bigint).
sql_type row_id_type(const options& opts);
/// The row id of values `values` (SQL expressions) of types `types`: pg_trickle_row_id_of(…)
/// of them where `opts` has it (and there are some), else the row id function of their text
/// images (hash_text): `f(ARRAY[…])`, or for one image under a wide row id `f(image)`,
/// without an array. All give a row the same id.
std::string row_id_call(const options& opts, const std::vector<std::string>& values, const std::vector<sql_type>& types);

/// What `__pgt_row_id` hashes under strategy `m` (FULL stream tables are bags), as
/// list_auxiliary_columns() reports it.
std::string row_id_purpose(maintenance m);

/// SELECT returning every storage column of `storage_layout(c)`, in order.
std::string full_load_sql(const circuit& c, const options& opts = {});

/// The same storage columns computed from `query` (the defining query's SQL, which returns
/// the circuit's output columns in order) instead of from the circuit: the query as
/// PostgreSQL's planner sees it, where the stream table holds its rows as they are (bag or
/// keyed, no TopK, no recursion's state); nullopt otherwise. The state tables of stored
/// aggregates are loaded apart (aggregate_states), so they do not stand in its way.
std::optional<std::string> query_load_sql(const circuit& c, const std::string& query, const options& opts = {});

/// The incremental refresh of the stream table `storage_table` (an SQL name, quoted and
/// qualified as needed).
refresh_plan delta_sql(const circuit& c, const std::vector<source_changes>& sources,
                       const std::string& storage_table, const options& opts = {});

/// TopK (`c.query.topk`): the stream table holds the first rows of the query's result, which
/// is maintained as usual (`storage_layout`, `full_load_sql`, `delta_sql`) in a state table.
/// The stream table's own layout: the state's row id and the visible columns, as a bag.
layout topk_layout(const circuit& c, const options& opts = {});
/// The statement that makes the stream table the first rows of `state_table` in the TopK
/// order, applied as a difference (it returns inserted, deleted, updated).
std::string topk_statement(const circuit& c, const std::string& state_table, const std::string& storage_table);
/// The state table's index on the TopK keys (the column list of CREATE INDEX), which makes
/// the first rows a short index scan.
std::string topk_index_columns(const circuit& c);

/// Whether the state table holds only the first rows of the query's result (at least
/// LIMIT + OFFSET of them, refilled from the sources when deletions leave fewer) rather than
/// all of it: for bag and keyed results without WITH TIES. A change beyond the state's last
/// row is then dropped by the refresh: it cannot reach the stream table.
bool topk_keeps_prefix(const circuit& c);
/// How many first rows a prefix state is (re)filled with; it is trimmed back to this many
/// when it grows past twice as many.
long long topk_prefix_rows(const circuit& c);
/// The state table's contents from the sources: `full_load_sql`, limited to the prefix.
std::string topk_state_load(const circuit& c, const options& opts = {});
/// The state table's row count, counted up to 2 × topk_prefix_rows + 1.
std::string topk_state_count(const circuit& c, const std::string& state_table);
/// Deletes the state's rows past the first topk_prefix_rows.
std::string topk_state_trim(const circuit& c, const std::string& state_table);

/// A full refresh applied as a difference, for a bag-layout stream table that other stream
/// tables read: `new_rows` selects the new contents (every storage column, in layout order);
/// the statement deletes and inserts only the rows that differ, so that readers downstream see
/// a small change. Returns one row (inserted, deleted, updated) like a refresh statement.
std::string full_difference_statement(const layout& lay, const std::string& new_rows,
                                      const std::string& storage_table);

/// Hidden/visible helper: names starting with this prefix are reserved.
inline constexpr const char* reserved_prefix = "__pgt_";

} // namespace pgt::lower
