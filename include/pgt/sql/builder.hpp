#pragma once
/// \file
/// A small SQL builder for generated SQL: every identifier quoted, every built-in operator and
/// function schema-qualified (`OPERATOR(pg_catalog.+)`, `pg_catalog.sum`), every expression
/// parenthesised. Generated SQL therefore means the same whatever the session's search_path.
/// Names starting with `__pgt_` are reserved for hidden bookkeeping columns.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/expr.hpp"
#include "pgt/types.hpp"

namespace pgt::sql {

/// `"name"`, with embedded quotes doubled.
std::string ident(std::string_view name);
/// `"schema"."name"`.
std::string qualified(std::string_view schema, std::string_view name);
/// `'text'`, with embedded quotes doubled (standard_conforming_strings on).
std::string literal(std::string_view text);
/// `alias."column"`.
std::string column(std::string_view alias, std::string_view name);
/// `OPERATOR(pg_catalog.op)` (or the given schema).
std::string op(std::string_view name, std::string_view schema = "pg_catalog");
/// `(a OPERATOR(pg_catalog.op) b)`.
std::string binary(std::string_view o, const std::string& a, const std::string& b);
/// Whether pg_catalog's operators compare values of `type` as the type's own would: the types
/// the compiler knows, and arrays (whose operators use their elements' own).
bool catalog_operators(const sql_type& type);
/// `(a op b)` for two values of `type`: pg_catalog's operator for the types the compiler knows
/// and arrays (whose operators use their elements' own); a type of another schema's by its
/// bare name (found along the owner's pinned search_path, pg_catalog first).
std::string compared(std::string_view o, const std::string& a, const std::string& b, const sql_type& type);
/// `pg_catalog.name(args…)`.
std::string call(std::string_view name, const std::vector<std::string>& args,
                 std::string_view schema = "pg_catalog");
/// `CAST(x AS type)`; `x` unchanged when the type has no spelling (an unresolved literal).
std::string cast(const std::string& x, const sql_type& type);
/// `CAST(NULL AS type)`.
std::string typed_null(const sql_type& type);
/// `ARRAY[items…]` of text values (typed, so that it may be empty).
std::string text_array(const std::vector<std::string>& items);
/// `x = ANY (ARRAY(values))`, `values` a one-column query of `type`: a few keys PostgreSQL reads
/// through an index (it guesses thousands for IN over a CTE); `x IN (values)` for an array type,
/// whose ARRAY(…) would be a multidimensional array of its elements.
std::string among(const std::string& x, const std::string& values, const sql_type& type);
/// Items joined with `sep`.
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

/// Renders an IR expression; `column_sql(i)` spells input column `i`.
std::string render(const ir::expr& e, const std::function<std::string(int)>& column_sql);

/// `a IS NOT DISTINCT FROM b`, written so that PostgreSQL can hash-join or index-probe on it
/// when the type is known: `(a IS NULL) = (b IS NULL) AND COALESCE(a, z) = COALESCE(b, z)`.
/// A type without equality compares by image.
std::string not_distinct(const std::string& a, const std::string& b, const sql_type& type);

/// A value as consolidation groups and compares it: the value itself for the types the compiler
/// knows, else its text as row ids hash it (hash_text: equal values alike). Every type has
/// one, which sorts and hashes (GROUP BY over types of which some only sort and others only
/// hash cannot be planned), and types without equality (json, point, …) are told apart by it.
std::string image(const std::string& x, const sql_type& type);
/// A value as it prints, to tell a stored value from its new version (all of the list's
/// expressions equal: it prints alike): the value itself where equal values print alike
/// (integers, strings, dates, …); a numeric's or float's with print_key (2 and 2.0, -0 and 0),
/// cheaper than their text; else its text (interval '1 day' and '24 hours', types the compiler
/// does not know).
std::vector<std::string> printed(const std::string& x, const sql_type& type);
/// What a consolidation groups by beside image(x), so that a row's old and new versions that
/// are equal but print differently do not cancel out (an UPDATE of 1.5 to 1.50 changes what
/// the query shows): a plain numeric's scale, a float zero's sign (its text), an interval's
/// text ('1 day' and '24 hours'). Empty for other types.
std::string print_key(const std::string& x, const sql_type& type);
/// `x` and `y` hold the same value: their images are not distinct.
std::string identical(const std::string& x, const std::string& y, const sql_type& type);
/// Among rows grouped by image(x): x itself when it is its image (it is then a grouping key),
/// else the first of them (all alike).
std::string grouped_value(const std::string& x, const sql_type& type);

/// Text form of a value for row-identity hashing, normalised so that values PostgreSQL groups
/// together hash alike (numeric 1.5 and 1.50, float -0 and 0).
std::string hash_text(const std::string& x, const sql_type& type);
/// An argument of pgtrickle.pg_trickle_row_id_of for x: the value itself, cast to the type the
/// function reads it as, where its text is what hash_text makes of it (integers, text,
/// varchar), else hash_text's image.
std::string row_id_value(const std::string& x, const sql_type& type);

} // namespace pgt::sql
