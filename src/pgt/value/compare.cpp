// Grouping equality, hashing and sort order of values and rows.

#include <cmath>
#include <cstring>

#include "datetime.hpp"
#include "dbsp/hash.hpp"
#include "pgt/value.hpp"

namespace pgt {

namespace {

// float8_cmp_internal: NaN equals NaN and sorts above everything; -0 equals 0.
std::weak_ordering compare_floats(double a, double b) {
    if (std::isnan(a)) return std::isnan(b) ? std::weak_ordering::equivalent : std::weak_ordering::greater;
    if (std::isnan(b)) return std::weak_ordering::less;
    if (a < b) return std::weak_ordering::less;
    if (a > b) return std::weak_ordering::greater;
    return std::weak_ordering::equivalent;
}

double as_double(const value& v) {
    if (auto i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (auto n = std::get_if<numeric>(&v)) return n->to_double();
    return std::get<double>(v);
}

numeric as_numeric(const value& v) {
    if (auto i = std::get_if<std::int64_t>(&v)) return numeric::from_int64(*i);
    return std::get<numeric>(v);
}

bool is_number(const value& v) {
    return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v) ||
           std::holds_alternative<numeric>(v);
}

// A date compares with a timestamp as its midnight (infinities stay infinite); a date beyond
// the timestamp range is after every finite timestamp, as in date_cmp_timestamp.
std::int64_t as_micros(const value& v) {
    if (auto t = std::get_if<timestamp_value>(&v)) return t->micros;
    date_value d = std::get<date_value>(v);
    if (d.days == detail::date_pos_infinity) return detail::ts_pos_infinity;
    if (d.days == detail::date_neg_infinity) return detail::ts_neg_infinity;
    return detail::midnight(d.days).value_or(detail::ts_pos_infinity - 1);
}

bool is_datetime(const value& v) {
    return std::holds_alternative<date_value>(v) || std::holds_alternative<timestamp_value>(v);
}

std::weak_ordering mixed_compare(const value& a, const value& b) {
    if (is_number(a) && is_number(b)) {
        if (std::holds_alternative<double>(a) || std::holds_alternative<double>(b))
            return compare_floats(as_double(a), as_double(b));
        return as_numeric(a) <=> as_numeric(b);
    }
    if (is_datetime(a) && is_datetime(b)) return as_micros(a) <=> as_micros(b);
    return a.index() <=> b.index();
}

} // namespace

bool same_value(const value& a, const value& b) {
    if (a.index() != b.index()) return false;
    if (auto da = std::get_if<double>(&a)) return compare_floats(*da, std::get<double>(b)) == 0;
    return a == b; // numeric's == is by value; every other alternative compares exactly
}

std::uint64_t hash_value(const value& v) {
    std::uint64_t h = std::visit(
        [](const auto& x) -> std::uint64_t {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return 0;
            } else if constexpr (std::is_same_v<T, double>) {
                // One hash for every NaN (-0 and 0 already hash alike).
                return std::isnan(x) ? 0x7ff8000000000000ULL : dbsp::hash_value(x);
            } else if constexpr (std::is_same_v<T, numeric>) {
                return x.hash();
            } else if constexpr (std::is_same_v<T, date_value>) {
                return dbsp::hash_value(x.days);
            } else if constexpr (std::is_same_v<T, timestamp_value>) {
                return dbsp::hash_value(x.micros);
            } else if constexpr (std::is_same_v<T, opaque_value>) {
                return dbsp::hash_value(x.text);
            } else {
                return dbsp::hash_value(x);
            }
        },
        v);
    return dbsp::detail::hash_mix(v.index(), h);
}

std::weak_ordering compare_values(const value& a, const value& b) {
    if (is_null(a) || is_null(b)) return is_null(a) <=> is_null(b); // NULL last
    if (a.index() != b.index()) return mixed_compare(a, b);
    return std::visit(
        [&](const auto& x) -> std::weak_ordering {
            using T = std::decay_t<decltype(x)>;
            const T& y = std::get<T>(b);
            if constexpr (std::is_same_v<T, std::monostate>) {
                return std::weak_ordering::equivalent;
            } else if constexpr (std::is_same_v<T, double>) {
                return compare_floats(x, y);
            } else if constexpr (std::is_same_v<T, std::string>) {
                // char_traits<char> compares as unsigned char: the C collation's byte order.
                return x.compare(y) <=> 0;
            } else {
                return x <=> y;
            }
        },
        a);
}

bool operator==(const row& a, const row& b) {
    if (a.cols.size() != b.cols.size()) return false;
    for (std::size_t i = 0; i < a.cols.size(); ++i)
        if (!same_value(a.cols[i], b.cols[i])) return false;
    return true;
}

std::uint64_t dbsp_hash(const row& r) {
    std::uint64_t h = r.cols.size();
    for (const auto& v : r.cols) h = dbsp::detail::hash_mix(h, hash_value(v));
    return h;
}

} // namespace pgt
