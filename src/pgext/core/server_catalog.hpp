#pragma once
// The front end's catalog inside the server: relations and functions from the system
// catalogs, as the current user sees them (search_path, privileges are checked when the
// query runs). Stream tables appear as plain tables of their visible columns.

#include "pgt/catalog.hpp"

namespace pgt::ext {

class server_catalog final : public catalog {
public:
    std::optional<relation_info> find_relation(const std::string& schema, const std::string& name) const override;
    std::optional<function_info> find_function(const std::string& schema, const std::string& name,
                                               const std::vector<sql_type>& args) const override;
    std::optional<function_info> find_aggregate(const std::string& schema, const std::string& name,
                                                int nargs) const override;
    /// The relation with this oid.
    std::optional<relation_info> relation_by_oid(unsigned relid) const;
};

} // namespace pgt::ext
