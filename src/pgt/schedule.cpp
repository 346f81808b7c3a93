#include "pgt/schedule.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <sstream>

#include "pgt/error.hpp"

namespace pgt {

namespace {

[[noreturn]] void invalid(const std::string& message) {
    throw error(sqlstate::invalid_parameter_value, "invalid argument: " + message);
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\n\r");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\n\r");
    return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    std::ranges::transform(s, s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

duration_schedule parse_duration(const std::string& text, std::int64_t min_seconds) {
    if (text[0] == '-') invalid("schedule cannot be negative");
    std::int64_t total = 0;
    std::size_t i = 0;
    bool bare = std::ranges::all_of(text, [](unsigned char c) { return std::isdigit(c); });
    if (bare) {
        if (text.size() > 12) invalid("schedule '" + text + "' is too large");
        total = std::stoll(text);
    } else {
        while (i < text.size()) {
            std::size_t start = i;
            while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
            if (start == i) invalid("invalid duration '" + text + "': expected a number before each unit");
            if (i - start > 12) invalid("schedule '" + text + "' is too large");
            const std::int64_t n = std::stoll(text.substr(start, i - start));
            if (i == text.size()) invalid("invalid duration '" + text + "': number without a unit at the end");
            const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
            std::int64_t scale = 0;
            switch (unit) {
            case 's': scale = 1; break;
            case 'm': scale = 60; break;
            case 'h': scale = 3600; break;
            case 'd': scale = 86400; break;
            case 'w': scale = 604800; break;
            default:
                invalid("invalid duration unit '" + std::string(1, text[i - 1]) + "' in '" + text +
                        "'. Use s (seconds), m (minutes), h (hours), d (days), w (weeks). Examples: '30s', '5m', '1h30m'");
            }
            total += n * scale;
        }
    }
    if (total < min_seconds)
        invalid("schedule must be at least " + std::to_string(min_seconds) + "s, got " + std::to_string(total) + "s");
    return {total};
}

const std::map<std::string, std::string>& aliases() {
    static const std::map<std::string, std::string> a{
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    };
    return a;
}

int field_value(const std::string& token, const std::vector<std::string>& names, int lo, const std::string& expr) {
    const std::string l = lower(token);
    for (std::size_t i = 0; i < names.size(); ++i)
        if (l == names[i]) return lo + static_cast<int>(i);
    if (token.empty() || !std::ranges::all_of(token, [](unsigned char c) { return std::isdigit(c); }) || token.size() > 4)
        invalid("invalid cron expression '" + expr + "': bad value '" + token + "'");
    return std::stoi(token);
}

/// One cron field: `*`, values, ranges `a-b`, steps `*/n` and `a-b/n`, lists `x,y`.
std::vector<bool> parse_field(const std::string& field, int lo, int hi, const std::vector<std::string>& names,
                              const std::string& expr) {
    std::vector<bool> allowed(static_cast<std::size_t>(hi + 1), false);
    std::stringstream parts(field);
    std::string part;
    while (std::getline(parts, part, ',')) {
        int step = 1;
        if (auto slash = part.find('/'); slash != std::string::npos) {
            step = field_value(part.substr(slash + 1), {}, 0, expr);
            if (step <= 0) invalid("invalid cron expression '" + expr + "': step must be positive");
            part = part.substr(0, slash);
        }
        int from = lo, to = hi;
        if (part != "*" && part != "?") {
            if (auto dash = part.find('-'); dash != std::string::npos) {
                from = field_value(part.substr(0, dash), names, lo, expr);
                to = field_value(part.substr(dash + 1), names, lo, expr);
            } else {
                from = to = field_value(part, names, lo, expr);
                if (step > 1) to = hi;
            }
        }
        if (from < lo || to > hi || from > to)
            invalid("invalid cron expression '" + expr + "': value out of range in '" + field + "'");
        for (int v = from; v <= to; v += step) allowed[static_cast<std::size_t>(v)] = true;
    }
    return allowed;
}

cron_schedule parse_cron(const std::string& text) {
    std::string expr = text;
    if (expr[0] == '@') {
        auto it = aliases().find(lower(expr));
        if (it == aliases().end()) invalid("invalid cron expression '" + text + "': unknown alias");
        expr = it->second;
    }
    std::vector<std::string> f;
    std::stringstream in(expr);
    for (std::string t; in >> t;) f.push_back(t);
    if (f.size() != 5 && f.size() != 6)
        invalid("invalid cron expression '" + text + "': expected 5 or 6 fields, got " + std::to_string(f.size()));
    if (f.size() == 5) f.insert(f.begin(), "0");
    static const std::vector<std::string> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
    static const std::vector<std::string> days{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    cron_schedule c;
    c.text = text;
    c.seconds = parse_field(f[0], 0, 59, {}, text);
    c.minutes = parse_field(f[1], 0, 59, {}, text);
    c.hours = parse_field(f[2], 0, 23, {}, text);
    c.days = parse_field(f[3], 1, 31, {}, text);
    c.months = parse_field(f[4], 1, 12, months, text);
    c.weekdays = parse_field(f[5] == "7" ? "0" : f[5], 0, 7, days, text);
    if (c.weekdays[7]) c.weekdays[0] = true; // 7 is Sunday too
    c.day_restricted = f[3] != "*" && f[3] != "?";
    c.weekday_restricted = f[5] != "*" && f[5] != "?";
    return c;
}

} // namespace

std::optional<std::int64_t> cron_schedule::next_after(std::int64_t unix_seconds) const {
    // Minute-by-minute search is cheap enough for a scheduler tick; seconds within a minute.
    std::int64_t t = unix_seconds + 1;
    const std::int64_t limit = unix_seconds + 5LL * 366 * 86400;
    while (t < limit) {
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        const bool day_ok = day_restricted && weekday_restricted
                                ? (days[static_cast<std::size_t>(tm.tm_mday)] || weekdays[static_cast<std::size_t>(tm.tm_wday)])
                                : (days[static_cast<std::size_t>(tm.tm_mday)] && weekdays[static_cast<std::size_t>(tm.tm_wday)]);
        if (!months[static_cast<std::size_t>(tm.tm_mon + 1)] || !day_ok) {
            t += 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
            continue;
        }
        if (!hours[static_cast<std::size_t>(tm.tm_hour)]) {
            t += 3600 - (tm.tm_min * 60 + tm.tm_sec);
            continue;
        }
        if (!minutes[static_cast<std::size_t>(tm.tm_min)]) {
            t += 60 - tm.tm_sec;
            continue;
        }
        if (seconds[static_cast<std::size_t>(tm.tm_sec)]) return t;
        ++t;
    }
    return std::nullopt;
}

schedule parse_schedule(const std::string& raw, std::int64_t min_seconds) {
    const std::string text = trim(raw);
    if (text.empty()) invalid("schedule cannot be empty");
    if (lower(text) == "calculated") return calculated_schedule{};
    if (text[0] == '@' || text.find(' ') != std::string::npos) return parse_cron(text);
    return parse_duration(text, min_seconds);
}

std::optional<std::string> stored_schedule(const std::string& text, std::int64_t min_seconds) {
    if (std::holds_alternative<calculated_schedule>(parse_schedule(text, min_seconds))) return std::nullopt;
    return trim(text);
}

} // namespace pgt
