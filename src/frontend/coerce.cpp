#include "frontend/coerce.hpp"

#include "frontend/scope.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace pgt::frontend {

namespace {

// Input functions ignore surrounding white space and letter case.
std::string trimmed_lower(std::string_view s) {
    constexpr std::string_view space = " \t\n\r\f\v";
    auto first = s.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    std::string r(s.substr(first, s.find_last_not_of(space) - first + 1));
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

bool digits(std::string_view s) {
    return !s.empty() && std::ranges::all_of(s, [](char c) { return c >= '0' && c <= '9'; });
}

// [+-] digits [. digits] [e [+-] digits], as numeric and float input read it.
bool decimal_number(std::string_view s) {
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
    auto e = s.find('e');
    std::string_view mantissa = s.substr(0, e);
    if (e != std::string_view::npos) {
        std::string_view exponent = s.substr(e + 1);
        if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.remove_prefix(1);
        if (!digits(exponent)) return false;
    }
    auto dot = mantissa.find('.');
    if (dot == std::string_view::npos) return digits(mantissa);
    std::string_view whole = mantissa.substr(0, dot), fraction = mantissa.substr(dot + 1);
    return (digits(whole) || whole.empty()) && (digits(fraction) || fraction.empty()) && !(whole.empty() && fraction.empty());
}

bool boolean_text(const std::string& s) {
    auto prefix_of = [&](std::string_view word, std::size_t min) {
        return s.size() >= min && s.size() <= word.size() && word.starts_with(s);
    };
    return prefix_of("true", 1) || prefix_of("false", 1) || prefix_of("yes", 1) || prefix_of("no", 1) ||
           prefix_of("on", 2) || prefix_of("off", 2) || s == "1" || s == "0";
}

// PostgreSQL converts a literal as soon as its type is known, so bad input is an error of
// the query itself (22P02, 22003), not of a later refresh.
void check_literal(const std::string& text, const sql_type& t) {
    const std::string s = trimmed_lower(text);
    auto invalid = [&]() {
        throw error(sqlstate::invalid_text_representation,
                    "invalid input syntax for type " + typing::display_name(t) + ": \"" + text + "\"");
    };
    switch (t.kind) {
    case type_kind::int2:
    case type_kind::int4:
    case type_kind::int8: {
        std::string_view body = s;
        if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
        if (!digits(body)) invalid();
        if (!integer_literal_fits(s, t.kind))
            throw error(sqlstate::numeric_value_out_of_range,
                        "value \"" + text + "\" is out of range for type " + typing::display_name(t));
        return;
    }
    case type_kind::numeric:
        if (!decimal_number(s) && s != "nan" && s != "infinity" && s != "+infinity" && s != "-infinity") invalid();
        return;
    case type_kind::float4:
    case type_kind::float8:
        static constexpr std::string_view specials[] = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"};
        if (!decimal_number(s) && std::ranges::find(specials, s) == std::end(specials)) invalid();
        return;
    case type_kind::boolean:
        if (!boolean_text(s)) invalid();
        return;
    default: return;
    }
}

} // namespace

bool integer_literal_fits(std::string_view text, type_kind k) {
    const bool negative = text.starts_with('-');
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
    text.remove_prefix(std::min(text.find_first_not_of('0'), text.size()));
    // Magnitudes up to the type's limit (one more when negative), compared as digit strings.
    std::string_view limit = k == type_kind::int2   ? (negative ? "32768" : "32767")
                             : k == type_kind::int4 ? (negative ? "2147483648" : "2147483647")
                                                    : (negative ? "9223372036854775808" : "9223372036854775807");
    return text.size() < limit.size() || (text.size() == limit.size() && text <= limit);
}

ir::expr_ptr coerce_unknown(const ir::expr_ptr& e, const sql_type& t) {
    if (e->type.kind != type_kind::unknown || t.kind == type_kind::unknown) return e;
    if (e->kind != ir::expr_kind::constant) return make_cast(e, t);
    if (e->literal) check_literal(*e->literal, t);
    return ir::make_constant(e->literal, t);
}

ir::expr_ptr make_cast(const ir::expr_ptr& e, const sql_type& t) { return make_cast(e, t, typing::cast_volatility(e->type, t)); }

ir::expr_ptr make_cast(const ir::expr_ptr& e, const sql_type& t, ir::volatility vol) {
    auto cast = std::make_shared<ir::expr>(*ir::make_node(ir::expr_kind::cast, t, {e}));
    cast->vol = vol;
    return cast;
}

ir::expr_ptr coerce_to(const ir::expr_ptr& e, const sql_type& t) {
    if (e->type.kind == type_kind::unknown) return coerce_unknown(e, t);
    if (typing::same_type(e->type, t)) return e;
    return make_cast(e, t);
}

std::optional<sql_type> common_type(context& ctx, const std::vector<sql_type>& types, std::string_view construct,
                                    const std::vector<int>& positions) {
    if (std::ranges::find(types, opaque_type()) != types.end()) return std::nullopt;
    return ctx.cat.common_type(types, construct, positions);
}

ir::expr_ptr to_boolean(context& ctx, const ir::expr_ptr& e, std::string_view construct, int location) {
    switch (e->type.kind) {
    case type_kind::boolean: return e;
    case type_kind::unknown: return coerce_unknown(e, make_type(type_kind::boolean));
    case type_kind::other: {
        // Perhaps a domain over boolean: the catalog tells.
        const auto boolean = e->type == opaque_type() ? std::nullopt : ctx.cat.is_boolean(e->type);
        if (!boolean)
            ctx.unsupported(std::string(construct) + " condition of type " + typing::display_name(e->type), location);
        else if (!*boolean)
            ctx.fail(sqlstate::datatype_mismatch,
                     "argument of " + std::string(construct) + " must be type boolean, not type " +
                         typing::display_name(e->type),
                     location);
        return e;
    }
    default:
        ctx.fail(sqlstate::datatype_mismatch,
                 "argument of " + std::string(construct) + " must be type boolean, not type " +
                     typing::display_name(e->type),
                 location);
    }
}


} // namespace pgt::frontend
