// Decoding of date/time unit names and the calendar fields of timestamps.

#include <cctype>

#include "datetime_units.hpp"

namespace pgt::eval_detail {

namespace {

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

const char* type_label(type_kind k) {
    switch (k) {
    case type_kind::date: return "date";
    case type_kind::timestamptz: return "timestamp with time zone";
    default: return "timestamp without time zone";
    }
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return ((a % b) + b) % b; }

} // namespace

unit_name decode_unit(const std::string& text) {
    unit_name n{text, nullptr};
    for (char& c : n.lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view key = std::string_view(n.lowered).substr(0, 10);
    for (const auto& s : spellings)
        if (s.text == key) n.spelling = &s;
    return n;
}


void throw_unrecognized(const unit_name& n, type_kind k) {
    throw error(sqlstate::invalid_parameter_value,
                "unit \"" + n.lowered + "\" not recognized for type " + type_label(k));
}
void throw_unsupported(const unit_name& n, type_kind k) {
    throw error(sqlstate::feature_not_supported,
                "unit \"" + n.lowered + "\" not supported for type " + type_label(k));
}

fields fields_of(std::int64_t micros) {
    auto [days, time] = detail::split_timestamp(micros);
    std::int64_t secs = time / detail::usecs_per_second;
    return {days, detail::civil_from_days(days), secs / 3600, secs / 60 % 60, secs % 60,
            time % detail::usecs_per_second};
}

std::int64_t iso_dow(std::int64_t days) { return floor_mod(days + 5, 7) + 1; } // 2000-01-01: Sat = 6
std::int64_t iso_year(std::int64_t days) { return detail::civil_from_days(days - iso_dow(days) + 4).year; }
std::int64_t iso_week(std::int64_t days) {
    std::int64_t thursday = days - iso_dow(days) + 4;
    return (thursday - detail::days_from_civil({iso_year(days), 1, 1})) / 7 + 1;
}
std::int64_t day_of_week(std::int64_t days) { return floor_mod(days + 6, 7); }

} // namespace pgt::eval_detail
