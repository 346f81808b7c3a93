#pragma once
/// \file
/// PostgreSQL 15's typing rules for the expressions the front end translates: operator and
/// function resolution with unknown-literal coercion (parse_oper.c, parse_func.c), the common
/// type of CASE/COALESCE/UNION branches (select_common_type) and aggregate result types.
///
/// Errors PostgreSQL would raise for the types the compiler knows are thrown as `pgt::error`
/// with PostgreSQL's SQLSTATE and message. Types it does not know (`type_kind::other`) are
/// never an error here: the functions return nullopt and the caller decides.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/expr.hpp"
#include "pgt/ir/rel.hpp"
#include "pgt/types.hpp"

namespace pgt::typing {

/// pg_type.typcategory: 'B' boolean, 'N' numeric, 'S' string, 'D' date/time, 'T' timespan,
/// 'X' unknown literal, 'U' (or the real category of a few well-known `other` types).
char category(const sql_type& t);
/// The category's preferred type (float8, text, timestamptz, interval, bool).
bool is_preferred(const sql_type& t);
/// Same type for resolution purposes: modifiers are ignored (`varchar(10)` is `varchar`).
bool same_type(const sql_type& a, const sql_type& b);
/// PostgreSQL casts `from` to `to` implicitly (an unknown literal goes anywhere).
bool implicitly_coercible(const sql_type& from, const sql_type& to);
/// The type as PostgreSQL's messages spell it: `integer`, `character varying`, `unknown`.
std::string display_name(const sql_type& t);

/// A resolved operator, function or aggregate: the argument types it declares (an unknown
/// literal argument takes its declared type) and its result.
struct resolved_call {
    std::vector<sql_type> args;
    sql_type result;
    ir::volatility vol = ir::volatility::immutable;
    std::string schema = "pg_catalog"; ///< where the operator or function lives
    bool returns_set = false;
    /// A function-style cast (`int8(x)`, `text(x)`): CAST(x AS result), no function called.
    bool is_cast = false;
    /// A set-returning function's columns as FROM reads them (a scalar result: one column,
    /// named after its OUT parameter or unnamed); empty when unknown (RETURNS SETOF record).
    struct result_column {
        std::string name;
        sql_type type;
    };
    std::vector<result_column> set_columns = {};
    bool composite = false; ///< its rows are of a composite type (not one scalar value)
};

/// Binary operator: arithmetic `+ - * / % ^`, bitwise `& | # << >>` on integers, comparisons
/// `= <> < <= > >=`, `||`, the LIKE family `~~ !~~ ~~* !~~*`, regular expressions
/// `~ !~ ~* !~*` and array containment `@> <@ &&`. Throws 42883 (no such operator) or 42725 (not unique) at
/// `position`; nullopt when an operand type is `other` and the answer is unknown.
std::optional<resolved_call> resolve_operator(std::string_view op, const sql_type& lhs,
                                              const sql_type& rhs, int position = -1);
/// Prefix `-` or `+`. Same conventions.
std::optional<resolved_call> resolve_prefix_operator(std::string_view op, const sql_type& arg,
                                                     int position = -1);
/// True for the binary operators `resolve_operator` knows.
bool is_known_operator(std::string_view op);

/// A pg_catalog function the compiler knows (name lower case): nullopt when the name is not
/// one of them, when no overload accepts these argument types, or when an argument is
/// `other` (the caller asks the catalog next). Throws 42725 when several overloads fit
/// equally well, as PostgreSQL does (`sum('1')`).
std::optional<resolved_call> resolve_builtin_function(std::string_view name,
                                                      const std::vector<sql_type>& args,
                                                      int position = -1);
bool is_builtin_function(std::string_view name);

/// A pg_catalog aggregate by name: the argument types it declares (an unknown literal takes
/// its declared type) and its result. For ordered-set and hypothetical-set aggregates (WITHIN
/// GROUP), `args` are the direct arguments and `ordered` the sort keys' types. Throws 42883 /
/// 42725 as PostgreSQL does (`sum(text)`, `min(boolean)`); nullopt when the name is not a
/// built-in aggregate, or when an argument type is `other` and the answer is unknown.
std::optional<resolved_call> resolve_aggregate(std::string_view name, const std::vector<sql_type>& args,
                                               const std::vector<sql_type>& ordered = {}, int position = -1);
bool is_builtin_aggregate(std::string_view name);

/// CAST(from AS to) exists (pg_cast, or conversion through text). Types the compiler does not
/// know are assumed castable.
bool castable(const sql_type& from, const sql_type& to);

/// Volatility of CAST(from AS to): conversions that read the session's TimeZone or DateStyle
/// (timestamptz to or from other date/time types, date/time to or from text) are stable.
ir::volatility cast_volatility(const sql_type& from, const sql_type& to);

/// select_common_type: the type CASE, COALESCE, GREATEST/LEAST, IN lists and UNION branches
/// unify to; all unknown → text; the modifier survives only when every input has it.
/// `context` names the construct in the 42804 error (`CASE types integer and text cannot be
/// matched`), thrown at `positions[i]` of the offending input when given. nullopt when an
/// `other` type meets a different type.
std::optional<sql_type> common_type(const std::vector<sql_type>& types, std::string_view context,
                                    const std::vector<int>& positions = {});

/// `function name(integer, text) does not exist` (42883) at `position`.
[[noreturn]] void throw_no_function(std::string_view name, const std::vector<sql_type>& args,
                                    int position);

} // namespace pgt::typing
