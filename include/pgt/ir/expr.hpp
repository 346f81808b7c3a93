#pragma once
/// \file
/// Scalar expressions of the relational IR. An expression is evaluated against one input row;
/// `column` nodes name input columns by position. Expressions are immutable and shared.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/types.hpp"

namespace pgt::ir {

enum class volatility { immutable, stable, volatile_ };

enum class expr_kind {
    column,           ///< input column `index`
    constant,         ///< literal: `literal` text (nullopt = NULL) of `type`
    op,               ///< operator `name` (`+`, `=`, `||`, `~~`, …) on 1 or 2 args
    func,             ///< function `schema.name(args)`
    and_,             ///< AND of ≥ 2 args
    or_,              ///< OR of ≥ 2 args
    not_,             ///< NOT arg
    case_,            ///< CASE WHEN a0 THEN a1 [WHEN a2 THEN a3 …] [ELSE last]; `has_else`
    coalesce,         ///< COALESCE(args)
    nullif,           ///< NULLIF(a0, a1)
    greatest,         ///< GREATEST(args)
    least,            ///< LEAST(args)
    is_null,          ///< a0 IS NULL (`negated`: IS NOT NULL)
    is_distinct_from, ///< a0 IS DISTINCT FROM a1 (`negated`: IS NOT DISTINCT FROM)
    in_list,          ///< a0 IN (a1, …) (`negated`: NOT IN)
    cast,             ///< CAST(a0 AS type)
    array,            ///< ARRAY[args] (a multidimensional one when the args are arrays)
    subscript,        ///< a0[a1][a2]…: an array's element, a jsonb's member
    slice,            ///< a0[a1:a2][a3:a4]…: an array's slice, bounds given
    field,            ///< (a0).name: a field of a composite value
    op_any,           ///< a0 op ANY (a1): `name` the operator in `schema`, a1 an array
    op_all,           ///< a0 op ALL (a1)
    collate,          ///< a0 COLLATE schema.name
    row,              ///< ROW(args), of `type` (a table's row type: a whole-row reference)
};

struct expr;
using expr_ptr = std::shared_ptr<const expr>;

struct expr {
    expr_kind kind{};
    sql_type type;                       ///< result type
    int index = -1;                      ///< column: input column position
    std::optional<std::string> literal;  ///< constant: PostgreSQL text form; nullopt is NULL
    std::string schema;                  ///< func/op: namespace (pg_catalog for built-ins)
    std::string name;                    ///< func/op name, lower case
    std::vector<expr_ptr> args;
    bool negated = false;                ///< is_null, is_distinct_from, in_list
    bool has_else = false;               ///< case_
    volatility vol = volatility::immutable; ///< of this node alone (func/op)
};

expr_ptr make_column(int index, sql_type type);
expr_ptr make_constant(std::optional<std::string> literal, sql_type type);
expr_ptr make_node(expr_kind kind, sql_type type, std::vector<expr_ptr> args);
expr_ptr make_call(expr_kind kind, std::string schema, std::string name, sql_type type,
                   std::vector<expr_ptr> args, volatility vol = volatility::immutable);

/// The most volatile function or operator anywhere in `e`.
volatility max_volatility(const expr& e);
/// True if `e` reads input column `index` anywhere.
bool references_column(const expr& e, int index);
/// Every input column `e` reads.
std::vector<int> referenced_columns(const expr& e);
/// `e` with every column index `i` replaced by `map[i]` (an expression), e.g. to push an
/// expression through a projection.
expr_ptr substitute_columns(const expr_ptr& e, const std::vector<expr_ptr>& map);
/// `e` with every column node replaced by `f(column)`.
expr_ptr map_columns(const expr_ptr& e, const std::function<expr_ptr(const expr&)>& f);
/// `e` with every column index shifted by `delta` (for the right side of a join).
expr_ptr shift_columns(const expr_ptr& e, int delta);
/// Splits a predicate into its top-level AND conjuncts.
std::vector<expr_ptr> conjuncts(const expr_ptr& e);
/// Whether a top-level conjunct of `condition` equates (built-in `=`, or IS NOT DISTINCT FROM)
/// input column `column` with an expression for which `other` holds: rows matching on it
/// agree on that column.
bool equates_column(const expr_ptr& condition, int column, const std::function<bool(const expr&)>& other);
/// A top-level conjunct `column = other` (built-in `=`) of a condition, either way round.
struct column_equality {
    int column;
    expr_ptr other;
};
/// Every such conjunct of `condition`, once for each side that is a column.
std::vector<column_equality> column_equalities(const expr_ptr& condition);
/// AND of `parts` (nullptr when empty, the part itself when one).
expr_ptr make_and(std::vector<expr_ptr> parts);
/// Whether `e`, an operator or a cast, is NULL whenever an argument is: built-in operators (all
/// strict but `||` on arrays) and casts between built-in types. Functions are not assumed to be.
bool strict_builtin(const expr& e);
/// Structural equality: same node kinds, names, literals, types and columns throughout (how
/// GROUP BY expressions are matched in the select list).
bool equivalent(const expr& a, const expr& b);

} // namespace pgt::ir
