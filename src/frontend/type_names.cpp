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

namespace {

// An interval's field restriction (the first modifier, a mask of INTERVAL_MASK bits) as SQL
// spells it, and its seconds precision; empty when the mask is not one the grammar produces.
std::string interval_spelling(const std::vector<long>& mods) {
    struct field {
        long mask;
        const char* words;
    };
    // INTERVAL_MASK(MONTH=1, YEAR=2, DAY=3, HOUR=10, MINUTE=11, SECOND=12), utils/timestamp.h.
    static constexpr field fields[] = {
        {0x7FFF, ""},          {1 << 2, " year"},           {1 << 1, " month"},          {1 << 3, " day"},
        {1 << 10, " hour"},    {1 << 11, " minute"},        {1 << 12, " second"},        {(1 << 2) | (1 << 1), " year to month"},
        {(1 << 3) | (1 << 10), " day to hour"}, {(1 << 3) | (1 << 10) | (1 << 11), " day to minute"},
        {(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12), " day to second"}, {(1 << 10) | (1 << 11), " hour to minute"},
        {(1 << 10) | (1 << 11) | (1 << 12), " hour to second"}, {(1 << 11) | (1 << 12), " minute to second"}};
    for (const auto& f : fields) {
        if (f.mask != mods[0]) continue;
        std::string r = "interval";
        if (mods.size() < 2) return r + f.words;
        const std::string precision = "(" + std::to_string(mods[1]) + ")";
        // interval(3) without fields; otherwise the precision follows the last field.
        return f.mask == 0x7FFF ? r + precision : r + f.words + precision;
    }
    return {};
}

} // namespace

namespace {

/// pg_type names of the types the compiler knows: the only names an unqualified or pg_catalog
/// type name can match (the SQL spellings `integer`, `character`, … are the grammar's, which
/// turns them into these; `"char"` is another type than `char`).
bool known_typname(const std::string& name) {
    for (const char* n : {"bool", "int2", "int4", "int8", "numeric", "float4", "float8", "text", "varchar", "bpchar",
                          "date", "timestamp", "timestamptz", "interval"})
        if (name == n) return true;
    return false;
}

std::string quoted(const std::string& name) {
    std::string r = "\"";
    for (char c : name) r += c == '"' ? std::string("\"\"") : std::string(1, c);
    return r + "\"";
}

} // namespace

type_name_result type_from_name(const TypeName* tn) {
    auto problem = [](const char* what) { return type_name_result{{}, what, {}}; };
    if (tn->pct_type) return problem("%TYPE");
    if (tn->setof) return problem("SETOF");
    std::vector<std::string> parts;
    for (const Node* n : nodes(tn->names)) parts.push_back(str(n));
    if (parts.empty()) return problem("type given by OID");
    // db.schema.type: the database part adds nothing.
    if (parts.size() > 2) parts.erase(parts.begin(), parts.end() - 2);
    const bool builtin_schema = parts.size() == 2 && parts[0] == "pg_catalog";
    const std::string& base = parts.back();

    std::string modifier;
    std::vector<long> mods;
    for (const Node* m : nodes(tn->typmods)) {
        if (!IsA(m, A_Const) || as<A_Const>(m)->isnull || !IsA(&as<A_Const>(m)->val, Integer))
            return problem("type modifier");
        mods.push_back(intVal(&as<A_Const>(m)->val));
        modifier += (modifier.empty() ? "(" : ",") + std::to_string(mods.back());
    }
    if (!modifier.empty()) modifier += ")";
    if (base == "interval" && !mods.empty() && list_length(tn->arrayBounds) == 0 && (builtin_schema || parts.size() == 1)) {
        // `interval '90' day`: the keyword spelling, which no search_path can redirect.
        const std::string spelling = interval_spelling(mods);
        if (spelling.empty()) return problem("interval field qualifier");
        return {{type_kind::interval, spelling}, {}, {}};
    }
    std::string arrays;
    for (int i = 0; i < list_length(tn->arrayBounds); ++i) arrays += "[]";
    std::string exact;
    for (std::size_t i = 0; i < parts.size(); ++i) exact += (i ? "." : "") + quoted(parts[i]);
    exact += modifier + arrays;

    if ((builtin_schema || parts.size() == 1) && known_typname(base)) {
        sql_type t = parse_type_name(base + modifier);
        if (arrays.empty()) return {t, {}, exact};
        return {{type_kind::other, t.name + arrays}, {}, exact};
    }
    std::string spelling;
    for (std::size_t i = 0; i < parts.size(); ++i)
        spelling += (i ? "." : "") + quote_identifier_if_needed(parts[i]);
    // "char" is a keyword: quoted, it is the one-byte type.
    if (parts.size() == 1 && base == "char") spelling = quoted(base);
    sql_type t{type_kind::other, spelling + modifier + arrays};
    // (A built-in type without equality, json or point, as a server's catalog would tell.)
    if (builtin_schema || parts.size() == 1) t.equality = parse_type_name(base + arrays).equality;
    return {t, {}, exact};
}

std::optional<sql_type> row_type_of(context& ctx, const ir::table& t, int location) {
    return ctx.cat.find_type(quoted(t.schema) + "." + quoted(t.name), ctx.position(location));
}

type_name_result type_from_name(context& ctx, const TypeName* tn) {
    type_name_result r = type_from_name(tn);
    if (r.problem.empty() && !r.exact.empty())
        if (auto t = ctx.cat.find_type(r.exact, ctx.position(tn->location))) r.type = *t;
    return r;
}

} // namespace pgt::frontend
