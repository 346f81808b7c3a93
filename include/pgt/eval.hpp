#pragma once
/// \file
/// The oracle's evaluation of IR expressions and aggregates over `pgt::value` rows, with
/// PostgreSQL 15's semantics: three-valued logic, strict operators, overflow and division
/// errors with PostgreSQL's SQLSTATE and message, display scales of numeric results.
///
/// Whatever the oracle cannot evaluate exactly as PostgreSQL would (an unknown function, an
/// operator on a type it treats as opaque) throws `pgt::error` with SQLSTATE 0A000 and a
/// message naming it, so that a caller can tell "cannot check" from "wrong".

#include <cstdint>
#include <utility>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/types.hpp"
#include "pgt/value.hpp"

namespace pgt {

namespace ir {
struct expr;
struct agg_call;
struct table_function;
struct window;
} // namespace ir

/// The value of `e` over `input` (column nodes index `input.cols`).
value eval(const ir::expr& e, const row& input);

/// WHERE / JOIN ON / FILTER semantics: true only when `e` is TRUE (not FALSE, not NULL).
bool eval_predicate(const ir::expr& e, const row& input);

/// CAST(v AS to) for a value of type `from`, with explicit-cast semantics: numeric → integer
/// rounds half away from zero, float → integer rounds half to even, varchar(n)/bpchar(n)
/// truncate silently, numeric(p,s) rounds, text converts through the input function.
value cast_value(const value& v, const sql_type& from, const sql_type& to);

/// The rows `ROWS FROM (…) [WITH ORDINALITY]` returns for one input row: the functions' columns
/// zipped (shorter ones padded with NULLs), then the ordinality.
std::vector<row> eval_table_function(const ir::table_function& t, const row& input);

/// Each copy of each input row (a row and how many times it occurs) followed by the value of
/// each window call over its partition and frame, one output row per copy (weight 1).
std::vector<std::pair<row, std::int64_t>> eval_window(const ir::window& w,
                                                      const std::vector<std::pair<row, std::int64_t>>& input);

/// A row of a group and how many times it occurs there (> 0).
using weighted_row = std::pair<const row*, std::int64_t>;

/// An aggregate over one group: COUNT(*), COUNT, SUM, AVG, MIN, MAX, BOOL_AND, BOOL_OR with
/// PostgreSQL's result types and values; NULL arguments are skipped and only rows whose
/// `filter` is TRUE count. Over no qualifying row COUNT is 0 and the others NULL.
value eval_aggregate(const ir::agg_call& a, const std::vector<weighted_row>& group);

} // namespace pgt
