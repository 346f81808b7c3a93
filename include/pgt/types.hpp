#pragma once
/// \file
/// SQL types as the compiler sees them: a kind for the types whose semantics it knows (the
/// oracle evaluates those), and the exact PostgreSQL spelling for everything else. Lowering
/// only ever needs the spelling, so types unknown to the oracle are still maintainable.

#include <string>

#include "pgt/detail/no_postgres.hpp"

namespace pgt {

enum class type_kind {
    unknown, ///< an untyped literal ('…' or NULL) not yet coerced
    boolean,
    int2,
    int4,
    int8,
    numeric,
    float4,
    float8,
    text,
    varchar,
    bpchar,
    date,
    timestamp,
    timestamptz,
    interval,
    other, ///< any other type: opaque to the oracle, spelled by `sql_type::name`
};

/// A column or expression type.
struct sql_type {
    type_kind kind = type_kind::unknown;
    /// Schema-qualified spelling usable in a CAST and in CREATE TABLE, with its modifier:
    /// `pg_catalog.int4`, `pg_catalog.numeric(12,2)`, `"public"."mood"`.
    std::string name;
    /// The type has a default equality (a btree or hash operator class), which GROUP BY,
    /// DISTINCT and IS NOT DISTINCT FROM use: false for json, xml, the geometric types and
    /// arrays or records of them. Maintenance compares such values by their text image.
    bool equality = true;

    friend bool operator==(const sql_type&, const sql_type&) = default;
};

/// The canonical type of a kind, without modifier (`unknown`/`other` have no canonical type).
sql_type make_type(type_kind k);

/// Parses a type name as written in SQL or printed by format_type() (`integer`, `int4`,
/// `numeric(10,2)`, `character varying(20)`, `timestamp with time zone`, …). Names it does
/// not know become `type_kind::other` with the given spelling (without equality when it is
/// one of the built-in types that have none, or an array of one).
sql_type parse_type_name(const std::string& name);

bool is_integer(type_kind k);
bool is_numeric_family(type_kind k); ///< int2/4/8, numeric, float4/8
bool is_string(type_kind k);         ///< text, varchar, bpchar

/// The type `sum()` returns for an argument of type `t` (int2/int4 → int8, int8 → numeric, …).
sql_type sum_type(const sql_type& t);
/// The type `avg()` returns for an argument of type `t` (integers/numeric → numeric, floats → float8).
sql_type avg_type(const sql_type& t);

} // namespace pgt
