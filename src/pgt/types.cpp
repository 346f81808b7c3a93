#include "pgt/types.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace pgt {

namespace {
struct type_spelling {
    std::string_view spelling;
    type_kind kind;
};
// Every spelling PostgreSQL accepts or format_type() prints for the types we know.
constexpr type_spelling spellings[] = {
    {"bool", type_kind::boolean},
    {"boolean", type_kind::boolean},
    {"int2", type_kind::int2},
    {"smallint", type_kind::int2},
    {"int4", type_kind::int4},
    {"int", type_kind::int4},
    {"integer", type_kind::int4},
    {"int8", type_kind::int8},
    {"bigint", type_kind::int8},
    {"numeric", type_kind::numeric},
    {"decimal", type_kind::numeric},
    {"float4", type_kind::float4},
    {"real", type_kind::float4},
    {"float8", type_kind::float8},
    {"double precision", type_kind::float8},
    {"float", type_kind::float8},
    {"text", type_kind::text},
    {"varchar", type_kind::varchar},
    {"character varying", type_kind::varchar},
    {"bpchar", type_kind::bpchar},
    {"char", type_kind::bpchar},
    {"character", type_kind::bpchar},
    {"date", type_kind::date},
    {"timestamp", type_kind::timestamp},
    {"timestamp without time zone", type_kind::timestamp},
    {"timestamptz", type_kind::timestamptz},
    {"timestamp with time zone", type_kind::timestamptz},
    {"interval", type_kind::interval},
};

const char* internal_name(type_kind k) {
    switch (k) {
    case type_kind::boolean: return "bool";
    case type_kind::int2: return "int2";
    case type_kind::int4: return "int4";
    case type_kind::int8: return "int8";
    case type_kind::numeric: return "numeric";
    case type_kind::float4: return "float4";
    case type_kind::float8: return "float8";
    case type_kind::text: return "text";
    case type_kind::varchar: return "varchar";
    case type_kind::bpchar: return "bpchar";
    case type_kind::date: return "date";
    case type_kind::timestamp: return "timestamp";
    case type_kind::timestamptz: return "timestamptz";
    case type_kind::interval: return "interval";
    case type_kind::unknown:
    case type_kind::other: break;
    }
    return nullptr;
}

std::string lower_trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string r(s);
    std::ranges::transform(r, r.begin(), [](unsigned char c) { return std::tolower(c); });
    return r;
}
} // namespace

sql_type make_type(type_kind k) {
    const char* n = internal_name(k);
    return {k, n ? std::string("pg_catalog.") + n : std::string{}};
}

sql_type parse_type_name(const std::string& name) {
    std::string s = lower_trimmed(name);
    if (s.starts_with("pg_catalog.")) s.erase(0, 11);
    // Split off a modifier such as (12,2) and keep it in the spelling.
    std::string base = s, modifier;
    if (auto open = s.find('('); open != std::string::npos) {
        auto close = s.find(')', open);
        base = lower_trimmed(s.substr(0, open));
        modifier = s.substr(open, close == std::string::npos ? std::string::npos : close - open + 1);
        // "timestamp(3) without time zone" keeps its suffix.
        if (close != std::string::npos && close + 1 < s.size()) {
            base.push_back(' ');
            base.append(lower_trimmed(s.substr(close + 1)));
        }
    }
    for (const auto& sp : spellings) {
        if (sp.spelling == base) {
            sql_type t = make_type(sp.kind);
            if (!modifier.empty()) t.name += modifier;
            return t;
        }
    }
    // Built-in types without a default btree or hash operator class.
    std::string element = base;
    while (element.ends_with("[]")) element.resize(element.size() - 2);
    bool equality = true;
    for (const char* t : {"json", "xml", "point", "lseg", "line", "box", "path", "polygon", "circle", "txid_snapshot",
                          "pg_snapshot"})
        equality &= element != t;
    return {type_kind::other, name, equality};
}

bool is_integer(type_kind k) {
    return k == type_kind::int2 || k == type_kind::int4 || k == type_kind::int8;
}
bool is_numeric_family(type_kind k) {
    return is_integer(k) || k == type_kind::numeric || k == type_kind::float4 ||
           k == type_kind::float8;
}
bool is_string(type_kind k) {
    return k == type_kind::text || k == type_kind::varchar || k == type_kind::bpchar;
}

sql_type sum_type(const sql_type& t) {
    switch (t.kind) {
    case type_kind::int2:
    case type_kind::int4: return make_type(type_kind::int8);
    case type_kind::int8:
    case type_kind::numeric: return make_type(type_kind::numeric);
    case type_kind::float4: return make_type(type_kind::float4);
    case type_kind::float8: return make_type(type_kind::float8);
    case type_kind::interval: return make_type(type_kind::interval);
    default: return t;
    }
}

sql_type avg_type(const sql_type& t) {
    switch (t.kind) {
    case type_kind::float4:
    case type_kind::float8: return make_type(type_kind::float8);
    case type_kind::interval: return make_type(type_kind::interval);
    default: return make_type(type_kind::numeric);
    }
}

} // namespace pgt
