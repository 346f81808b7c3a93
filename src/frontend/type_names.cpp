#include "frontend/type_names.hpp"

#include <cctype>

namespace pgt::frontend {

std::string quote_identifier_if_needed(const std::string& name) {
    bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (unsigned char c : name) plain &= std::islower(c) || std::isdigit(c) || c == '_';
    if (plain) return name;
    std::string r = "\"";
    for (char c : name) r += c == '"' ? std::string("\"\"") : std::string(1, c);
    return r + "\"";
}

type_name_result type_from_name(const TypeName* tn) {
    if (tn->pct_type) return {{}, "%TYPE"};
    if (tn->setof) return {{}, "SETOF"};
    std::vector<std::string> parts;
    for (const Node* n : nodes(tn->names)) parts.push_back(str(n));
    if (parts.empty()) return {{}, "type given by OID"};
    // db.schema.type: the database part adds nothing.
    if (parts.size() > 2) parts.erase(parts.begin(), parts.end() - 2);
    const bool builtin_schema = parts.size() == 2 && parts[0] == "pg_catalog";
    const std::string& base = parts.back();

    std::string modifier;
    for (const Node* m : nodes(tn->typmods)) {
        if (!IsA(m, A_Const) || as<A_Const>(m)->isnull || !IsA(&as<A_Const>(m)->val, Integer))
            return {{}, "type modifier"};
        modifier += (modifier.empty() ? "(" : ",") + std::to_string(intVal(&as<A_Const>(m)->val));
    }
    if (!modifier.empty()) modifier += ")";
    if (base == "interval" && !modifier.empty()) return {{}, "interval field qualifier"};
    std::string arrays;
    for (int i = 0; i < list_length(tn->arrayBounds); ++i) arrays += "[]";

    if (builtin_schema || parts.size() == 1) {
        sql_type t = parse_type_name(base + modifier);
        if (t.kind != type_kind::other) {
            if (arrays.empty()) return {t, {}};
            return {{type_kind::other, t.name + arrays}, {}};
        }
    }
    std::string spelling;
    for (std::size_t i = 0; i < parts.size(); ++i)
        spelling += (i ? "." : "") + quote_identifier_if_needed(parts[i]);
    return {{type_kind::other, spelling + modifier + arrays}, {}};
}

} // namespace pgt::frontend
