#pragma once
// The front end's catalog inside the server: relations and functions from the system
// catalogs, as the current user sees them (search_path, privileges are checked when the
// query runs). Stream tables appear as plain tables of their visible columns. Types,
// operators, functions and casts resolve through PostgreSQL's own analyzer (pg/analyzer.hpp).

#include <map>
#include <set>

#include "pgt/catalog.hpp"

#include "pg/analyzer.hpp"
#include "pg/relations.hpp"

namespace pgt::ext {

/// A type as format_type spells it (the columns spi::describe gives), with what the server
/// knows of it (whether it has equality).
sql_type server_type(const std::string& spelling);

class server_catalog final : public catalog {
public:
    std::optional<relation_info> find_relation(const std::string& schema, const std::string& name) const override;
    std::optional<function_info> find_function(const std::string& schema, const std::string& name,
                                               const std::vector<sql_type>& args) const override;
    std::optional<function_info> find_aggregate(const std::string& schema, const std::string& name,
                                                int nargs) const override;
    /// The relation with this oid.
    std::optional<relation_info> relation_by_oid(unsigned relid) const;

    std::optional<sql_type> find_type(const std::string& spelling, int position) const override;
    std::optional<typing::resolved_call> resolve_operator(const std::string& schema, const std::string& op,
                                                          const sql_type* left, const sql_type& right,
                                                          int position) const override;
    std::optional<typing::resolved_call> resolve_function(const call_request& call) const override;
    std::optional<sql_type> common_type(const std::vector<sql_type>& types, std::string_view context,
                                        const std::vector<int>& positions) const override;
    std::optional<ir::volatility> cast(const sql_type& from, const sql_type& to) const override;
    std::optional<bool> is_boolean(const sql_type& t) const override;
    std::optional<sql_type> array_type(const sql_type& element) const override;
    sql_type base_type(const sql_type& t) const override;
    std::optional<sql_type> element_type(const sql_type& t) const override;
    std::optional<sql_type> field_type(const sql_type& t, const std::string& name, int position) const override;
    std::optional<std::vector<ir::column>> fields_of(const sql_type& t) const override;
    std::optional<std::pair<std::string, std::string>> find_collation(const std::vector<std::string>& names, int position) const override;

    /// The functions, operators and views the compiled query uses (besides built-ins, which
    /// PostgreSQL pins: recorded dependencies on them are no-ops).
    const std::set<server::query_object>& objects() const { return objects_; }

private:
    using type_ref = server::analyzer::type_ref;
    type_ref ref(const sql_type& t) const;
    sql_type type(type_ref t) const;
    typing::resolved_call to_resolved(const server::analyzer::call& c) const;

    /// Spellings and types met during one compilation, both ways.
    mutable std::map<std::string, type_ref> refs_;
    mutable std::map<std::pair<unsigned, int>, sql_type> types_;
    mutable std::set<server::query_object> objects_;
};

} // namespace pgt::ext
