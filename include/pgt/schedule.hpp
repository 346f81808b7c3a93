#pragma once
/// \file
/// Refresh schedules (API.md §2.3): `calculated`, durations (`30s`, `5m`, `1h30m`, bare
/// seconds) and cron expressions (5 or 6 fields, or `@hourly`-style aliases). Parsing is
/// server-independent so that pgtc and tests share it with the extension.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pgt/detail/no_postgres.hpp"

namespace pgt {

struct calculated_schedule {};
struct duration_schedule {
    std::int64_t seconds = 0;
};
/// A parsed cron expression: the allowed values of each field.
struct cron_schedule {
    std::string text;
    std::vector<bool> seconds, minutes, hours, days, months, weekdays; ///< weekdays: 0 = Sunday
    bool day_restricted = false, weekday_restricted = false;           ///< for cron's day-OR-weekday rule

    /// The first matching time strictly after `after` (UTC, whole seconds), within ~5 years.
    std::optional<std::int64_t> next_after(std::int64_t unix_seconds) const;
};

using schedule = std::variant<calculated_schedule, duration_schedule, cron_schedule>;

/// Parses a schedule; errors are pgt::error 22023 with upstream's messages. `min_seconds`
/// bounds durations from below (pg_trickle.min_schedule_seconds).
schedule parse_schedule(const std::string& text, std::int64_t min_seconds = 1);

/// The schedule as stored in the catalog: nullopt for `calculated`, else the trimmed text.
std::optional<std::string> stored_schedule(const std::string& text, std::int64_t min_seconds = 1);

} // namespace pgt
