// extract (numeric) and date_part (float8) as PostgreSQL 15 computes them in a UTC session:
// timestamp_part_common for timestamps, extract_date for dates.

#include <cmath>
#include <optional>

#include "datetime_units.hpp"

namespace pgt::eval_detail {

namespace {

using detail::usecs_per_day;
using detail::usecs_per_second;

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
    case unit::dow: return day_of_week(f.days);
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

} // namespace

value fn_extract(const ir::expr& e, const args_t& a) { return part(e, a, true); }
value fn_date_part(const ir::expr& e, const args_t& a) { return part(e, a, false); }

} // namespace pgt::eval_detail
