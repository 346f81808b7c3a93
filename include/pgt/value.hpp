#pragma once
/// \file
/// The oracle's values: one SQL datum of a known type, rows of them usable as Z-set keys, and
/// the type's input and output functions with PostgreSQL 15's semantics (DateStyle ISO,
/// TimeZone UTC, C collation, UTF-8).

#include <compare>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/numeric.hpp"
#include "pgt/types.hpp"

namespace pgt {

/// Days since 2000-01-01; INT32_MIN / INT32_MAX are -infinity / infinity.
struct date_value {
    std::int32_t days = 0;
    friend auto operator<=>(const date_value&, const date_value&) = default;
};

/// Microseconds since 2000-01-01 00:00:00 (UTC for timestamptz); INT64_MIN / INT64_MAX are
/// -infinity / infinity.
struct timestamp_value {
    std::int64_t micros = 0;
    friend auto operator<=>(const timestamp_value&, const timestamp_value&) = default;
};

/// A value of a type the oracle does not interpret, kept as its text form.
struct opaque_value {
    std::string text;
    friend auto operator<=>(const opaque_value&, const opaque_value&) = default;
};

/// One datum. Which alternative holds a type's values:
/// NULL → monostate; boolean → bool; int2/int4/int8 → int64_t; float4/float8 → double (a float4
/// value is exactly representable as float); numeric → numeric; text/varchar/bpchar →
/// std::string (bpchar without its trailing blanks, which PostgreSQL ignores everywhere but on
/// output); date → date_value; timestamp/timestamptz → timestamp_value; any other → opaque_value.
using value = std::variant<std::monostate, bool, std::int64_t, double, numeric, std::string,
                           date_value, timestamp_value, opaque_value>;

inline bool is_null(const value& v) { return std::holds_alternative<std::monostate>(v); }

/// Grouping equality (GROUP BY, DISTINCT, set operations): NULL equals NULL, numerics by value
/// (1.5 = 1.50), floats with NaN = NaN and -0 = 0, strings bytewise. Values of different
/// alternatives are never equal.
bool same_value(const value& a, const value& b);
/// A hash consistent with same_value.
std::uint64_t hash_value(const value& v);

/// PostgreSQL's sort order within a type (ORDER BY, min, max) under C collation: floats and
/// numerics with NaN above every number, strings bytewise, false < true. Integers, numerics and
/// floats compare across alternatives by value (through float8 when either is a float, as
/// PostgreSQL casts); dates compare with timestamps as midnight. NULL sorts after everything.
std::weak_ordering compare_values(const value& a, const value& b);

/// A tuple of values: a Z-set key under grouping equality.
struct row {
    std::vector<value> cols;

    friend bool operator==(const row& a, const row& b);
    friend std::uint64_t dbsp_hash(const row& r);
};

/// The type's input function applied to `text`, including its type modifier: integers with
/// range checks, numeric(p,s) rounding, float NaN/Infinity, boolean spellings, varchar(n) and
/// bpchar(n) length checks, ISO dates and timestamps. Kinds the oracle does not interpret
/// become opaque_value; an untyped literal (`unknown`) is text, as PostgreSQL outputs it.
/// Errors carry PostgreSQL's SQLSTATE and message; date/time forms PostgreSQL accepts but the
/// oracle does not read (`Jan 5 2024`, named time zones) throw 0A000.
value parse_value(const std::string& text, const sql_type& type);

/// The type's output function: what psql prints (`1.50`, `0.1`, `1e+20`, `t`, `2024-01-05`,
/// `2024-01-05 10:11:12.5`, bpchar padded to its length). NULL has no text form: throws.
std::string to_text(const value& v, const sql_type& type);

/// An SQL expression PostgreSQL reads back as exactly this value: `NULL::<type.name>` or
/// `'<text>'::<type.name>`.
std::string to_sql_literal(const value& v, const sql_type& type);

} // namespace pgt
