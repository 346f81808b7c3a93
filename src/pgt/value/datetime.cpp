#include "datetime.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "errors.hpp"
#include "text.hpp"

namespace pgt::detail {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// 2000-01-01 is day 10957 after 1970-01-01.
constexpr std::int64_t unix_epoch_offset = 10957;

// The ends of PostgreSQL's ranges, in days since 2000-01-01.
const std::int64_t min_day = days_from_civil({-4713, 11, 24});
const std::int64_t date_end_day = days_from_civil({5874898, 1, 1});
const std::int64_t timestamp_end_day = days_from_civil({294277, 1, 1});

[[noreturn]] void throw_field_out_of_range(std::string_view text) {
    throw error(sqlstate::datetime_field_overflow,
                "date/time field value out of range: \"" + std::string(text) + "\"");
}
[[noreturn]] void throw_unsupported_input(const char* type_label, std::string_view text) {
    throw error(sqlstate::feature_not_supported, std::string("oracle cannot parse ") + type_label +
                                                     " input \"" + std::string(text) + "\"");
}

// A cursor over the input with the few token readers the ISO formats need.
struct scanner {
    std::string_view s;
    std::size_t pos = 0;

    bool done() const { return pos >= s.size(); }
    char peek() const { return done() ? '\0' : s[pos]; }
    bool digit() const { return std::isdigit(static_cast<unsigned char>(peek())) != 0; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++pos;
        return true;
    }
    void skip_blanks() {
        while (is_blank(peek())) ++pos;
    }
    // A run of digits: its value and its length (0 when none).
    std::pair<std::int64_t, std::size_t> number() {
        std::size_t start = pos;
        std::int64_t v = 0;
        while (digit()) {
            if (v < 100000000000LL) v = v * 10 + (s[pos] - '0');
            ++pos;
        }
        return {v, pos - start};
    }
    std::string_view rest() const { return s.substr(std::min(pos, s.size())); }
};

struct parsed_date {
    civil_date date;
    bool ok;
};

// YYYY-MM-DD (at least three year digits) or YYYYMMDD. Years are AD here.
parsed_date read_iso_date(scanner& sc) {
    auto [year, ylen] = sc.number();
    if (ylen == 8 && sc.peek() != '-')
        return {{year / 10000, static_cast<int>(year / 100 % 100), static_cast<int>(year % 100)}, true};
    if (ylen < 3 || !sc.eat('-')) return {{}, false};
    auto [month, mlen] = sc.number();
    if (mlen == 0 || mlen > 2 || !sc.eat('-')) return {{}, false};
    auto [day, dlen] = sc.number();
    if (dlen == 0 || dlen > 2) return {{}, false};
    return {{year, static_cast<int>(month), static_cast<int>(day)}, true};
}

// An optional trailing BC/AD era.
bool read_era_is_bc(scanner& sc) {
    sc.skip_blanks();
    std::string_view r = sc.rest();
    if (r.size() >= 2 && (equals_nocase(r.substr(0, 2), "bc") || equals_nocase(r.substr(0, 2), "ad"))) {
        sc.pos += 2;
        return equals_nocase(r.substr(0, 2), "bc");
    }
    return false;
}

// Checks the fields and converts to days; BC years become astronomical (1 BC is year 0).
std::int64_t checked_days(civil_date c, bool bc, std::string_view text) {
    if (c.year == 0 || c.month < 1 || c.month > 12 || c.day < 1 ||
        c.day > days_in_month(bc ? 1 - c.year : c.year, c.month))
        throw_field_out_of_range(text);
    if (bc) c.year = 1 - c.year;
    return days_from_civil(c);
}

struct parsed_time {
    std::int64_t micros = 0; // since midnight, up to 24:00:00
    std::optional<std::int64_t> zone_seconds;
};

// HH:MM[:SS[.frac]]
bool read_time(scanner& sc, parsed_time& out, std::string_view text) {
    auto [h, hlen] = sc.number();
    if (hlen == 0 || hlen > 2 || !sc.eat(':')) return false;
    auto [m, mlen] = sc.number();
    if (mlen == 0 || mlen > 2) return false;
    std::int64_t sec = 0, frac_us = 0;
    if (sc.eat(':')) {
        auto [s, slen] = sc.number();
        if (slen == 0 || slen > 2) return false;
        sec = s;
        if (sc.eat('.')) {
            std::size_t start = sc.pos;
            sc.number();
            // PostgreSQL reads the fraction as a double and rounds it with rint().
            std::string frac = "0." + std::string(text.substr(start, sc.pos - start));
            frac_us = static_cast<std::int64_t>(std::rint(std::strtod(frac.c_str(), nullptr) * 1e6));
        }
    }
    // 24:00:00 is allowed, and a leap second rolls into the next minute.
    if (h > 24 || m > 59 || sec > 60 || (h == 24 && (m > 0 || sec > 0 || frac_us > 0)))
        throw_field_out_of_range(text);
    out.micros = ((h * 60 + m) * 60 + sec) * usecs_per_second + frac_us;
    return true;
}

// An optional zone: Z, UTC, GMT, ±HH, ±HHMM, ±HH:MM. False when an offset is malformed.
bool read_zone(scanner& sc, parsed_time& out, std::string_view text) {
    sc.skip_blanks();
    std::string_view r = sc.rest();
    for (std::string_view name : {"utc", "gmt", "z"}) {
        if (r.size() >= name.size() && equals_nocase(r.substr(0, name.size()), name) &&
            (r.size() == name.size() || !std::isalpha(static_cast<unsigned char>(r[name.size()])))) {
            sc.pos += name.size();
            out.zone_seconds = 0;
            return true;
        }
    }
    if (sc.peek() != '+' && sc.peek() != '-') return true; // no zone; an era may follow
    int sign = sc.peek() == '-' ? -1 : 1;
    ++sc.pos;
    auto [v, len] = sc.number();
    std::int64_t h = v, m = 0;
    if (len == 4) {
        h = v / 100;
        m = v % 100;
    } else if (len == 0 || len > 2) {
        return false;
    } else if (sc.eat(':')) {
        auto [mm, mlen] = sc.number();
        if (mlen != 2) return false;
        m = mm;
    }
    if (h > 15 || m > 59)
        throw error("22009", "time zone displacement out of range: \"" + std::string(text) + "\"");
    out.zone_seconds = sign * (h * 3600 + m * 60);
    return true;
}

enum class special_input { none, pos_infinity, neg_infinity, epoch };

struct parsed_datetime {
    special_input special = special_input::none;
    std::int64_t days = 0;
    parsed_time time;
};

// The shared grammar of date and timestamp input: a special word, or an ISO date with an
// optional time, zone and era. `syntax_label` names the type in PostgreSQL's syntax error.
parsed_datetime read_datetime(std::string_view text, const char* syntax_label, const char* type_label) {
    std::string_view t = trim_blanks(text);
    if (equals_nocase(t, "infinity")) return {special_input::pos_infinity, 0, {}};
    if (equals_nocase(t, "-infinity")) return {special_input::neg_infinity, 0, {}};
    if (equals_nocase(t, "epoch")) return {special_input::epoch, 0, {}};
    scanner sc{t};
    parsed_date d = read_iso_date(sc);
    parsed_datetime out;
    bool ok = d.ok;
    if (ok && (sc.eat(' ') || sc.eat('T'))) {
        sc.skip_blanks();
        if (sc.digit()) ok = read_time(sc, out.time, text);
    }
    ok = ok && read_zone(sc, out.time, text);
    bool bc = ok && read_era_is_bc(sc);
    sc.skip_blanks();
    if (!ok || !sc.done()) {
        // Without any digit it cannot be a date; anything else may be a form we do not read.
        if (t.find_first_of("0123456789") == std::string_view::npos)
            throw error(sqlstate::invalid_datetime_format, std::string("invalid input syntax for type ") +
                                                               syntax_label + ": \"" + std::string(text) + "\"");
        throw_unsupported_input(type_label, text);
    }
    out.days = checked_days(d.date, bc, text);
    return out;
}

std::string two_digits(std::int64_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", static_cast<int>(v));
    return buf;
}

// Year (at least four digits), month and day; years ≤ 0 shown as BC by the caller.
std::string format_civil(civil_date c) {
    std::int64_t shown = c.year > 0 ? c.year : 1 - c.year;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(shown), c.month, c.day);
    return buf;
}

} // namespace

// ---- calendar ---------------------------------------------------------------------------------

bool is_leap_year(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int days_in_month(std::int64_t year, int month) {
    static constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : lengths[month - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days, shifted to PostgreSQL's epoch.
std::int64_t days_from_civil(civil_date c) {
    std::int64_t y = c.year - (c.month <= 2);
    std::int64_t era = floor_div(y, 400);
    std::int64_t yoe = y - era * 400;
    std::int64_t mp = (c.month + 9) % 12;
    std::int64_t doy = (153 * mp + 2) / 5 + c.day - 1;
    std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - unix_epoch_offset;
}

civil_date civil_from_days(std::int64_t days) {
    std::int64_t z = days + unix_epoch_offset + 719468;
    std::int64_t era = floor_div(z, 146097);
    std::int64_t doe = z - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153;
    int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return {yoe + era * 400 + (m <= 2), m, d};
}

bool date_in_range(std::int64_t days) { return days >= min_day && days < date_end_day; }

bool timestamp_in_range(std::int64_t micros) {
    return micros >= min_day * usecs_per_day && micros < timestamp_end_day * usecs_per_day;
}

std::optional<std::int64_t> midnight(std::int64_t days) {
    if (days >= timestamp_end_day) return std::nullopt;
    return days * usecs_per_day;
}

day_and_time split_timestamp(std::int64_t micros) {
    std::int64_t days = floor_div(micros, usecs_per_day);
    return {days, micros - days * usecs_per_day};
}

std::int64_t round_timestamp(std::int64_t micros, int precision) {
    if (precision < 0 || precision >= 6 || !is_finite(timestamp_value{micros})) return micros;
    std::int64_t scale = 1;
    for (int i = precision; i < 6; ++i) scale *= 10;
    std::int64_t magnitude = (std::abs(micros) + scale / 2) / scale * scale;
    return micros < 0 ? -magnitude : magnitude;
}

// ---- input --------------------------------------------------------------------------------------

date_value parse_date(std::string_view text) {
    parsed_datetime p = read_datetime(text, "date", "date");
    switch (p.special) {
    case special_input::pos_infinity: return {date_pos_infinity};
    case special_input::neg_infinity: return {date_neg_infinity};
    case special_input::epoch: return {static_cast<std::int32_t>(-unix_epoch_offset)};
    case special_input::none: break;
    }
    if (!date_in_range(p.days))
        throw error(sqlstate::datetime_field_overflow, "date out of range: \"" + std::string(text) + "\"");
    return {static_cast<std::int32_t>(p.days)};
}

timestamp_value parse_timestamp(std::string_view text, bool with_zone, int precision) {
    parsed_datetime p = with_zone ? read_datetime(text, "timestamp with time zone", "timestamp with time zone")
                                  : read_datetime(text, "timestamp", "timestamp without time zone");
    switch (p.special) {
    case special_input::pos_infinity: return {ts_pos_infinity};
    case special_input::neg_infinity: return {ts_neg_infinity};
    case special_input::epoch: return {-unix_epoch_offset * usecs_per_day};
    case special_input::none: break;
    }
    // Beyond ±300000 years the microseconds would overflow; such inputs are out of range anyway.
    if (p.days < min_day - 1 || p.days > timestamp_end_day + 1)
        throw error(sqlstate::datetime_field_overflow, "timestamp out of range: \"" + std::string(text) + "\"");
    std::int64_t micros = p.days * usecs_per_day + p.time.micros;
    if (with_zone && p.time.zone_seconds) micros -= *p.time.zone_seconds * usecs_per_second;
    micros = round_timestamp(micros, precision);
    if (!timestamp_in_range(micros))
        throw error(sqlstate::datetime_field_overflow, "timestamp out of range: \"" + std::string(text) + "\"");
    return {micros};
}

// ---- output -------------------------------------------------------------------------------------

std::string format_date(date_value d) {
    if (d.days == date_pos_infinity) return "infinity";
    if (d.days == date_neg_infinity) return "-infinity";
    civil_date c = civil_from_days(d.days);
    return format_civil(c) + (c.year <= 0 ? " BC" : "");
}

std::string format_timestamp(timestamp_value t, bool with_zone) {
    if (t.micros == ts_pos_infinity) return "infinity";
    if (t.micros == ts_neg_infinity) return "-infinity";
    auto [days, micros] = split_timestamp(t.micros);
    civil_date c = civil_from_days(days);
    std::int64_t secs = micros / usecs_per_second, frac = micros % usecs_per_second;
    std::string out = format_civil(c) + " " + two_digits(secs / 3600) + ":" +
                      two_digits(secs / 60 % 60) + ":" + two_digits(secs % 60);
    if (frac != 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(frac));
        std::string f = buf;
        f.erase(f.find_last_not_of('0') + 1);
        out += "." + f;
    }
    if (with_zone) out += "+00";
    return out + (c.year <= 0 ? " BC" : "");
}

} // namespace pgt::detail
