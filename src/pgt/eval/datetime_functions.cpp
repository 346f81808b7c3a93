// date_trunc and make_date, and the registry entries of the date/time functions.

#include <cstdio>

#include "datetime_units.hpp"

namespace pgt::eval_detail {

namespace {

using detail::civil_date;
using detail::usecs_per_day;
using detail::usecs_per_second;

// The first year of the millennium, century or decade holding astronomical year y.
std::int64_t truncate_year(unit u, std::int64_t y) {
    if (u == unit::millennium) return y > 0 ? (y + 999) / 1000 * 1000 - 999 : -((999 - (y - 1)) / 1000) * 1000 + 1;
    if (u == unit::century) return y > 0 ? (y + 99) / 100 * 100 - 99 : -((99 - (y - 1)) / 100) * 100 + 1;
    return y > 0 ? y / 10 * 10 : -((8 - (y - 1)) / 10) * 10;
}

// timestamp_trunc / timestamptz_trunc (UTC).
value fn_date_trunc(const ir::expr& e, const args_t& a) {
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
    {"date_trunc", 2, 2, true, fn_date_trunc},
    {"extract", 2, 2, true, fn_extract},
    {"date_part", 2, 2, true, fn_date_part},
    {"make_date", 3, 3, true, fn_make_date},
};

} // namespace

std::span<const function_def> datetime_functions() { return table; }

} // namespace pgt::eval_detail
