#pragma once
// Internal state of one lowering: column names per circuit node, the CTEs emitted so far, and
// the two SQL forms of every node — its current contents ("new") and its change ("delta").

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgt/lower.hpp"
#include "pgt/sql/builder.hpp"
#include "pgt/sql/tree.hpp"

namespace pgt::lower::detail {

namespace tree = sql::tree;

inline constexpr const char* weight = "__pgt_w";

struct cte {
    std::string name, comment, body;
    bool materialized = false; ///< AS MATERIALIZED: computed once where it would be inlined
};

/// Appends to `row` the expressions by which `x` (of `type`) prints (sql::printed).
void append_printed(std::vector<tree::expr>& row, const std::string& x, const sql_type& type);

class lowering {
public:
    lowering(const circuit& c, const std::vector<source_changes>* sources, const options& opts);

    const circuit& graph() const { return c_; }
    const circuit_node& node(int id) const { return c_.nodes[static_cast<std::size_t>(id)]; }
    const options& opts() const { return opts_; }
    /// The caller's changes relation of source `s`.
    const source_changes& changes_of(int s) const { return sources_->at(static_cast<std::size_t>(s)); }

    /// Column names of a node's output: unique within the node, quoted by callers.
    const std::vector<std::string>& names(int id) const { return names_[static_cast<std::size_t>(id)]; }
    /// `alias."c1", alias."c2", …` for all columns of node `id`.
    std::string column_list(int id, const std::string& alias) const;
    std::vector<tree::select_item> columns(int id, const std::string& alias) const;
    /// The same as expressions (a GROUP BY list, a join's keys).
    std::vector<tree::expr> column_values(int id, const std::string& alias) const {
        std::vector<tree::expr> values;
        for (const auto& n : names(id)) values.push_back(tree::col(alias, n));
        return values;
    }
    /// The same as a select list naming them as node `as` does (a node of the same width).
    std::vector<tree::select_item> columns_as(int id, const std::string& alias, int as) const;
    /// Consolidating node `id`'s rows (seen through `alias`) as a Z-set, equal rows together:
    /// the GROUP BY list of their images (sql::image: types without equality by their text),
    /// and the select list of their values (sql::grouped_value), named as the node names them.
    std::string image_list(int id, const std::string& alias) const;
    std::vector<tree::expr> images(int id, const std::string& alias) const;
    /// The GROUP BY list of a consolidation of node `id`'s rows: their images, then what tells
    /// equal values that print apart (sql::print_key: a row's versions that print apart stay
    /// apart).
    std::vector<tree::expr> consolidation_keys(int id, const std::string& alias) const;
    /// `relation` (alias `alias`: node `id`'s columns and __pgt_w) summed per row, equal rows
    /// together, rows whose weights cancel dropped.
    tree::select consolidation(int id, const std::string& relation, const std::string& alias) const;
    std::vector<tree::select_item> grouped_columns(int id, const std::string& alias) const;
    /// Aggregate node `id`'s GROUP BY keys over its input's rows seen through `alias`: `by`,
    /// what rows are grouped on, and `values`, what a group shows. Both are the key expressions,
    /// but a key of a type without equality (a lifted subquery's D column of json, say) is
    /// grouped by its image and shown as one of its values, as a consolidation does.
    struct group_keys {
        std::vector<tree::expr> by, values;
    };
    group_keys aggregate_keys(int id, const std::string& alias) const;
    /// `ROW(…)` of the images of node `id`'s columns seen through `alias`, to compare rows with
    /// IS [NOT] DISTINCT FROM.
    std::string row_images(int id, const std::string& alias) const;
    /// The same of the values as they print (sql::printed), to tell a changed output row.
    std::string row_prints(int id, const std::string& alias) const;
    tree::expr row_images_expr(int id, const std::string& alias) const;

    /// A relation (table name or parenthesised SELECT) with the node's current contents.
    std::string new_sql(int id) const;
    /// The state of a stored aggregate or WITH RECURSIVE node (`options::aggregate_states`), if
    /// it has one: a table, or for the recursion stored as the stream table (`keep_state_in_result`)
    /// a SELECT of the storage's row id and columns under the node's column names.
    const std::string* state_table(int id) const;
    /// WITH RECURSIVE node `id` (recursion_stored_as_result) keeps its rows in `storage_table`,
    /// the stream table: as copies (a row derived n times is stored n times), no counts.
    void keep_state_in_result(int id, const std::string& storage_table);
    bool state_in_result(int id) const { return id == result_state_node_; }
    /// A stored aggregate's contents after the change, once its rule has run (before, or
    /// without a change: its state table).
    const std::optional<std::string>& stored_new(int id) const { return stored_new_[static_cast<std::size_t>(id)]; }
    void set_stored_new(int id, std::string relation) {
        stored_new_[static_cast<std::size_t>(id)] = std::move(relation);
        new_sql_.clear();
    }
    /// While a recursive term is rendered for the rounds of WITH RECURSIVE node `id`: the
    /// relation its recursive_ref reads (empty: none, the rows before the change).
    void set_working(int id, std::string relation) const;
    const std::string* working(int id) const;
    /// Data-modifying CTEs bringing the state tables up to date, run with the refresh.
    void add_state_update(std::vector<cte> ctes);
    const std::vector<cte>& state_updates() const { return state_updates_; }
    /// The name of a CTE holding the node's change (columns + __pgt_w), nullopt if it has none.
    std::optional<std::string> delta(int id);
    /// Whether node `id`'s change holds at most one row: a source bound `single_row`, through
    /// filters and projections.
    bool single_row(int id) const;
    /// For a single_row node: its row's weight when known (`source_changes::weight`), else 0.
    int single_row_weight(int id) const;

    /// Adds a CTE and returns its quoted name.
    std::string add_cte(const std::string& base_name, const std::string& comment, const std::string& body,
                        bool materialized = false);
    /// The CTEs added so far.
    const std::vector<cte>& ctes() const { return ctes_; }
    /// Marks the last CTE added as one a stage table may hold (options::stage_table): the
    /// change per touched group of the top aggregate, which reads only the sources' changes.
    void mark_stage_point() { stage_point_ = ctes_.size() - 1; }
    std::optional<std::size_t> stage_point() const { return stage_point_; }
    /// `WITH … SELECT`.
    std::string with(const std::string& final_select) const;
    /// `WITH …, extra… SELECT` (extra CTEs appended after the ones added so far).
    std::string with(const std::vector<cte>& extra, const std::string& final_select) const;

    /// Renders `e`, an expression over node `input`'s columns as seen through `alias`.
    std::string expr(const ir::expr& e, int input, const std::string& alias) const;
    tree::expr value(const ir::expr& e, int input, const std::string& alias) const { return tree::rendered(expr(e, input, alias)); }
    /// Renders an expression over a join's inputs (left columns first).
    std::string join_expr(const ir::expr& e, int left, const std::string& l, int right,
                          const std::string& r) const;
    /// Renders a join (or correlation) condition, where only TRUE selects a row: conjuncts
    /// `a IS NOT DISTINCT FROM b` with a never-NULL side become `a = b`. Not for values, where
    /// NULL and FALSE differ.
    std::string join_condition(const ir::expr& condition, int left, const std::string& l, int right,
                               const std::string& r) const;
    /// The condition join_condition renders: with those `IS NOT DISTINCT FROM` made `=`.
    ir::expr_ptr plain_condition(const ir::expr& condition, int left, int right) const;
    /// The row-identity hash of the given SQL values.
    std::string row_id(const std::vector<std::string>& values, const std::vector<sql_type>& types) const;
    /// The row id of node `id`'s columns seen through `alias`.
    tree::expr row_id_of(int id, const std::string& alias) const;

private:
    /// node `id`'s columns through `alias`, each as the expressions `value` gives for it.
    tree::expr row_of(int id, const std::string& alias,
                      std::vector<std::string> (*value)(const std::string&, const sql_type&)) const;
    std::optional<std::string> compute_delta(int id);
    /// Throws statement_too_large when `bytes` pass options::max_statement_bytes.
    void check_size(std::size_t bytes) const;

    const circuit& c_;
    const std::vector<source_changes>* sources_;
    options opts_;
    std::vector<std::vector<std::string>> names_;
    std::vector<std::optional<std::optional<std::string>>> delta_;
    std::vector<bool> rowless_; ///< rowless_nodes: no change, whatever changed beneath
    std::vector<std::optional<std::string>> source_cte_;
    std::vector<std::optional<std::string>> stored_new_;
    mutable std::map<int, std::string> working_;
    /// new_sql's texts until what they read changes (a stored aggregate's new contents, a
    /// recursive term's working relation, a state kept in the result): a subtree read by two
    /// operators (a lifted subquery's outer rows) would otherwise be rendered again for each,
    /// at every level above it.
    mutable std::map<int, std::string> new_sql_;
    std::vector<cte> ctes_, state_updates_;
    std::size_t cte_bytes_ = 0; ///< of ctes_' bodies
    int result_state_node_ = -1;
    std::optional<std::size_t> stage_point_;
    std::string result_state_;
};

/// `WITH -- comment ⏎ name AS (⏎ body ⏎), … final_statement`: the first CTE MATERIALIZED if asked.
std::string render_with(const std::vector<cte>& ctes, const std::string& final_statement, bool first_materialized = false);

/// `rows` (alias x) left-joined to `others` (alias `alias`) on `match`, grouped by `group`: `items`
/// and `__pgt_n`, each row's number of matches. Over Citus (options::uncorrelated_rescans) it
/// stands for a subquery per row, which Citus does not run over a distributed table.
tree::select match_counts(const std::string& rows, std::vector<tree::select_item> items, std::vector<tree::expr> group,
                          const std::string& others, const std::string& alias, const tree::expr& match);

// Per-operator rules (each in its own file).
std::string new_sql(const lowering& l, int id);
/// Where output `column` of node `id` comes from unchanged: input `input` (a position in the
/// node's inputs), its column `column`.
struct passage {
    std::size_t input = 0;
    int column = 0;
};
/// The input column that output `column` of node `id` passes through unchanged (a projected
/// column, a filter's column, a plain GROUP BY key, a sublink's L column, a column of a join's
/// side whose rows the join keeps, a window's partition column), if any: restricting the output
/// by its values is restricting that input.
std::optional<passage> passed_through(const lowering& l, int id, int column);
/// The layout of node `id`'s state table: `__pgt_row_id`, the node's columns, then `state`.
layout state_table_layout(const lowering& l, int id, std::vector<storage_column> state);
/// The rows of node `id`'s current contents whose `column` is IN (`values`, a one-column query).
std::string restricted_sql(const lowering& l, int id, int column, const std::string& values);
/// Whether restricting node `id` by `column` reaches a node PostgreSQL cannot push a join's
/// condition into (DISTINCT, GROUP BY, a subquery) or a state table (stored aggregate, recursion): then
/// restricted_sql reads the rows of those keys only. (Not a plain table: its few estimated
/// rows would mislead the planner about the joins above; it finds its own index path there.)
bool restriction_helps(const lowering& l, int id, int column);
/// The node whose change the keyed, bag and distinct strategies merge (rows_delta, which
/// consolidates it): the output, or for DISTINCT the node below it (the stream table keeps the
/// multiplicity DISTINCT would discard).
int merged_node(const circuit& c);
std::optional<std::string> delta_source(lowering& l, int id);
std::optional<std::string> delta_filter(lowering& l, int id);
std::optional<std::string> delta_map(lowering& l, int id);
std::optional<std::string> delta_union(lowering& l, int id);
std::optional<std::string> delta_join(lowering& l, int id);
std::optional<std::string> delta_aggregate(lowering& l, int id);
/// The rows of node `id`'s input before the change (C − ΔC, as many copies as it had) for
/// which `in_touched` (over alias s) holds, as a relation with the input's columns.
std::string rows_before(lowering& l, int id, const std::string& in_touched);
std::optional<std::string> delta_window(lowering& l, int id);
std::string window_new_sql(const lowering& l, int id, const std::string& input);
/// Δγ of a stored aggregate from its state table, whose update it schedules.
std::optional<std::string> delta_stored_aggregate(lowering& l, int id, const std::string& state_table);
/// SELECT of a stored aggregate's state table contents from the sources.
std::string stored_aggregate_full_load(lowering& l, int id);
/// Its group key columns (quoted), for an index: those whose type has a btree's equality (a
/// lifted subquery's json key has none, and is matched by its image).
std::vector<std::string> stored_aggregate_keys(const lowering& l, int id);
/// The columns of a touched group's new row (aggregate_delta's, and a stored aggregate's) that
/// tell, as the same statement read the stored rows, whether the group had one, and where it is
/// (its ctid, where stored_rows_located: NULL when it had none).
inline constexpr const char* existed_column = "__pgt_existed";
inline constexpr const char* stored_ctid_column = "__pgt_ctid";
/// Whether touched groups carry their stored row's ctid, by which it is then updated or deleted:
/// not where Citus plans the statement (a distributed storage or Citus sources), which refuses a
/// DELETE by ctid among its CTEs.
inline bool stored_rows_located(const options& o) { return o.distribution_column.empty() && !o.uncorrelated_rescans; }
/// What aggregate_apply_ctes' `touched` says of the stored rows: nothing (each group is matched
/// by `same_group` among the rows its row id finds); whether each group had one
/// (existed_column); that and where it is (stored_ctid_column too).
enum class stored_rows_known { nothing, existence, location };
/// Data-modifying CTEs (named `prefix`del/upd/ins) merging `touched` (alias d), a relation of
/// new group rows with `__pgt_visible`, into an aggregate state table (alias t) of layout `lay`,
/// matching groups by `same_group`, or by ctid where their location is known. Where their
/// existence is known, the insert takes the groups not stored instead of probing the table for
/// each. (By ctid, a row is updated without a second lookup through the row id's index: such a
/// lookup by `= ANY` of every touched row id, set in a nested loop's inner scan, sorted that
/// array at each outer row.)
std::vector<cte> aggregate_apply_ctes(const layout& lay, const std::string& table, const std::string& touched,
                                      const std::string& prefix, const std::string& same_group,
                                      stored_rows_known known = stored_rows_known::nothing);
std::optional<std::string> delta_distinct(lowering& l, int id);
/// WITH RECURSIVE (delta_recursive.cpp): its change by counting derivations, its rows (the
/// state table's, or from scratch), the rows its recursive_ref reads, its state table's full
/// load and the columns to index it on.
std::optional<std::string> delta_recursive(lowering& l, int id);
std::string recursive_new_sql(const lowering& l, int id);
std::string recursive_ref_sql(const lowering& l, int id);
std::string recursive_full_load(lowering& l, int id);
/// The positions of the node's columns its recursive term joins on (indexed, wherever its rows are kept).
std::vector<int> recursive_state_keys(const lowering& l, int id);
std::optional<std::string> delta_sublink(lowering& l, int id);
std::optional<std::string> delta_set_operation(lowering& l, int id);
/// A sublink node over `left_rows`, a relation with its L's columns; when they are `few` (a
/// restriction), R is read for their keys only where it is read once.
std::string sublink_sql(const lowering& l, int id, const std::string& left_rows, bool few = false);
std::string set_operation_new_sql(const lowering& l, int id);
std::optional<std::string> delta_table_function(lowering& l, int id);
std::string table_function_new_sql(const lowering& l, int id);

/// A call of function `schema`.`name` (pg_catalog's by its bare name, another schema's quoted).
tree::expr function_call(const std::string& schema, const std::string& name, std::vector<tree::expr> args,
                         tree::call_options options = {});
/// `k₁ ASC NULLS LAST, …`: sort keys over rows seen through `alias` of node `input`.
std::vector<tree::order_item> sort_keys(const lowering& l, const std::vector<ir::sort_key>& keys, int input, const std::string& alias);
/// An aggregate call over rows seen through `alias` of node `input`.
tree::expr aggregate_value(const lowering& l, const ir::agg_call& a, int input, const std::string& alias);
std::string aggregate_call(const lowering& l, const ir::agg_call& a, int input, const std::string& alias);
/// `(a = b OR (a IS NULL AND b IS NULL))`: null-safe equality an index can serve (for a type
/// pg_trickle does not know, NULL as tree::is_null tests it).
std::string null_safe_eq(const std::string& a, const std::string& b, const sql_type& type);
/// Whether `a` and `b` are one group's key: null_safe_eq, or `a = b` alone when the key is
/// `never_null` (an index on it then answers); a type without equality (a lifted subquery's
/// json D column) compares its images, as such keys are grouped.
tree::expr same_group_key(const tree::expr& a, const tree::expr& b, const sql_type& type, bool never_null);

} // namespace pgt::lower::detail
