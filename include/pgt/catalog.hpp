#pragma once
/// \file
/// What the front end asks about names and types: relations, types, operators, functions and
/// casts. The extension answers from the system catalogs, as PostgreSQL's own analyzer resolves
/// them; offline tools answer from a schema file of CREATE statements and the built-ins
/// `pgt/typing.hpp` knows (the defaults here).

#include <optional>
#include <string>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/expr.hpp"
#include "pgt/ir/rel.hpp"
#include "pgt/types.hpp"
#include "pgt/typing.hpp"

namespace pgt {

enum class relation_kind { table, view, materialized_view, foreign_table, other };

struct relation_info {
    relation_kind kind = relation_kind::table;
    ir::table_ptr table;         ///< schema, name, oid, columns, primary key
    std::string view_definition; ///< for views: the SELECT to inline
    bool is_temporary = false;
    /// Inheritance and partitioning: capture follows a partitioned table's partitions, not
    /// inheritance children, and sees no write made through a parent (see translate_from.cpp).
    /// A partitioned table counts as having children.
    bool partitioned = false;
    bool has_children = false;
    std::string parent = {}; ///< its inheritance parent or partitioned table (regclass text), if any
    bool is_partition = false;
};

struct function_info {
    std::string schema; ///< where it was found, e.g. pg_catalog
    sql_type result;
    ir::volatility vol = ir::volatility::immutable;
};

/// A call `catalog::resolve_function` resolves: `schema.name(args)` (`schema` empty: along
/// the search path) as a plain call, an aggregate call or a window function call.
enum class call_kind { function, aggregate, window };
struct call_request {
    std::string schema, name;
    std::vector<sql_type> args;
    call_kind kind = call_kind::function;
    bool star = false;             ///< count(*)
    std::vector<sql_type> ordered; ///< an ordered-set aggregate's WITHIN GROUP keys' types
    int position = -1;             ///< where the call stands, for errors
};

class catalog {
public:
    virtual ~catalog() = default;
    /// Finds a relation by (optional) schema and name, following the search path when the
    /// schema is empty. Names arrive as PostgreSQL folds them (unquoted → lower case).
    virtual std::optional<relation_info> find_relation(const std::string& schema,
                                                       const std::string& name) const = 0;
    /// Resolves a function that is not a built-in the front end knows (user-defined functions,
    /// less common built-ins). nullopt: no such function.
    virtual std::optional<function_info> find_function(const std::string& schema,
                                                       const std::string& name,
                                                       const std::vector<sql_type>& args) const = 0;
    /// Resolves a user-defined aggregate by name and argument count (its declared result
    /// type). nullopt: no such aggregate (offline catalogs know none).
    virtual std::optional<function_info> find_aggregate(const std::string& schema, const std::string& name,
                                                        int nargs) const {
        (void)schema, (void)name, (void)nargs;
        return std::nullopt;
    }

    /// Type resolution, as PostgreSQL's analyzer does it. `position` is where the construct
    /// stands in the query (for errors, thrown as `pgt::error` with PostgreSQL's SQLSTATE and
    /// message); nullopt means the catalog cannot tell (the construct is then unsupported).

    /// The type a cast names (`spelling` as written, every identifier quoted, modifiers and
    /// array bounds included) in the catalog's canonical spelling; 42704 when there is no such
    /// type; nullopt when the catalog has no better reading than the front end's own.
    virtual std::optional<sql_type> find_type(const std::string& spelling, int position) const;
    /// `left op right`, or the prefix operator `op right` when `left` is null; `schema` when
    /// written `OPERATOR(schema.op)`. The result names the operator's schema.
    virtual std::optional<typing::resolved_call> resolve_operator(const std::string& schema, const std::string& op,
                                                                  const sql_type* left, const sql_type& right,
                                                                  int position) const;
    /// A function, aggregate or window function call. A function-style cast (`text(x)`)
    /// comes back with `resolved_call::is_cast`.
    virtual std::optional<typing::resolved_call> resolve_function(const call_request& call) const;
    /// The type CASE, COALESCE, IN lists, VALUES and UNION branches unify to
    /// (select_common_type); `context` names the construct in the 42804 error.
    virtual std::optional<sql_type> common_type(const std::vector<sql_type>& types, std::string_view context,
                                                const std::vector<int>& positions) const;
    /// CAST(from AS to): its volatility, or nullopt when no such cast exists.
    virtual std::optional<ir::volatility> cast(const sql_type& from, const sql_type& to) const;
    /// Whether values of `t` can stand as a condition (boolean, or a domain over it).
    virtual std::optional<bool> is_boolean(const sql_type& t) const;
    /// The array type of elements of type `element` (an array's own type for an array: ARRAY[…]
    /// of arrays is multidimensional); nullopt when there is none.
    virtual std::optional<sql_type> array_type(const sql_type& element) const;
    /// The type the domain `t` is over (through domains over domains), without modifier, as a
    /// cast to a polymorphic family relabels it; `t` itself when it is no domain or the catalog
    /// cannot tell.
    virtual sql_type base_type(const sql_type& t) const;
    /// The element type of the array type `t` (or of a domain over one), with the array's
    /// modifier; nullopt when `t` is no array.
    virtual std::optional<sql_type> element_type(const sql_type& t) const;
    /// The type of field `name` of the composite type `t`; nullopt when the catalog cannot
    /// tell, 42703 when `t` has no such field.
    virtual std::optional<sql_type> field_type(const sql_type& t, const std::string& name, int position) const;
    /// The fields of the composite type `t` (`(x).*`), in order; nullopt when `t` is not
    /// composite or the catalog cannot tell.
    virtual std::optional<std::vector<ir::column>> fields_of(const sql_type& t) const;
    /// The collation `names` (schema-qualified or along the search path) as its schema and
    /// name; 42704 when there is none; nullopt when the catalog cannot tell.
    virtual std::optional<std::pair<std::string, std::string>> find_collation(const std::vector<std::string>& names, int position) const;
};

} // namespace pgt
