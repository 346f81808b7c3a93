// The input and output functions of the known types, with their type modifiers.

#include <cctype>
#include <limits>

#include "datetime.hpp"
#include "errors.hpp"
#include "float_io.hpp"
#include "pgt/value.hpp"
#include "typmod.hpp"
#include "text.hpp"

namespace pgt {

namespace {

// `s` (at least min_len characters) abbreviates `word`.
bool abbreviates(std::string_view s, std::string_view word, std::size_t min_len) {
    return s.size() >= min_len && s.size() <= word.size() && detail::equals_nocase(s, word.substr(0, s.size()));
}

// boolin: any prefix of true/false/yes/no, on, of(f), 1, 0 — case-insensitive, blanks trimmed.
bool parse_bool(const std::string& text) {
    std::string_view s = detail::trim_blanks(text);
    if (abbreviates(s, "true", 1) || abbreviates(s, "yes", 1) || abbreviates(s, "on", 2) || s == "1")
        return true;
    if (abbreviates(s, "false", 1) || abbreviates(s, "no", 1) || abbreviates(s, "off", 2) || s == "0")
        return false;
    detail::throw_invalid_input("boolean", text);
}

// pg_strtoint16/32/64: blanks, an optional sign, decimal digits, blanks. Overflow is detected
// digit by digit, so "99999999999x" is out of range rather than bad syntax, as in PostgreSQL.
std::int64_t parse_integer(const std::string& text, type_kind k) {
    const char* label = detail::integer_type_label(k);
    std::int64_t min = k == type_kind::int2   ? std::numeric_limits<std::int16_t>::min()
                       : k == type_kind::int4 ? std::numeric_limits<std::int32_t>::min()
                                              : std::numeric_limits<std::int64_t>::min();
    auto out_of_range = [&] {
        return error(sqlstate::numeric_value_out_of_range,
                     "value \"" + text + "\" is out of range for type " + label);
    };
    std::size_t i = 0, n = text.size();
    auto digit = [&](std::size_t at) { return std::isdigit(static_cast<unsigned char>(text[at])) != 0; };
    while (i < n && detail::is_blank(text[i])) ++i;
    bool negative = i < n && text[i] == '-';
    if (i < n && (text[i] == '-' || text[i] == '+')) ++i;
    if (i >= n || !digit(i)) detail::throw_invalid_input(label, text);
    // Accumulate negatively: the most negative value has no positive counterpart.
    std::int64_t acc = 0;
    for (; i < n && digit(i); ++i) {
        if (acc < (min + (text[i] - '0')) / 10) throw out_of_range();
        acc = acc * 10 - (text[i] - '0');
    }
    while (i < n && detail::is_blank(text[i])) ++i;
    if (i != n) detail::throw_invalid_input(label, text);
    if (!negative) {
        if (acc == min) throw out_of_range();
        acc = -acc;
    }
    return acc;
}

// varchar(n) and bpchar(n) input: longer text is an error unless only blanks are cut off.
std::string limit_length(const std::string& text, const sql_type& t, const char* label) {
    auto n = detail::single_typmod(t);
    if (!n || detail::utf8_length(text) <= static_cast<std::size_t>(*n)) return text;
    std::size_t cut = detail::utf8_offset(text, static_cast<std::size_t>(*n));
    if (text.find_first_not_of(' ', cut) != std::string::npos)
        throw error(detail::string_data_right_truncation,
                    "value too long for type " + std::string(label) + "(" + std::to_string(*n) + ")");
    return text.substr(0, cut);
}

std::string strip_trailing_blanks(std::string s) {
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
}

int timestamp_precision(const sql_type& t) { return detail::single_typmod(t).value_or(-1); }

} // namespace

value parse_value(const std::string& text, const sql_type& type) {
    switch (type.kind) {
    case type_kind::boolean: return parse_bool(text);
    case type_kind::int2:
    case type_kind::int4:
    case type_kind::int8: return parse_integer(text, type.kind);
    case type_kind::numeric: {
        numeric n = numeric::parse(text);
        if (auto m = detail::numeric_typmod(type)) n = n.with_typmod(m->first, m->second);
        return n;
    }
    case type_kind::float4: return static_cast<double>(detail::parse_float4(text));
    case type_kind::float8: return detail::parse_float8(text);
    case type_kind::unknown:
    case type_kind::text: return text;
    case type_kind::varchar: return limit_length(text, type, "character varying");
    case type_kind::bpchar: return strip_trailing_blanks(limit_length(text, type, "character"));
    case type_kind::date: return detail::parse_date(text);
    case type_kind::timestamp: return detail::parse_timestamp(text, false, timestamp_precision(type));
    case type_kind::timestamptz: return detail::parse_timestamp(text, true, timestamp_precision(type));
    case type_kind::interval:
    case type_kind::other: break;
    }
    return opaque_value{text};
}

std::string to_text(const value& v, const sql_type& type) {
    struct visitor {
        const sql_type& type;
        std::string operator()(std::monostate) const {
            throw error(sqlstate::internal_error, "NULL has no text form");
        }
        std::string operator()(bool b) const { return b ? "t" : "f"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const {
            return type.kind == type_kind::float4 ? detail::format_float4(static_cast<float>(d))
                                                  : detail::format_float8(d);
        }
        std::string operator()(const numeric& n) const { return n.to_string(); }
        std::string operator()(const std::string& s) const {
            // bpchar(n) shows the blanks it pads to n characters.
            auto n = type.kind == type_kind::bpchar ? detail::single_typmod(type) : std::nullopt;
            std::size_t len = detail::utf8_length(s);
            if (!n || len >= static_cast<std::size_t>(*n)) return s;
            return s + std::string(static_cast<std::size_t>(*n) - len, ' ');
        }
        std::string operator()(date_value d) const { return detail::format_date(d); }
        std::string operator()(timestamp_value t) const {
            return detail::format_timestamp(t, type.kind == type_kind::timestamptz);
        }
        std::string operator()(const opaque_value& o) const { return o.text; }
    };
    return std::visit(visitor{type}, v);
}

std::string to_sql_literal(const value& v, const sql_type& type) {
    std::string cast = type.name.empty() ? std::string{} : "::" + type.name;
    if (is_null(v)) return "NULL" + cast;
    std::string quoted = "'";
    for (char c : to_text(v, type)) {
        quoted.push_back(c);
        if (c == '\'') quoted.push_back('\'');
    }
    return quoted + "'" + cast;
}

} // namespace pgt
