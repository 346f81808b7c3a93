// CAST between the known types, with explicit-cast semantics.

#include <cmath>

#include "../value/datetime.hpp"
#include "../value/typmod.hpp"
#include "../value/text.hpp"
#include "internal.hpp"

namespace pgt {

namespace {
using eval_detail::throw_cannot_evaluate;

[[noreturn]] void cannot_cast(const sql_type& from, const sql_type& to) {
    throw_cannot_evaluate("cast from " + (from.name.empty() ? std::string("unknown") : from.name) +
                          " to " + to.name);
}

// What a cast to text yields: booleans spell out true/false (booltext), others use the type's
// output function; strings (bpchar already without its padding) stay as they are.
std::string as_text(const value& v, const sql_type& from) {
    if (auto s = std::get_if<std::string>(&v)) return *s;
    if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return to_text(v, from);
}

// varchar(n) / bpchar(n) by explicit cast: silently cut to n characters.
value to_string_type(const value& v, const sql_type& from, const sql_type& to) {
    std::string s = as_text(v, from);
    if (auto n = detail::single_typmod(to); n && is_string(to.kind) && to.kind != type_kind::text)
        s.resize(detail::utf8_offset(s, static_cast<std::size_t>(*n)));
    if (to.kind == type_kind::bpchar) s.erase(s.find_last_not_of(' ') + 1);
    return s;
}

// dtoi2/4/8: round half to even, then the range check (NaN is out of range too).
std::int64_t float_to_integer(double d, type_kind k) {
    double r = std::rint(d);
    double limit = k == type_kind::int2 ? 32768.0 : k == type_kind::int4 ? 2147483648.0 : 9223372036854775808.0;
    if (std::isnan(r) || r < -limit || r >= limit) detail::throw_integer_out_of_range(k);
    return detail::check_integer_range(static_cast<std::int64_t>(r), k);
}

value to_integer(const value& v, const sql_type& from, const sql_type& to) {
    if (auto i = std::get_if<std::int64_t>(&v)) return detail::check_integer_range(*i, to.kind);
    if (auto n = std::get_if<numeric>(&v)) return n->to_integer(to.kind);
    if (auto d = std::get_if<double>(&v)) return float_to_integer(*d, to.kind);
    if (auto b = std::get_if<bool>(&v)) return std::int64_t{*b};
    cannot_cast(from, to);
}

value to_numeric(const value& v, const sql_type& from, const sql_type& to) {
    numeric n;
    if (auto i = std::get_if<std::int64_t>(&v)) n = numeric::from_int64(*i);
    else if (auto x = std::get_if<numeric>(&v)) n = *x;
    else if (auto d = std::get_if<double>(&v))
        n = from.kind == type_kind::float4 ? numeric::from_float4(static_cast<float>(*d)) : numeric::from_double(*d);
    else cannot_cast(from, to);
    if (auto m = detail::numeric_typmod(to)) n = n.with_typmod(m->first, m->second);
    return n;
}

value to_float(const value& v, const sql_type& from, const sql_type& to) {
    bool single = to.kind == type_kind::float4;
    if (auto i = std::get_if<std::int64_t>(&v))
        return single ? static_cast<double>(static_cast<float>(*i)) : static_cast<double>(*i);
    if (auto n = std::get_if<numeric>(&v)) return single ? static_cast<double>(n->to_float4()) : n->to_double();
    if (auto d = std::get_if<double>(&v)) {
        if (!single) return *d;
        // float84: a finite double may not become infinite or zero.
        float f = static_cast<float>(*d);
        if (std::isinf(f) && !std::isinf(*d)) eval_detail::throw_float_overflow();
        if (f == 0.0f && *d != 0.0) eval_detail::throw_float_underflow();
        return static_cast<double>(f);
    }
    cannot_cast(from, to);
}

value to_date(const value& v, const sql_type& from, const sql_type& to) {
    if (std::holds_alternative<date_value>(v)) return v;
    auto t = std::get_if<timestamp_value>(&v);
    if (!t) cannot_cast(from, to);
    if (t->micros == detail::ts_pos_infinity) return date_value{detail::date_pos_infinity};
    if (t->micros == detail::ts_neg_infinity) return date_value{detail::date_neg_infinity};
    return date_value{static_cast<std::int32_t>(detail::split_timestamp(t->micros).days)};
}

value to_timestamp(const value& v, const sql_type& from, const sql_type& to) {
    int precision = detail::single_typmod(to).value_or(-1);
    if (auto t = std::get_if<timestamp_value>(&v)) return timestamp_value{detail::round_timestamp(t->micros, precision)};
    auto d = std::get_if<date_value>(&v);
    if (!d) cannot_cast(from, to);
    if (d->days == detail::date_pos_infinity) return timestamp_value{detail::ts_pos_infinity};
    if (d->days == detail::date_neg_infinity) return timestamp_value{detail::ts_neg_infinity};
    auto micros = detail::midnight(d->days);
    if (!micros) throw error(sqlstate::datetime_field_overflow, "date out of range for timestamp");
    return timestamp_value{*micros};
}

} // namespace

value cast_value(const value& v, const sql_type& from, const sql_type& to) {
    if (is_null(v)) return v;
    if (is_string(to.kind) || to.kind == type_kind::unknown) {
        if (std::holds_alternative<opaque_value>(v)) return std::get<opaque_value>(v).text;
        return to_string_type(v, from, to);
    }
    // Text converts through the target's input function — except for types the oracle keeps
    // as text, whose input functions may canonicalise it.
    if (auto s = std::get_if<std::string>(&v)) {
        if (to.kind == type_kind::interval || to.kind == type_kind::other) cannot_cast(from, to);
        return parse_value(*s, to);
    }
    switch (to.kind) {
    case type_kind::boolean:
        if (auto i = std::get_if<std::int64_t>(&v)) return *i != 0;
        if (std::holds_alternative<bool>(v)) return v;
        break;
    case type_kind::int2:
    case type_kind::int4:
    case type_kind::int8: return to_integer(v, from, to);
    case type_kind::numeric: return to_numeric(v, from, to);
    case type_kind::float4:
    case type_kind::float8: return to_float(v, from, to);
    case type_kind::date: return to_date(v, from, to);
    case type_kind::timestamp:
    case type_kind::timestamptz: return to_timestamp(v, from, to);
    default:
        if (std::holds_alternative<opaque_value>(v) && from.name == to.name) return v;
        break;
    }
    cannot_cast(from, to);
}

namespace eval_detail {
value coerce(const value& v, const sql_type& from, const sql_type& to) {
    return from.kind == to.kind ? v : cast_value(v, from, to);
}
} // namespace eval_detail

} // namespace pgt
