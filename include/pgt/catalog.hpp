#pragma once
/// \file
/// What the front end asks about names: relations and functions. The extension answers from
/// the system catalogs; offline tools answer from a schema file of CREATE statements.

#include <optional>
#include <string>
#include <vector>

#include "pgt/detail/no_postgres.hpp"
#include "pgt/ir/expr.hpp"
#include "pgt/ir/rel.hpp"
#include "pgt/types.hpp"

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
};

} // namespace pgt
