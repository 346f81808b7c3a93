// date_trunc, extract and date_part on dates and timestamps, as PostgreSQL 15 computes them in
// a UTC session: extract returns numeric (with its fixed scales), date_part float8.

#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../value/datetime.hpp"
#include "internal.hpp"

namespace pgt::eval_detail {

namespace {

using args_t = std::vector<value>;
using detail::civil_date;
using detail::usecs_per_day;
using detail::usecs_per_second;

enum class unit {
    microsecond, millisecond, second, minute, hour, day, week, month, quarter, year, decade,
    century, millennium, julian, isoyear, dow, isodow, doy, epoch, timezone, timezone_hour,
    timezone_minute,
};

struct unit_spelling {
    std::string_view text;
    unit u;
    bool in_units_table; // deltatktbl, the only table date_trunc consults
};

// PostgreSQL's deltatktbl (unit names and abbreviations) and the datetktbl entries extract
// accepts. Lookups compare the lower-cased name cut to 10 characters (TOKMAXLEN).
constexpr unit_spelling spellings[] = {
    {"c", unit::century, true},           {"cent", unit::century, true},
    {"centuries", unit::century, true},   {"century", unit::century, true},
    {"d", unit::day, true},               {"day", unit::day, true},
    {"days", unit::day, true},            {"dec", unit::decade, true},
    {"decade", unit::decade, true},       {"decades", unit::decade, true},
    {"decs", unit::decade, true},         {"h", unit::hour, true},
    {"hour", unit::hour, true},           {"hours", unit::hour, true},
    {"hr", unit::hour, true},             {"hrs", unit::hour, true},
    {"m", unit::minute, true},            {"microsecon", unit::microsecond, true},
    {"mil", unit::millennium, true},      {"millennia", unit::millennium, true},
    {"millennium", unit::millennium, true}, {"millisecon", unit::millisecond, true},
    {"mils", unit::millennium, true},     {"min", unit::minute, true},
    {"mins", unit::minute, true},         {"minute", unit::minute, true},
    {"minutes", unit::minute, true},      {"mon", unit::month, true},
    {"mons", unit::month, true},          {"month", unit::month, true},
    {"months", unit::month, true},        {"ms", unit::millisecond, true},
    {"msec", unit::millisecond, true},    {"msecond", unit::millisecond, true},
    {"mseconds", unit::millisecond, true}, {"msecs", unit::millisecond, true},
    {"qtr", unit::quarter, true},         {"quarter", unit::quarter, true},
    {"s", unit::second, true},            {"sec", unit::second, true},
    {"second", unit::second, true},       {"seconds", unit::second, true},
    {"secs", unit::second, true},         {"timezone", unit::timezone, true},
    {"timezone_h", unit::timezone_hour, true}, {"timezone_m", unit::timezone_minute, true},
    {"us", unit::microsecond, true},      {"usec", unit::microsecond, true},
    {"usecond", unit::microsecond, true}, {"useconds", unit::microsecond, true},
    {"usecs", unit::microsecond, true},   {"w", unit::week, true},
    {"week", unit::week, true},           {"weeks", unit::week, true},
    {"y", unit::year, true},              {"year", unit::year, true},
    {"years", unit::year, true},          {"yr", unit::year, true},
    {"yrs", unit::year, true},            {"dow", unit::dow, false},
    {"doy", unit::doy, false},             {"isodow", unit::isodow, false},
    {"isoyear", unit::isoyear, false},     {"j", unit::julian, false},
    {"jd", unit::julian, false},           {"julian", unit::julian, false},
    {"epoch", unit::epoch, false},
};

struct unit_name {
    std::string lowered; // as PostgreSQL quotes it in messages
    const unit_spelling* spelling;
};

unit_name decode_unit(const std::string& text) {
    unit_name n{text, nullptr};
    for (char& c : n.lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view key = std::string_view(n.lowered).substr(0, 10);
    for (const auto& s : spellings)
        if (s.text == key) n.spelling = &s;
    return n;
}

const char* type_label(type_kind k) {
    switch (k) {
    case type_kind::date: return "date";
    case type_kind::timestamptz: return "timestamp with time zone";
    default: return "timestamp without time zone";
    }
}

[[noreturn]] void throw_unrecognized(const unit_name& n, type_kind k) {
    throw error(sqlstate::invalid_parameter_value,
                "unit \"" + n.lowered + "\" not recognized for type " + type_label(k));
}
[[noreturn]] void throw_unsupported(const unit_name& n, type_kind k) {
    throw error(sqlstate::feature_not_supported,
                "unit \"" + n.lowered + "\" not supported for type " + type_label(k));
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return ((a % b) + b) % b; }

// The calendar fields of a finite timestamp (a date is its midnight).
struct fields {
    std::int64_t days;  // since 2000-01-01
    civil_date date;    // astronomical year
    std::int64_t hour, minute, second, usec;
};

fields fields_of(std::int64_t micros) {
    auto [days, time] = detail::split_timestamp(micros);
    std::int64_t secs = time / usecs_per_second;
    return {days, detail::civil_from_days(days), secs / 3600, secs / 60 % 60, secs % 60, time % usecs_per_second};
}

// ISO 8601 weeks start on Monday; week 1 holds the year's first Thursday.
std::int64_t iso_dow(std::int64_t days) { return floor_mod(days + 5, 7) + 1; } // 2000-01-01: Sat = 6
std::int64_t iso_year(std::int64_t days) { return detail::civil_from_days(days - iso_dow(days) + 4).year; }
std::int64_t iso_week(std::int64_t days) {
    std::int64_t thursday = days - iso_dow(days) + 4;
    return (thursday - detail::days_from_civil({iso_year(days), 1, 1})) / 7 + 1;
}

constexpr std::int64_t julian_of_epoch = 2451545; // Julian day number of 2000-01-01
constexpr std::int64_t unix_epoch_days = -10957;  // 1970-01-01

// PostgreSQL's year-based fields: there is no year 0, so BC years shift by one.
std::int64_t year_field(unit u, std::int64_t y) {
    switch (u) {
    case unit::year: return y > 0 ? y : y - 1;
    case unit::decade: return y >= 0 ? y / 10 : -((8 - (y - 1)) / 10);
    case unit::century: return y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100);
    case unit::millennium: return y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000);
    default: break;
    }
    return 0;
}

// The integer-valued fields shared by dates and timestamps; nullopt for the others.
std::optional<std::int64_t> calendar_field(unit u, const fields& f) {
    switch (u) {
    case unit::day: return f.date.day;
    case unit::month: return f.date.month;
    case unit::quarter: return (f.date.month - 1) / 3 + 1;
    case unit::week: return iso_week(f.days);
    case unit::year:
    case unit::decade:
    case unit::century:
    case unit::millennium: return year_field(u, f.date.year);
    case unit::isoyear: {
        std::int64_t y = iso_year(f.days);
        return y <= 0 ? y - 1 : y;
    }
    case unit::dow: return floor_mod(f.days + 6, 7);
    case unit::isodow: return iso_dow(f.days);
    case unit::doy: return f.days - detail::days_from_civil({f.date.year, 1, 1}) + 1;
    default: break;
    }
    return std::nullopt;
}

// Infinite inputs: monotonic units are ±Infinity, the others NULL.
bool is_monotonic(unit u) {
    switch (u) {
    case unit::year:
    case unit::decade:
    case unit::century:
    case unit::millennium:
    case unit::julian:
    case unit::isoyear:
    case unit::epoch: return true;
    default: return false;
    }
}

// v / 10^scale shown with `scale` fractional digits (int64_div_fast_to_numeric).
numeric scaled(std::int64_t v, int scale) {
    return numeric::from_int64(v) * numeric::parse("0." + std::string(static_cast<std::size_t>(scale - 1), '0') + "1");
}

value int_result(std::int64_t v, bool as_numeric) {
    if (as_numeric) return numeric::from_int64(v);
    return static_cast<double>(v);
}

value infinite_result(bool negative, bool as_numeric) {
    if (as_numeric) return numeric::infinity(negative);
    return negative ? -HUGE_VAL : HUGE_VAL;
}

const unit_spelling& known_unit(const unit_name& n, type_kind k) {
    if (!n.spelling) throw_unrecognized(n, k);
    return *n.spelling;
}

// timestamp_part_common: extract (numeric) and date_part (float8) of a timestamp[tz].
value timestamp_part(const unit_name& n, std::int64_t micros, type_kind k, bool as_numeric) {
    unit u = known_unit(n, k).u;
    if (!detail::is_finite(timestamp_value{micros})) {
        if (is_monotonic(u)) return infinite_result(micros == detail::ts_neg_infinity, as_numeric);
        return std::monostate{};
    }
    fields f = fields_of(micros);
    if (auto v = calendar_field(u, f)) return int_result(*v, as_numeric);
    std::int64_t sec_usec = f.second * usecs_per_second + f.usec;
    switch (u) {
    case unit::microsecond:
        if (as_numeric) return numeric::from_int64(sec_usec);
        return static_cast<double>(f.second) * 1000000.0 + static_cast<double>(f.usec);
    case unit::millisecond:
        if (as_numeric) return scaled(sec_usec, 3);
        return static_cast<double>(f.second) * 1000.0 + static_cast<double>(f.usec) / 1000.0;
    case unit::second:
        if (as_numeric) return scaled(sec_usec, 6);
        return static_cast<double>(f.second) + static_cast<double>(f.usec) / 1000000.0;
    case unit::minute: return int_result(f.minute, as_numeric);
    case unit::hour: return int_result(f.hour, as_numeric);
    case unit::julian: {
        std::int64_t jd = f.days + julian_of_epoch;
        std::int64_t time = micros - f.days * usecs_per_day;
        if (as_numeric) return numeric::from_int64(jd) + numeric::from_int64(time) / numeric::from_int64(usecs_per_day);
        double secs = static_cast<double>((f.hour * 60 + f.minute) * 60 + f.second) + static_cast<double>(f.usec) / 1000000.0;
        return static_cast<double>(jd) + secs / 86400.0;
    }
    case unit::epoch: {
        const std::int64_t epoch = unix_epoch_days * usecs_per_day;
        std::int64_t diff;
        bool overflow = __builtin_sub_overflow(micros, epoch, &diff);
        if (as_numeric) return (numeric::from_int64(micros) - numeric::from_int64(epoch)) * scaled(1, 6);
        return overflow ? (static_cast<double>(micros) - static_cast<double>(epoch)) / 1000000.0
                        : static_cast<double>(diff) / 1000000.0;
    }
    case unit::timezone:
    case unit::timezone_hour:
    case unit::timezone_minute:
        if (k == type_kind::timestamptz) return int_result(0, as_numeric); // the session is UTC
        break;
    default: break;
    }
    throw_unsupported(n, k);
}

// extract_date: extract(field FROM date), numeric.
value date_part_of_date(const unit_name& n, date_value d) {
    unit u = known_unit(n, type_kind::date).u;
    if (!detail::is_finite(d)) {
        if (is_monotonic(u)) return numeric::infinity(d.days == detail::date_neg_infinity);
        // The remaining calendar fields (day, month, week, dow, …) oscillate: NULL.
        if (calendar_field(u, fields_of(0))) return std::monostate{};
        throw_unsupported(n, type_kind::date);
    }
    fields f = fields_of(std::int64_t{d.days} * usecs_per_day);
    if (auto v = calendar_field(u, f)) return numeric::from_int64(*v);
    if (u == unit::julian) return numeric::from_int64(f.days + julian_of_epoch);
    if (u == unit::epoch) return numeric::from_int64((f.days - unix_epoch_days) * 86400);
    throw_unsupported(n, type_kind::date);
}

value part(const ir::expr& e, const args_t& a, bool as_numeric) {
    unit_name n = decode_unit(text_arg(e, a, 0));
    if (auto d = std::get_if<date_value>(&a[1])) {
        if (as_numeric) return date_part_of_date(n, *d);
        // date_part(text, date) is date_part(text, date::timestamp).
        value ts = cast_value(a[1], e.args[1]->type, make_type(type_kind::timestamp));
        return timestamp_part(n, std::get<timestamp_value>(ts).micros, type_kind::timestamp, false);
    }
    if (auto t = std::get_if<timestamp_value>(&a[1])) return timestamp_part(n, t->micros, e.args[1]->type.kind, as_numeric);
    throw_cannot_evaluate("function " + e.name + " on " + e.args[1]->type.name);
}

value fn_extract(const ir::expr& e, const args_t& a) { return part(e, a, true); }
value fn_date_part(const ir::expr& e, const args_t& a) { return part(e, a, false); }

// The first year of the millennium, century or decade holding astronomical year y.
std::int64_t truncate_year(unit u, std::int64_t y) {
    if (u == unit::millennium) return y > 0 ? (y + 999) / 1000 * 1000 - 999 : -((999 - (y - 1)) / 1000) * 1000 + 1;
    if (u == unit::century) return y > 0 ? (y + 99) / 100 * 100 - 99 : -((99 - (y - 1)) / 100) * 100 + 1;
    return y > 0 ? y / 10 * 10 : -((8 - (y - 1)) / 10) * 10;
}

// timestamp_trunc / timestamptz_trunc (UTC).
value fn_date_trunc(const ir::expr& e, const args_t& a) {
    if (a.size() > 2) throw_cannot_evaluate("date_trunc with a time zone");
    value ts = std::holds_alternative<date_value>(a[1]) ? cast_value(a[1], e.args[1]->type, e.type) : a[1];
    auto t = std::get_if<timestamp_value>(&ts);
    if (!t) throw_cannot_evaluate("function date_trunc on " + e.args[1]->type.name);
    if (!detail::is_finite(*t)) return *t;
    unit_name n = decode_unit(text_arg(e, a, 0));
    type_kind k = e.type.kind == type_kind::timestamptz ? type_kind::timestamptz : type_kind::timestamp;
    if (!n.spelling || !n.spelling->in_units_table) throw_unrecognized(n, k);
    fields f = fields_of(t->micros);
    civil_date c = f.date;
    std::int64_t days;
    switch (unit u = n.spelling->u) {
    case unit::week: days = f.days - (iso_dow(f.days) - 1); f = {}; break;
    case unit::millennium:
    case unit::century:
    case unit::decade: c.year = truncate_year(u, c.year); [[fallthrough]];
    case unit::year: c.month = 1; [[fallthrough]];
    case unit::quarter: c.month = (c.month - 1) / 3 * 3 + 1; [[fallthrough]];
    case unit::month:
        c.day = 1;
        days = detail::days_from_civil(c);
        f = {};
        break;
    case unit::day: days = f.days; f = {}; break;
    case unit::hour: days = f.days; f.minute = f.second = f.usec = 0; break;
    case unit::minute: days = f.days; f.second = f.usec = 0; break;
    case unit::second: days = f.days; f.usec = 0; break;
    case unit::millisecond: days = f.days; f.usec = f.usec / 1000 * 1000; break;
    case unit::microsecond: days = f.days; break;
    default: throw_unsupported(n, k);
    }
    std::int64_t micros = days * usecs_per_day + ((f.hour * 60 + f.minute) * 60 + f.second) * usecs_per_second + f.usec;
    if (!detail::timestamp_in_range(micros)) throw error(sqlstate::datetime_field_overflow, "timestamp out of range");
    return timestamp_value{micros};
}

// make_date(year, month, day); a negative year is BC.
// make_date(year, month, day); a negative year is BC.
value fn_make_date(const ir::expr& e, const args_t& a) {
    std::int64_t y = int_arg(e, a, 0), m = int_arg(e, a, 1), d = int_arg(e, a, 2);
    std::int64_t year = y < 0 ? y + 1 : y; // astronomical: 1 BC is year 0
    // PostgreSQL names the fields as given, or with the astronomical year once validated.
    auto fail = [&](const char* what, std::int64_t shown_year) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s: %lld-%02lld-%02lld", what, static_cast<long long>(shown_year),
                      static_cast<long long>(m), static_cast<long long>(d));
        return error(sqlstate::datetime_field_overflow, buf);
    };
    if (y == 0 || m < 1 || m > 12 || d < 1 || d > detail::days_in_month(year, static_cast<int>(m)))
        throw fail("date field value out of range", y);
    std::int64_t days = detail::days_from_civil({year, static_cast<int>(m), static_cast<int>(d)});
    if (!detail::date_in_range(days)) throw fail("date out of range", year);
    return date_value{static_cast<std::int32_t>(days)};
}

constexpr function_def table[] = {
    {"date_trunc", true, fn_date_trunc},
    {"extract", true, fn_extract},
    {"date_part", true, fn_date_part},
    {"make_date", true, fn_make_date},
};

} // namespace

std::span<const function_def> datetime_functions() { return table; }

} // namespace pgt::eval_detail
