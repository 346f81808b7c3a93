#pragma once
// The four ways a stream table absorbs a change (see pgt::maintenance). Each strategy knows
// its hidden columns, its full load, its delta table and the statements that apply it.

#include "lowering.hpp"

namespace pgt::lower::detail {

/// Hidden columns beyond __pgt_row_id and the visible ones.
std::vector<storage_column> aggregate_state_columns(const circuit& c, const options& opts);
/// The top aggregate's columns counting a SUM's or AVG's inputs of each scale (new in 0.2.0).
std::vector<std::string> scale_count_columns(const circuit& c);
/// The top aggregate's columns counting a numeric SUM's, AVG's or variance's NaN inputs (new
/// in 0.3.0).
std::vector<std::string> nan_count_columns(const circuit& c);
/// Its columns counting their infinite inputs, and a SUM's finite sum beside (new after the
/// encoded scale counts).
std::vector<std::string> infinity_count_columns(const circuit& c);
/// The state columns of stored aggregate `id`'s table.
std::vector<std::string> stored_aggregate_state_columns(const lowering& l, int id);
/// Full load: a complete statement. Delta: the final SELECT of the change (CTEs added to `l`).
std::string aggregate_full_load(lowering& l);
std::string aggregate_delta(lowering& l, const std::string& storage_table);
/// The aggregate strategy's refresh as one MERGE (options::merge): each touched group's change
/// summary merged into its stored row, the new state, outputs and HAVING computed in the
/// MERGE's actions from the stored state (or none); CTEs added to `l`. For a change of one row
/// (lowering::single_row) also `update`: the MERGE's update alone, of a stored group that stays.
struct aggregate_merge_statements {
    std::string merge, update;
};
aggregate_merge_statements aggregate_merge(lowering& l, const layout& lay, const std::string& storage_table);
/// single_row_pair_update's statement: `first` and `second` lower the two rows (CTEs added).
std::string aggregate_pair_update(lowering& first, lowering& second, const layout& lay, const std::string& storage_table);

/// keyed / bag / distinct: the net change per row, consolidated.
std::string rows_full_load(lowering& l);
/// rows_full_load's columns from the rows of `query` (bag and keyed strategies).
std::string rows_query_load(lowering& l, const std::string& query);
std::string rows_delta(lowering& l);

/// A TopK whose state keeps only the first rows (topk_keeps_prefix): the change `delta` without
/// the rows that sort after the state's last row (keyed: those become deletions of the key).
std::string topk_prefix_delta(const circuit& c, const std::string& delta, const std::string& state_table);

/// Name of the CTE holding the final change, read by the apply CTEs.
inline constexpr const char* delta_cte = "__pgt_delta";
/// distributed_apply_ctes' upsert, returning `__pgt_fresh`: whether it inserted the row.
inline constexpr const char* upserted_cte = "__pgt_upsert";

/// Data-modifying CTEs merging `__pgt_delta` into `storage_table`: `__pgt_del`, `__pgt_upd`
/// (when the strategy updates in place) and `__pgt_ins`, each `RETURNING 1`. `located`: an
/// aggregate's change carries its stored rows' ctids (stored_rows_located).
std::vector<cte> apply_ctes(const circuit& c, const layout& lay, const std::string& storage_table, bool located);
/// The MERGE of `__pgt_delta` into a keyed, aggregate or DISTINCT `storage_table`, doing what
/// apply_ctes does in one statement (options::merge); empty for the bag strategy.
std::string merge_apply(const circuit& c, const layout& lay, const std::string& storage_table);
/// apply_ctes for storage that Citus distributes by `column` (options::distribution_column;
/// why_not_distributable holds no reason): `__pgt_del` deletes the rows the change removes and
/// those whose `column` changes (they move to another shard). Where the change lists the
/// values it touches (`shard_values_param`), `__pgt_upd` updates the rows that stay, and
/// distributed_new_rows inserts the others: Citus then runs the statement on their shard as one
/// task. Otherwise `__pgt_upsert` inserts or updates them (`ON CONFLICT` on the row id and
/// `column`, the unique index Citus allows there), and Citus runs each CTE as a statement of its
/// own on every shard, the change broadcast to them. The two touch different rows (the change
/// has one row per row id).
std::vector<cte> distributed_apply_ctes(const circuit& c, const layout& lay, const std::string& storage_table,
                                        const std::string& column, int shard_values_param);
/// The refresh statement's result columns: the rows inserted, deleted and updated by the
/// apply CTEs among `ctes` (0 where one is not there); `inserted`, when given, as the first.
std::vector<tree::select_item> apply_counts(const std::vector<cte>& ctes, std::optional<tree::expr> inserted = std::nullopt);
/// With distributed_apply_ctes' `__pgt_upd` (among `ctes`): the refresh statement's result,
/// its three counts (those inserted: the rows to insert) and then, per storage column, the rows
/// to insert's values as a text array literal; and the INSERT of them, those literals its
/// parameters.
struct distributed_rows {
    std::string select, insert;
    int insert_params = 0;
};
distributed_rows distributed_new_rows(const circuit& c, const layout& lay, const std::vector<cte>& ctes, const std::string& storage_table,
                                      const std::string& column, int shard_values_param);
/// `alias.column = ANY ($param) OR $param IS NULL` (options::shard_values_param), or nullopt
/// without the parameter.
std::optional<tree::expr> among_shard_values(const std::string& alias, const std::string& column, int param);
/// The bag strategy's apply CTEs (also used by full refreshes applied as a difference).
std::vector<cte> bag_apply_ctes(const layout& lay, const std::string& storage_table);

} // namespace pgt::lower::detail
