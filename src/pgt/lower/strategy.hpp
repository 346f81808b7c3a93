#pragma once
// The four ways a stream table absorbs a change (see pgt::maintenance). Each strategy knows
// its hidden columns, its full load, its delta table and the statements that apply it.

#include "lowering.hpp"

namespace pgt::lower::detail {

/// Hidden columns beyond __pgt_row_id and the visible ones.
std::vector<storage_column> aggregate_state_columns(const circuit& c);
std::string aggregate_full_load(lowering& l);
std::string aggregate_delta(lowering& l, const std::string& storage_table);

/// keyed / bag / distinct: the net change per row, consolidated.
std::string rows_full_load(lowering& l);
std::string rows_delta(lowering& l);

/// Statements merging `delta_table` into `storage_table` for the circuit's strategy.
std::vector<std::string> apply_statements(const circuit& c, const layout& lay,
                                          const std::string& storage_table, const std::string& delta_table);

} // namespace pgt::lower::detail
