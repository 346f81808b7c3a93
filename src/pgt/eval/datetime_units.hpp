#pragma once
/// \file
/// Private: the date/time units of extract, date_part and date_trunc as PostgreSQL decodes
/// them, and the calendar fields of a timestamp.

#include <cstdint>
#include <string>
#include <vector>

#include "../value/datetime.hpp"
#include "internal.hpp"

namespace pgt::eval_detail {

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

/// A unit as written, lower-cased (as PostgreSQL quotes it in messages), and what it names.
struct unit_name {
    std::string lowered;
    const unit_spelling* spelling; ///< nullptr when PostgreSQL would not recognise it
};
unit_name decode_unit(const std::string& text);

/// 22023 unit "x" not recognized for type … / 0A000 unit "x" not supported for type ….
[[noreturn]] void throw_unrecognized(const unit_name& n, type_kind k);
[[noreturn]] void throw_unsupported(const unit_name& n, type_kind k);

/// The calendar fields of a finite timestamp (a date is its midnight).
struct fields {
    std::int64_t days;       ///< since 2000-01-01
    detail::civil_date date; ///< astronomical year
    std::int64_t hour, minute, second, usec;
};
fields fields_of(std::int64_t micros);

/// ISO 8601: weeks start on Monday (1) and week 1 holds the year's first Thursday.
std::int64_t iso_dow(std::int64_t days);
std::int64_t iso_year(std::int64_t days);
std::int64_t iso_week(std::int64_t days);
/// 0 = Sunday, as extract(dow) counts.
std::int64_t day_of_week(std::int64_t days);

using args_t = std::vector<value>;
value fn_extract(const ir::expr& e, const args_t& a);
value fn_date_part(const ir::expr& e, const args_t& a);

} // namespace pgt::eval_detail
