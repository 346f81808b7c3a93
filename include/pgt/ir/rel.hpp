#pragma once
/// \file
/// The relational IR: an operator tree whose leaves scan tables. Every node knows its output
/// columns; expressions inside a node refer to the columns of its input(s) by position (for a
/// join: the left input's columns, then the right's).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/expr.hpp"
#include "pgt/types.hpp"

namespace pgt::ir {

struct column {
    std::string name;
    sql_type type;
    bool not_null = false;
    friend bool operator==(const column&, const column&) = default;
};

/// A base table as the catalog describes it.
struct table {
    std::string schema, name;
    std::uint32_t oid = 0; ///< 0 offline
    std::vector<column> columns;
    std::vector<int> primary_key; ///< column positions; empty for a keyless table
};
using table_ptr = std::shared_ptr<const table>;

struct rel;
using rel_ptr = std::shared_ptr<const rel>;

/// All rows of a table (every column, in table order).
struct scan {
    table_ptr source;
    std::string alias; ///< as written in the query (for printing)
};
struct filter {
    expr_ptr predicate;
};
/// One output column per expression.
struct project {
    std::vector<expr_ptr> exprs;
};
enum class join_kind { inner, left, right, full };
/// `inputs[0] ⋈ inputs[1]` on `condition` (nullptr: a cross join).
struct join {
    join_kind kind = join_kind::inner;
    expr_ptr condition;
};
/// Aggregates the IR knows how to maintain from running state; `other` is any other
/// aggregate (built-in or user-defined), recomputed for the groups a change touches.
enum class agg_func {
    count_star, count, sum, avg, min, max, bool_and, bool_or,
    var_pop, var_samp, stddev_pop, stddev_samp, bit_xor,
    other,
};
/// A sort key inside an aggregate call (ORDER BY, WITHIN GROUP).
struct sort_key {
    expr_ptr expr;
    bool descending = false;
    bool nulls_first = false; ///< as written or implied (NULLS FIRST is the default for DESC)
};
struct agg_call {
    agg_func func{};
    std::string name;            ///< as SQL spells it: `count`, `string_agg`, …
    std::string schema = "pg_catalog";
    std::vector<expr_ptr> args;  ///< none for count(*); direct arguments for WITHIN GROUP
    expr_ptr filter;             ///< FILTER (WHERE …), nullptr when absent
    sql_type type;               ///< result type
    bool distinct = false;
    std::vector<sort_key> order_by; ///< ORDER BY inside the call, or the WITHIN GROUP keys
    bool within_group = false;
    /// value_scales of the first argument over the aggregate's input, set by the front end: a
    /// SUM or AVG keeps a running sum only where they are known (maintenance_of), and then
    /// counts its inputs of each scale but the smallest, which tell the scale it prints with.
    std::optional<std::vector<int>> arg_scales;
    /// Set by the front end for a numeric argument: a running SUM, AVG or variance of it counts
    /// its NaN inputs (a NaN in a running sum never subtracts out). False for storage made
    /// before that count, which keeps the running sum alone.
    bool counts_nans = false;
    /// Set by the front end beside counts_nans: the call also counts its infinite inputs, and
    /// its running sums take the finite ones alone, as PostgreSQL's own numeric state does, so
    /// that every change folds in. False for storage made before, which recomputes a group
    /// whose last NaN or infinity leaves.
    bool counts_infinities = false;
    /// Set by the front end beside counts_infinities: the argument is never infinite (its
    /// scales are known: numeric(p, s) and integer values, finite literals, + − * of them), so
    /// its infinity counts stay 0 and are not counted row by row. It may still be NaN.
    bool never_infinite = false;
    /// Set by the front end for a numeric argument whose scales value_scales cannot tell (a
    /// plain `numeric` column): a running SUM or AVG of it counts its inputs of every scale in
    /// one number (top_aggregate.cpp). False for storage made before, which recomputes them.
    bool encodes_scales = false;

    /// The first argument (the aggregated value of a plain aggregate).
    const expr_ptr& arg() const { return args.front(); }
};

/// How a stream table keeps an aggregate of a top-level GROUP BY up to date.
enum class agg_maintenance {
    linear,    ///< COUNT, SUM, AVG: running sums, updated from the change alone
    extremum,  ///< MIN, MAX, BOOL_AND, BOOL_OR: updated from inserted values; rescan on delete
    algebraic, ///< VAR*, STDDEV* of exact numbers, BIT_XOR: running sums of powers / XORs
    rescan,    ///< anything else: recomputed for the groups a change touches
};
agg_maintenance maintenance_of(const agg_call& a);

/// Output: one column per group key, then one per aggregate. Without group keys the result is
/// exactly one row, even over no input (SQL's scalar aggregate).
struct aggregate {
    std::vector<expr_ptr> group_by;
    std::vector<agg_call> aggs;
};
/// Set semantics: every distinct row once.
struct distinct {
    /// D of a lifted subquery: the distinct outer values it is evaluated for.
    bool outer_values = false;
};
/// Bag union of all inputs (same column count and types).
struct union_all {};

/// A subquery in an expression (EXISTS, IN, ANY, ALL, scalar), evaluated for each row of
/// inputs[0] (L) over the rows of inputs[1] (R) that `condition` (over L ++ R; nullptr: every
/// row) assigns to it, and appended to the row as one column:
///   exists  TRUE when some row belongs to it, else FALSE;
///   any     `value` (boolean, over L ++ R) across its rows: TRUE if TRUE for one, else NULL if
///           NULL for one, else FALSE (IN, op ANY);
///   all     FALSE if `value` is FALSE for one, else NULL if NULL for one, else TRUE (op ALL);
///   scalar  `value` of its only row, NULL without rows; more than one row is an error (21000).
enum class sublink_kind { exists, any, all, scalar };
struct sublink {
    sublink_kind kind{};
    expr_ptr condition;
    expr_ptr value;
};

/// INTERSECT / EXCEPT of inputs[0] and inputs[1] (same column count and types). Copies of a
/// row: ALL min(a, b) / max(a − b, 0); otherwise one when a > 0 and b > 0 / b = 0.
enum class set_op_kind { intersect, except };
struct set_operation {
    set_op_kind kind{};
    bool all = false;
};

/// ON EMPTY / ON ERROR of JSON_TABLE or of one of its columns: a keyword as written (`NULL`,
/// `ERROR`, `EMPTY ARRAY`, `TRUE`, …), or `DEFAULT` with its value (which reads no column).
struct json_behavior {
    std::string keyword;
    expr_ptr value;
};

/// A column of JSON_TABLE's COLUMNS clause as written: `name FOR ORDINALITY`, `name type
/// [FORMAT JSON] [EXISTS] [PATH 'p'] [wrapper] [quotes] [… ON EMPTY] [… ON ERROR]`, or
/// `NESTED PATH 'p' [AS name] COLUMNS (…)`.
struct json_table_column {
    enum class kind { ordinality, regular, exists, formatted, nested };
    kind what = kind::regular;
    std::string name; ///< as written (a column without PATH reads `$."name"`); NESTED: its path name, if any
    sql_type type;
    std::string path;            ///< empty: none written
    std::string format;          ///< `FORMAT JSON [ENCODING …]`, or empty
    std::string wrapper, quotes; ///< `WITH CONDITIONAL WRAPPER`, `OMIT QUOTES`, …, or empty
    std::optional<json_behavior> on_empty, on_error;
    std::vector<json_table_column> columns; ///< NESTED's
};

/// `JSON_TABLE(context [FORMAT JSON], 'path' [AS name] [PASSING value AS name, …] COLUMNS (…)
/// [… ON ERROR])` (PostgreSQL 17): the call's args are the context item, then the PASSING
/// values; its output columns are the COLUMNS clause's, each level's own before those of its
/// NESTED paths (PostgreSQL's order).
struct json_table {
    std::string context_format; ///< FORMAT JSON of the context item, or empty
    std::string path, path_name;
    std::vector<std::string> passing_names, passing_formats;
    std::vector<json_table_column> columns;
    std::optional<json_behavior> on_error;
};

/// One set-returning function of a table_function: its output columns (one for a function
/// returning a scalar type, its OUT parameters for one returning a record), or JSON_TABLE.
struct table_call {
    std::string schema, name;
    std::vector<expr_ptr> args; ///< over the input row
    std::vector<column> columns;
    std::optional<json_table> json; ///< set: a JSON_TABLE, the only call of its table_function
};

/// `input CROSS JOIN LATERAL ROWS FROM (f₁(…), f₂(…)) [WITH ORDINALITY]`: each input row
/// followed by each row the functions return for it (zipped, shorter ones padded with NULLs),
/// then the 1-based row number if `ordinality`. `outer` (LEFT JOIN LATERAL … ON true) keeps an
/// input row for which the functions return no rows, with NULLs. Linear in its input.
struct table_function {
    std::vector<table_call> calls;
    bool ordinality = false;
    bool outer = false;
};

/// A window frame (`ROWS BETWEEN 2 PRECEDING AND CURRENT ROW EXCLUDE TIES`); the default one
/// is `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`.
struct window_frame {
    enum class unit { range, rows, groups };
    enum class bound { unbounded_preceding, offset_preceding, current_row, offset_following, unbounded_following };
    enum class exclusion { none, current_row, group, ties };
    unit units = unit::range;
    bound start = bound::unbounded_preceding, end = bound::current_row;
    expr_ptr start_offset, end_offset; ///< constants (no column references)
    exclusion exclude = exclusion::none;
    bool is_default() const {
        return units == unit::range && start == bound::unbounded_preceding && end == bound::current_row &&
               exclude == exclusion::none;
    }
};

/// `name(args) [FILTER (WHERE filter)] OVER (PARTITION BY … ORDER BY … frame)`: a built-in
/// window function or an aggregate used as one, evaluated by PostgreSQL.
struct window_call {
    std::string schema = "pg_catalog", name;
    std::vector<expr_ptr> args;
    bool star = false; ///< count(*)
    expr_ptr filter;
    std::vector<expr_ptr> partition_by;
    std::vector<sort_key> order_by;
    window_frame frame;
    sql_type type; ///< result type
};

/// How rows that a window call's ORDER BY leaves tied (its peers) affect its value:
///   none    not at all: the peer-based functions (rank, cume_dist, …) and order-insensitive
///           aggregates over frames of whole peer groups (RANGE, GROUPS);
///   order   through their order alone (row_number, ntile, lag, lead, and any ROWS frame
///           without EXCLUDE GROUP or TIES): a deterministic tie break appended to the ORDER BY
///           picks one of the orders PostgreSQL may pick, the same one every time;
///   peers   through frames of peers that a tie break would change (first_value, nth_value or
///           array_agg over a RANGE or GROUPS frame, EXCLUDE GROUP or TIES): deterministic only
///           when no two rows of a partition tie.
enum class tie_effect { none, order, peers };
tie_effect ties_effect(const window_call& c);

/// Each input row followed by the value of each call over the row's partition (its window).
/// Maintained by recomputing the partitions a change touches.
struct window {
    std::vector<window_call> calls;
};

/// WITH RECURSIVE `name`: inputs[0] is the non-recursive term B, inputs[1] the recursive term
/// S, which reads the rows found so far through its one `recursive_ref` with the same `id`.
/// UNION ALL: B + S(B) + S(S(B)) + … until a round adds nothing; UNION (`distinct`): the
/// distinct rows of that, each round adding only rows not found before (PostgreSQL's order).
struct recursive {
    int id = 0;
    std::string name;
    bool distinct = false;
};
/// Inside a recursive term: the rows of recursive CTE `id` (its working table).
struct recursive_ref {
    int id = 0;
    std::string name;
};
/// A leaf of constant rows: a `VALUES` list, or the one row without columns a SELECT without
/// FROM (or a function in FROM with no table before it) reads. Its expressions read no column;
/// it never changes (a stable call among them is taken at each full load, as elsewhere).
struct values {
    std::vector<std::vector<expr_ptr>> rows;
};

using rel_node = std::variant<scan, filter, project, join, aggregate, distinct, union_all, sublink, set_operation,
                              table_function, window, recursive, recursive_ref, values>;

struct rel {
    rel_node node;
    std::vector<rel_ptr> inputs;
    std::vector<column> columns; ///< output schema
};

rel_ptr make_rel(rel_node node, std::vector<rel_ptr> inputs, std::vector<column> columns);

/// `ORDER BY … LIMIT n [OFFSET m]` of a defining query (TopK): the stream table holds the
/// first rows of `root` in this order, its columns the first `visible` ones of `root` (the
/// others hold sort keys outside the select list).
struct topk {
    std::vector<sort_key> keys; ///< column references into `root`
    long long limit = 0;
    long long offset = 0;
    bool with_ties = false; ///< FETCH FIRST … WITH TIES
    std::size_t visible = 0;
};

/// A compiled defining query: the operator tree and facts the extension needs about it.
struct query {
    rel_ptr root;
    volatility max_volatility = volatility::immutable;
    std::vector<table_ptr> sources; ///< distinct base tables read, in first-use order
    bool has_order_by = false;      ///< ORDER BY without LIMIT (ignored; the caller warns)
    std::optional<ir::topk> topk;
};

/// True when `e` can never be NULL over rows with columns `input`: NOT NULL columns, non-null
/// literals, and built-in operators, tests and casts of such values.
bool never_null(const expr& e, const std::vector<column>& input);

/// The base table column output `column` of `r` passes on unchanged (through projections,
/// filters, joins, grouping keys, …): the table's oid and the column's name; nullopt for a
/// computed value or one that several inputs feed (UNION, COALESCE of a FULL JOIN USING).
struct column_source {
    std::uint32_t table = 0;
    std::string column;
    friend bool operator==(const column_source&, const column_source&) = default;
};
std::optional<column_source> source_of(const rel& r, int column);

/// The output column of `r` by whose value its rows split, as Citus splits a query over
/// co-located shards: every row holds in it the key value of the rows of keyed tables it comes
/// from, and depends on no keyed table's rows of another value (it may depend on any row of an
/// unkeyed table). `key_of` gives a table's key column, or nullopt for an unkeyed table. So a
/// change to keyed tables alone touches only rows whose value is among its rows' key values.
/// Followed through filters, projections, joins and subqueries that equate the keys, GROUP BY
/// and window partitions on them, and set operations; nullopt elsewhere.
std::optional<int> partition_column(const rel& r, const std::function<std::optional<int>(const table&)>& key_of);

/// The display scales the values of a numeric (or integer: 0) expression over the columns of
/// `input` can have, ascending, where they are known: columns and casts of numeric(p, s),
/// literals, + − * of such values, the branches of CASE and COALESCE (NULL has none), and
/// columns `input` computes so (followed through projections, joins, filters, grouping keys);
/// nullopt otherwise (a table's plain numeric, division, functions, more than a few scales).
std::optional<std::vector<int>> value_scales(const expr& e, const rel& input);

/// `root` with each base table read for the columns the operators above it use (a projection
/// over the scan), and the operators between rewritten to match: the same output columns and
/// rows. Inputs of DISTINCT, set operations, windows, set-returning functions and recursion keep
/// all their columns (pruned below them only); equal subtrees keep what all their readers use,
/// so that they stay equal (circuit_node::same_as).
rel_ptr prune_columns(const rel_ptr& root);

/// Aggregate call as SQL spells its name (`count`, `sum`, …), for column names.
const std::string& agg_name(const agg_call& a);
/// `INTERSECT ALL`, `EXCEPT`, …
std::string set_op_name(const set_operation& s);
/// The frame clause as SQL (empty for the default frame), its offsets rendered by `offset`.
std::string frame_text(const window_frame& f, const std::function<std::string(const expr&)>& offset);

/// Multi-line, indented rendering of the operator tree (for `pgtc explain` and `explain_st`).
std::string to_string(const rel& r);
/// SQL-like rendering of an expression over input columns named `$0`, `$1`, … or `names`.
std::string to_string(const expr& e, const std::vector<column>* names = nullptr);

} // namespace pgt::ir
