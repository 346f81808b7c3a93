#pragma once
// Raw expressions → IR expressions over the FROM row of the current query level.
#include <map>
#include <vector>

#include "frontend/scope.hpp"

namespace pgt::frontend {

/// Where an expression stands: decides whether aggregates and window functions may appear
/// and names the clause in messages.
enum class clause {
    select_list,
    where,
    join_on,
    group_by,
    having,
    order_by,
    aggregate_argument,
    filter,
    limit,
    values,
    function_in_from,
    window_definition,
};

/// A subquery in an expression, waiting to be joined to the rows of its level (sublink.cpp).
/// Its expressions read the level's row (`row_width` columns) followed by `inner`'s columns.
struct pending_sublink {
    ir::sublink_kind kind{};
    const SubLink* node = nullptr;
    ir::rel_ptr inner;
    bool pulled_up = false;         ///< its condition and outputs read outer values directly
    ir::expr_ptr pulled_condition;  ///< pulled up: the correlated WHERE conjuncts
    std::vector<ir::expr_ptr> outputs; ///< the subquery's select list
    std::vector<ir::expr_ptr> lhs;  ///< ANY/ALL: the left-hand side, over the level's row
    std::string op;                 ///< ANY/ALL: the comparison operator
    std::vector<ir::expr_ptr> d_values; ///< lifted: the outer values D is made of
    const ir::rel* d = nullptr;         ///< lifted: D's stand-in inside `inner`
    ir::expr_ptr result;            ///< its stand-in in the translated expression
    int row_width = 0;
    /// Built from the above for the current row: the sublink node's condition and value.
    ir::expr_ptr condition, value;
};

/// The subqueries of one expression context, and the row they are translated over.
struct sublink_collector {
    const std::vector<ir::column>* row = nullptr;
    std::vector<pending_sublink> items;
};

/// The aggregates of one query level. Each call stands in the translated expressions as a
/// placeholder node (identified by address) until grouping rebases it on the aggregate's
/// output.
struct agg_collector {
    std::vector<ir::agg_call> calls;
    std::vector<ir::expr_ptr> results;
    /// GROUPING(args): the stand-in for each call and its arguments (over the FROM row).
    struct grouping_call {
        ir::expr_ptr result;
        std::vector<ir::expr_ptr> args;
        int location;
    };
    std::vector<grouping_call> groupings;
};

/// The window function calls of one query level, each standing in the translated expressions
/// as a placeholder (by address) until the level's window node provides its column.
struct window_collector {
    std::vector<ir::window_call> calls;
    std::vector<ir::expr_ptr> results;
    const List* named = nullptr; ///< the level's WINDOW clause (WindowDef nodes)
};

struct expr_env {
    context& ctx;
    const select_scope& scope;
    clause where;
    agg_collector* aggs = nullptr; ///< where aggregates go; nullptr: not allowed here
    /// Where subqueries in expressions go (nullptr: not supported here); `row_subs` takes
    /// those evaluated per row of the FROM clause (aggregate arguments, FILTER) in a level
    /// whose other subqueries are evaluated per group.
    sublink_collector* subs = nullptr;
    sublink_collector* row_subs = nullptr;
    window_collector* windows = nullptr; ///< where window calls go; nullptr: not supported here

    expr_env with(clause c, agg_collector* a) const { return {ctx, scope, c, a, subs, row_subs, windows}; }
};

ir::expr_ptr translate_expr(const Node* n, const expr_env& env);

/// `(x).*` in a select list: each field of the composite x, named as the field.
std::vector<std::pair<std::string, ir::expr_ptr>> translate_all_fields(const A_Indirection* ind, const expr_env& env);
/// A condition: translated and coerced to boolean (`construct` names it in the 42804 error).
ir::expr_ptr translate_condition(const Node* n, const expr_env& env, const char* construct);

/// A function's name as called: `name` or `schema.name`.
struct function_name {
    std::string schema, name;
    bool builtin_schema() const { return schema.empty() || schema == "pg_catalog"; }
    std::string qualified() const { return schema.empty() ? name : schema + "." + name; }
};
function_name name_of(const FuncCall* fc);

/// Function calls, aggregates, window functions (translate_func.cpp).
ir::expr_ptr translate_func_call(const FuncCall* fc, const expr_env& env);
/// GROUPING(args) (translate_func.cpp): a stand-in, resolved once the grouping sets are known.
ir::expr_ptr translate_grouping_func(const GroupingFunc* g, const expr_env& env);
/// CURRENT_DATE, CURRENT_USER, … (translate_func.cpp).
ir::expr_ptr translate_sql_value_function(const SQLValueFunction* f, const expr_env& env);
/// Subqueries in expressions (sublink.cpp): translated and recorded in the environment's
/// collector; returns the stand-in for their value.
ir::expr_ptr translate_sublink(const SubLink* s, const expr_env& env);

/// Joins the collected subqueries to `rel`, whose first columns are the row they were
/// translated over: one column each, in order. Returns the new relation and, by stand-in,
/// the expression of each subquery's value over it.
struct attached_sublinks {
    ir::rel_ptr rel;
    std::map<const ir::expr*, ir::expr_ptr> values;
};
attached_sublinks attach_sublinks(ir::rel_ptr rel, const std::vector<pending_sublink>& subs);

/// The subqueries of an outer join's ON clause, translated over the joined row (`left_width`
/// columns of `left`, then `right`'s), each joined to the input whose columns it reads (the
/// right one when it reads neither): the inputs with their added columns at the end, and by
/// stand-in the value's column in the joined row of those inputs. nullopt when a subquery
/// reads both sides (its value needs the pair, which the outer join's NULL rows lack).
struct sided_sublinks {
    ir::rel_ptr left, right;
    int left_added = 0, right_added = 0;
    std::map<const ir::expr*, ir::expr_ptr> values;
};
std::optional<sided_sublinks> attach_to_sides(const std::vector<pending_sublink>& subs, ir::rel_ptr left, ir::rel_ptr right);

/// Whether `p` (translated over `rel`'s row) is an uncorrelated subquery whose test reads
/// columns of one input of the inner join at `rel`'s top (under its filters) alone, the
/// other input whole tables (unfiltered).
bool reads_one_join_input(const ir::rel& rel, const pending_sublink& p);

/// As attach_sublinks, with each subquery joined to the deepest input of `rel`'s inner joins
/// (under their filters) whose columns hold all it reads: the row's columns, then one per
/// subquery, found by stand-in in the values.
attached_sublinks attach_below_joins(ir::rel_ptr rel, const std::vector<pending_sublink>& subs);

/// The pending subquery `p` lifted (see correlation.hpp) whatever discovery chose, so that its
/// outer values are plain expressions (`d_values`) that a grouped level can rebase.
pending_sublink lift_sublink(const pending_sublink& p, const expr_env& env);

/// Rebuilds `p`'s condition and value for a row of `row` columns, from `d_values`, `lhs` and
/// `outputs` (whose inner columns follow the row).
void finish_sublink(context& ctx, pending_sublink& p, const std::vector<ir::column>& row);

/// `e` with every stand-in of `values` replaced.
ir::expr_ptr replace_stand_ins(const ir::expr_ptr& e, const std::map<const ir::expr*, ir::expr_ptr>& values);
/// True when `e` contains one of the stand-ins of `subs`.
bool contains_sublink(const ir::expr& e, const std::vector<pending_sublink>& subs);

/// `l op r`, resolved by the catalog (along the search path, or in `schema` for
/// OPERATOR(schema.op)), unknown literals coerced; a placeholder (recorded as unsupported) when
/// the catalog cannot tell.
ir::expr_ptr make_operator(context& ctx, const std::string& schema, const std::string& op, ir::expr_ptr l,
                           ir::expr_ptr r, int location);
ir::expr_ptr make_operator(context& ctx, const std::string& op, ir::expr_ptr l, ir::expr_ptr r,
                           int location);

/// The location of an expression node, or -1.
int expr_location(const Node* n);

/// True if `e` contains one of `aggs`' placeholders.
bool contains_aggregate(const ir::expr& e, const agg_collector& aggs);

} // namespace pgt::frontend
