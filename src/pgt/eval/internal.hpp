#pragma once
/// \file
/// Private to the evaluator: what its source files share.

#include <compare>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../value/errors.hpp"
#include "pgt/eval.hpp"
#include "pgt/ir/expr.hpp"

namespace pgt::ir {
struct sort_key;
}

namespace pgt::eval_detail {

inline bool is_float(type_kind k) { return k == type_kind::float4 || k == type_kind::float8; }

/// 0A000 "oracle cannot evaluate <what>".
[[noreturn]] void throw_cannot_evaluate(const std::string& what);

/// Values of the numeric family (int64, numeric, double) in another representation.
numeric to_numeric(const value& v);
double to_double(const value& v);

/// `v` (of type `from`) as a value of type `to`: a cast when the kinds differ, else `v`.
value coerce(const value& v, const sql_type& from, const sql_type& to);

/// PostgreSQL's comparison operators between two non-NULL values of comparable types.
std::weak_ordering compare_operands(const value& a, const sql_type& ta, const value& b,
                                    const sql_type& tb);

/// Whether `v` takes the place of `best` (NULL: none yet) as the greatest or least value so far
/// (GREATEST, LEAST, MIN, MAX). Values of a type without a known order throw 0A000.
bool replaces_extreme(const value& v, const value& best, bool greatest, const sql_type& type);

enum class arith_op { add, sub, mul, div, mod };
/// a op b computed in the domain of `result` (integers checked against its range, numeric,
/// float8, or float4 in single precision), with PostgreSQL's overflow and division errors.
value arithmetic(arith_op op, const value& a, const value& b, const sql_type& result);
/// Unary minus in the domain of `result`.
value negate(const value& a, const sql_type& result);
/// PostgreSQL's float result checks: 22003 "value out of range: overflow" / "underflow".
[[noreturn]] void throw_float_overflow();
[[noreturn]] void throw_float_underflow();

/// An `op` node over its evaluated arguments (none NULL: every operator is strict).
value apply_operator(const ir::expr& e, const std::vector<value>& args);

/// text LIKE pattern with `%`, `_` and backslash escapes; ILIKE folds ASCII case.
bool like_match(std::string_view text, std::string_view pattern, bool case_insensitive);

/// Rows `a` and `b`, by the values of their sort keys (ORDER BY inside an aggregate, a window's
/// ORDER BY): < 0 when a sorts first, 0 for peers. NULLs go where each key puts them; DESC
/// reverses the values only.
int sort_order(const std::vector<value>& a, const std::vector<value>& b, const std::vector<ir::sort_key>& keys);

/// One row of an aggregate's input: its argument values (for WITHIN GROUP, the sorted
/// values), and how many copies of it there are.
struct aggregate_row {
    std::vector<value> args;
    std::vector<value> keys;
    std::int64_t times;
};
/// The group's rows that pass FILTER, sorted by the call's ORDER BY (stably) and, with
/// DISTINCT, made distinct (one copy each).
std::vector<aggregate_row> aggregate_input(const ir::agg_call& a, const std::vector<weighted_row>& group);
/// The aggregates beyond COUNT, SUM, AVG, MIN, MAX, BOOL_*.
value eval_other_aggregate(const ir::agg_call& a, const std::vector<aggregate_row>& rows);

/// A built-in function the oracle evaluates. Strict functions never see a NULL argument.
struct function_def {
    std::string_view name;
    std::size_t min_args, max_args;
    bool strict;
    value (*call)(const ir::expr& e, const std::vector<value>& args);
};
std::span<const function_def> math_functions();
std::span<const function_def> string_functions();
std::span<const function_def> datetime_functions();

/// A `func` node over its evaluated arguments.
value call_function(const ir::expr& e, const std::vector<value>& args);

/// Argument `i` of a call as text (strings as they are, other types through cast to text).
std::string text_arg(const ir::expr& e, const std::vector<value>& args, std::size_t i);
/// Argument `i` of a call as an int64 (integers, or numerics/floats cast as PostgreSQL would).
std::int64_t int_arg(const ir::expr& e, const std::vector<value>& args, std::size_t i);

} // namespace pgt::eval_detail
