#pragma once
/// \file
/// Private: calendar arithmetic and text I/O for date, timestamp and timestamptz, as PostgreSQL
/// 15 does them with DateStyle ISO and TimeZone UTC (the oracle's session settings). Days and
/// microseconds count from 2000-01-01 (PostgreSQL's epoch); the extreme int values stand for
/// ±infinity.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "pgt/value.hpp"

namespace pgt::detail {

inline constexpr std::int64_t usecs_per_second = 1000000;
inline constexpr std::int64_t usecs_per_day = 86400 * usecs_per_second;

inline constexpr std::int32_t date_neg_infinity = std::numeric_limits<std::int32_t>::min();
inline constexpr std::int32_t date_pos_infinity = std::numeric_limits<std::int32_t>::max();
inline constexpr std::int64_t ts_neg_infinity = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t ts_pos_infinity = std::numeric_limits<std::int64_t>::max();

inline bool is_finite(date_value d) {
    return d.days != date_neg_infinity && d.days != date_pos_infinity;
}
inline bool is_finite(timestamp_value t) {
    return t.micros != ts_neg_infinity && t.micros != ts_pos_infinity;
}

/// A proleptic Gregorian date; `year` is astronomical (0 is 1 BC).
struct civil_date {
    std::int64_t year;
    int month, day;
};

/// Days since 2000-01-01.
std::int64_t days_from_civil(civil_date c);
civil_date civil_from_days(std::int64_t days);
bool is_leap_year(std::int64_t year);
int days_in_month(std::int64_t year, int month);

/// PostgreSQL's supported ranges: 4714-11-24 BC up to (excluding) 5874898-01-01 for dates and
/// 294277-01-01 for timestamps.
bool date_in_range(std::int64_t days);
bool timestamp_in_range(std::int64_t micros);

/// The midnight of a finite date as a timestamp, or nullopt when the date lies beyond the
/// timestamp range (after 294276-12-31).
std::optional<std::int64_t> midnight(std::int64_t days);

/// The day of a finite timestamp and the microseconds since its midnight.
struct day_and_time {
    std::int64_t days, micros;
};
day_and_time split_timestamp(std::int64_t micros);

/// date_in. Accepts ISO dates (YYYY-MM-DD, YYYYMMDD, an optional BC/AD and an ignored time),
/// `infinity`, `-infinity` and `epoch`; other forms PostgreSQL accepts throw 0A000.
date_value parse_date(std::string_view text);
/// timestamp_in / timestamptz_in: an ISO date, optional time (`T` or blank separated) with up
/// to microseconds, an optional zone (Z, UTC, GMT, ±HH[:MM]) honoured only `with_zone`.
/// `precision` (0–6, or -1 for none) is the type modifier.
timestamp_value parse_timestamp(std::string_view text, bool with_zone, int precision);
/// AdjustTimestampForTypmod: rounds half away from the epoch to `precision` fractional digits.
std::int64_t round_timestamp(std::int64_t micros, int precision);

std::string format_date(date_value d);
/// `2024-01-05 10:11:12.5`, with `+00` for timestamptz.
std::string format_timestamp(timestamp_value t, bool with_zone);

} // namespace pgt::detail
