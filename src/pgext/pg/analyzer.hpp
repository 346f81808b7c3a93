#pragma once
// PostgreSQL's own parse analysis of types, operators, functions and casts (parse_type.c,
// parse_oper.c, parse_func.c, parse_coerce.c), called on stand-ins of the argument types: the
// compiler resolves every call of a defining query exactly as the server does. Errors are
// PostgreSQL's own (42883, 42725, 42704, 42804, …), thrown as pgt::error.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgt::server::analyzer {

using oid = std::uint32_t;

/// A type with its modifier (-1: none).
struct type_ref {
    oid type = 0;
    int typmod = -1;
    friend bool operator==(const type_ref&, const type_ref&) = default;
};

/// The type `spelling` names under the current search_path (as a cast would read it).
type_ref parse_type(const std::string& spelling);
/// format_type's spelling under a search_path of pg_catalog alone: types outside pg_catalog
/// come out schema-qualified, as the columns of pg_trickle's own tables are spelled.
std::string spell_type(type_ref t);
/// The unknown type of an untyped literal.
type_ref unknown_type();

/// What a call resolved to.
struct call {
    std::string schema, name;   ///< of the operator or function called (empty for a cast)
    std::vector<type_ref> args; ///< the type each argument is coerced to
    type_ref result;
    char volatility = 'i';      ///< of the call with its argument coercions: i, s or v
    bool returns_set = false;
    bool is_cast = false;       ///< a function-style cast: no function is called
    oid routine = 0;            ///< the function called (an operator's function for an operator)
    oid operator_id = 0;        ///< the operator, for an operator
    /// A set-returning function's rows, as FROM reads them: its columns (a scalar result is
    /// one column named after its OUT parameter, or unnamed) — empty when they are not known
    /// without a column definition list (RETURNS SETOF record) — and whether the rows are a
    /// composite type (a scalar's whole-row reference is the value itself).
    struct result_column {
        std::string name;
        type_ref type;
    };
    std::vector<result_column> set_columns;
    bool composite = false;
};

/// Errors point at `location`s: byte offsets into the defining query (-1: none).

/// `left op right` (`left` null: prefix `op right`); `schema` non-empty for OPERATOR(schema.op).
call resolve_operator(const std::string& schema, const std::string& op, const type_ref* left, type_ref right,
                      int location);

enum class call_kind { function, aggregate, window };
/// `schema.name(args)` (`schema` empty: along the search_path); `star` for count(*);
/// `ordered`: the WITHIN GROUP keys' types of an ordered-set aggregate.
call resolve_function(const std::string& schema, const std::string& name, const std::vector<type_ref>& args,
                      call_kind kind, bool star, const std::vector<type_ref>& ordered, int location);

/// select_common_type and select_common_typmod over values of these types, each of which must
/// convert to it implicitly (`context` names the construct in errors: CASE, UNION, …).
type_ref common_type(const std::vector<type_ref>& types, const std::string& context, const std::vector<int>& locations);

/// The volatility of CAST(from AS to) (i, s or v), or nullopt when there is no such cast.
std::optional<char> cast_volatility(type_ref from, type_ref to);

/// Whether `t` is boolean or a domain over boolean.
bool is_boolean(type_ref t);

/// The array type of `element` (`element` itself when it is an array); nullopt when none.
std::optional<type_ref> array_type(type_ref element);
/// The type the domain `t` is over, without modifier (as coerce_type relabels a domain cast to
/// a polymorphic family), `t` itself for any other.
type_ref base_type(type_ref t);
/// The element type of the array type `t` (or of a domain over one), with `t`'s modifier;
/// nullopt when `t` is no array.
std::optional<type_ref> element_type(type_ref t);
/// The collation `names` as its schema and name (42704 when there is none, as the parser says);
/// nullopt for a nondeterministic one (values it deems equal may differ in their text image,
/// by which maintenance groups and matches them).
std::optional<std::pair<std::string, std::string>> find_collation(const std::vector<std::string>& names, int position);
/// The fields of the composite type `t` (or of a domain over one), their names and types in
/// order; nullopt when `t` is not composite.
std::optional<std::vector<std::pair<std::string, type_ref>>> fields_of(type_ref t);
/// The type of field `name` of the composite type `t` (or of a domain over one); nullopt when
/// `t` is not composite; 42703 when it has no such field.
std::optional<type_ref> field_type(type_ref t, const std::string& name, int position);

/// For each output column of `sql`, the table column the analyzer records as its origin
/// (resorigtbl, resorigcol: a plain reference, followed through subqueries and CTEs) as the
/// table's oid and the column's name; nullopt for computed values and for columns of views
/// (whose origin the analyzer leaves at the view).
struct column_origin {
    oid table = 0;
    std::string column;
};
std::vector<std::optional<column_origin>> output_origins(const std::string& sql);

/// The estimated total cost of PostgreSQL's plan of `sql` (a single statement).
double planned_cost(const std::string& sql);

/// Whether `t` has a default equality operator (what GROUP BY and DISTINCT need), as the type
/// cache finds it: arrays and records through their element and field types.
bool has_equality(oid t);

/// Whether evaluating `sql` (a SELECT, analysed and rewritten as the server does, views
/// expanded) may raise an error that depends on the data: it calls a function or operator that
/// is not leakproof (division, casts through text, constructors that check their input, …) or
/// checks a domain's constraints. Aggregate and window functions themselves are not counted,
/// their arguments are. A query for which this is false cannot fail on any row.
bool may_raise_on_data(const std::string& sql);

} // namespace pgt::server::analyzer
