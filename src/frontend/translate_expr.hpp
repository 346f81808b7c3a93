#pragma once
// Raw expressions → IR expressions over the FROM row of the current query level.
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

/// The aggregates of one query level. Each call stands in the translated expressions as a
/// placeholder node (identified by address) until grouping rebases it on the aggregate's
/// output.
struct agg_collector {
    std::vector<ir::agg_call> calls;
    std::vector<ir::expr_ptr> results;
};

struct expr_env {
    context& ctx;
    const select_scope& scope;
    clause where;
    agg_collector* aggs = nullptr; ///< where aggregates go; nullptr: not allowed here

    expr_env with(clause c, agg_collector* a) const { return {ctx, scope, c, a}; }
};

ir::expr_ptr translate_expr(const Node* n, const expr_env& env);
/// A condition: translated and coerced to boolean (`construct` names it in the 42804 error).
ir::expr_ptr translate_condition(const Node* n, const expr_env& env, const char* construct);

/// Function calls, aggregates, window functions (translate_func.cpp).
ir::expr_ptr translate_func_call(const FuncCall* fc, const expr_env& env);
/// CURRENT_DATE, CURRENT_USER, … (translate_func.cpp).
ir::expr_ptr translate_sql_value_function(const SQLValueFunction* f, const expr_env& env);
/// Subqueries in expressions: never maintained incrementally (sublink.cpp).
ir::expr_ptr translate_sublink(const SubLink* s, const expr_env& env);

/// `l op r` for a comparison or arithmetic operator, unknown literals coerced.
ir::expr_ptr make_operator(context& ctx, const std::string& op, ir::expr_ptr l, ir::expr_ptr r,
                           int location);

/// The location of an expression node, or -1.
int expr_location(const Node* n);

/// True if `e` contains one of `aggs`' placeholders.
bool contains_aggregate(const ir::expr& e, const agg_collector& aggs);

} // namespace pgt::frontend
