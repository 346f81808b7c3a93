// The catalog's type resolution without a server: the built-in types, operators, functions and
// aggregates pgt/typing.hpp knows, plus what the catalog's find_function/find_aggregate answer.
#include "pgt/catalog.hpp"

#include "pgt/error.hpp"

namespace pgt {

std::optional<sql_type> catalog::find_type(const std::string&, int) const { return std::nullopt; }

std::optional<typing::resolved_call> catalog::resolve_operator(const std::string& schema, const std::string& op,
                                                               const sql_type* left, const sql_type& right,
                                                               int position) const {
    if (!schema.empty() && schema != "pg_catalog") return std::nullopt;
    if (!left) return op == "-" || op == "+" ? typing::resolve_prefix_operator(op, right, position) : std::nullopt;
    if (!typing::is_known_operator(op)) return std::nullopt;
    return typing::resolve_operator(op, *left, right, position);
}

std::optional<typing::resolved_call> catalog::resolve_function(const call_request& call) const {
    const auto& [schema, name, args, kind, star, ordered, position] = call;
    const bool builtin = schema.empty() || schema == "pg_catalog";
    if (kind == call_kind::aggregate) {
        if (builtin && typing::is_builtin_aggregate(name)) return typing::resolve_aggregate(name, args, ordered, position);
        auto agg = find_aggregate(schema, name, static_cast<int>(args.size()));
        // A polymorphic result needs the argument types resolved against it: not known here.
        if (!agg || agg->result.name.starts_with("any")) return std::nullopt;
        return typing::resolved_call{args, agg->result, agg->vol, agg->schema};
    }
    if (kind == call_kind::window) return std::nullopt;
    if (builtin)
        if (auto r = typing::resolve_builtin_function(name, args, position)) return r;
    auto info = find_function(schema, name, args);
    if (!info) return std::nullopt;
    return typing::resolved_call{args, info->result, info->vol, info->schema};
}

std::optional<sql_type> catalog::common_type(const std::vector<sql_type>& types, std::string_view context,
                                             const std::vector<int>& positions) const {
    return typing::common_type(types, context, positions);
}

std::optional<ir::volatility> catalog::cast(const sql_type& from, const sql_type& to) const {
    if (!typing::castable(from, to)) return std::nullopt;
    return typing::cast_volatility(from, to);
}

std::optional<sql_type> catalog::array_type(const sql_type& element) const {
    if (element.name.ends_with("]")) return element;
    if (element.kind == type_kind::unknown) return std::nullopt;
    const std::string base = element.kind == type_kind::other ? element.name : make_type(element.kind).name;
    return parse_type_name(base + "[]");
}

sql_type catalog::base_type(const sql_type& t) const { return t; }

std::optional<sql_type> catalog::element_type(const sql_type& t) const {
    if (!t.name.ends_with("[]")) return std::nullopt;
    return parse_type_name(t.name.substr(0, t.name.size() - 2));
}

std::optional<sql_type> catalog::field_type(const sql_type& t, const std::string& name, int position) const {
    (void)t, (void)name, (void)position;
    return std::nullopt;
}

std::optional<std::vector<ir::column>> catalog::fields_of(const sql_type& t) const {
    (void)t;
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> catalog::find_collation(const std::vector<std::string>& names, int position) const {
    (void)position;
    // The collations every database has, in pg_catalog.
    const std::string& name = names.back();
    const bool in_catalog = names.size() == 1 || names.front() == "pg_catalog";
    if (in_catalog && (name == "C" || name == "POSIX" || name == "default" || name == "ucs_basic")) return std::pair{std::string("pg_catalog"), name};
    return std::nullopt;
}

std::optional<bool> catalog::is_boolean(const sql_type& t) const {
    if (t.kind == type_kind::other) return std::nullopt;
    return t.kind == type_kind::boolean || t.kind == type_kind::unknown;
}

} // namespace pgt
