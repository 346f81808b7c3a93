#include "pgt/auto_choice.hpp"

#include <algorithm>
#include <cstdio>

namespace pgt::auto_choice {

namespace {

/// How much a new full load (or planning) weighs against the earlier ones, and how much the
/// earlier differential refreshes keep of their weight at each new one.
constexpr double full_weight = 0.5;
constexpr double differential_decay = 0.8;

/// A moving average `average` (0: none yet) with `ms` added.
double averaged(double average, double ms) { return average > 0 ? full_weight * ms + (1 - full_weight) * average : ms; }

/// `pattern` with its one number.
std::string format(const char* pattern, double x) {
    char text[160];
    std::snprintf(text, sizeof text, pattern, x);
    return text;
}

} // namespace

measured measured::from(const std::vector<double>& v) {
    if (v.size() < 7 || v.size() > 11) return {};
    auto at = [&](std::size_t i) { return i < v.size() ? v[i] : 0; };
    return {v[0], v[1], v[2], v[3], v[4], v[5], v[6] != 0, at(7), at(8), at(9), at(10) != 0};
}

std::vector<double> measured::values() const {
    return {full_ms, w, sx, sy, sxx, sxy, last_full ? 1.0 : 0.0, largest, planning_ms, forgone_ms, last_explored ? 1.0 : 0.0};
}

void measured::add_full(double ms, double forgone) {
    full_ms = averaged(full_ms, ms);
    last_full = true;
    last_explored = false;
    forgone_ms = forgone > 0 ? forgone_ms + forgone : 0;
}

void measured::add_planning(double ms) { planning_ms = averaged(planning_ms, ms); }

void measured::add_differential(double x, double ms, bool explored) {
    w = differential_decay * w + 1;
    sx = differential_decay * sx + x;
    sy = differential_decay * sy + ms;
    sxx = differential_decay * sxx + x * x;
    sxy = differential_decay * sxy + x * ms;
    last_full = false;
    last_explored = explored;
    largest = std::max(largest, x);
    forgone_ms = 0;
}

std::optional<std::pair<double, double>> measured::line() const {
    // w² times the variance of the sizes. Sizes within a few per cent of each other give a slope
    // made of the refreshes' noise (15,113 and 14,914 records in 68 and 57 ms: 55 µs a record,
    // 15 times what either cost a record): their standard deviation must be at least
    // `min_size_spread` of their mean.
    const double spread = w * sxx - sx * sx;
    if (w <= 0 || spread <= min_size_spread * min_size_spread * sx * sx) return std::nullopt;
    const double slope = (w * sxy - sx * sy) / spread;
    if (slope <= 0) return std::nullopt;
    return std::pair{slope, (sy - slope * sx) / w};
}

namespace {

/// DIFFERENTIAL's estimated cost: a fixed part and a part per change record (once a full load
/// was measured).
struct differential_estimate {
    double fixed = 0, per_change = 0;
    const char* basis = "prior"; ///< what the figures come from, for the reason
    double at(double records) const { return fixed + per_change * records; }
};

differential_estimate estimate(const measured& m, double source_rows) {
    if (const auto line = m.line()) return {std::max(0.0, line->second), line->first, "fitted to its differential refreshes"};
    const double prior = m.full_ms * prior_rows_per_change / std::max(source_rows, 1.0);
    // Refreshes of one size measured: their cost per change record, fixed part included, is more
    // than a record costs; where even that is below the prior, the prior is known to be too high.
    if (m.w > 0 && m.sx > 0 && m.sy / m.sx < prior) return {0, m.sy / m.sx, "its differential refreshes per change record"};
    return {m.w > 0 ? m.sy / m.w : 0, prior, "prior"};
}

/// The estimate past which FULL is chosen: FULL's cost moved by the hysteresis away from the
/// last choice (none after a change applied to learn its cost, which was not a choice).
double full_threshold(const measured& m) {
    if (m.last_explored) return m.full_ms;
    return m.last_full ? m.full_ms / hysteresis : m.full_ms * hysteresis;
}

/// Whether a change of `records` is beyond what its differential refreshes measured, so that
/// one estimated at up to explore_cost full loads is applied to learn its cost.
bool unexplored(const measured& m, double records) { return m.largest > 0 && records > explored_growth * m.largest; }

} // namespace

decision decide(const measured& m, const change& c, double max_change_ratio) {
    const std::string size = std::string(c.counted_all ? "" : "at least ") + std::to_string(c.records) + " change records" +
                             format(" (%.3g %% of its sources' rows changed)", 100 * c.ratio);
    const bool capped = max_change_ratio > 0 && c.ratio > max_change_ratio;
    const std::string above = format(": above pg_trickle.differential_max_change_ratio (%.3g)", max_change_ratio);
    if (c.counted_all && (c.records <= tiny_change_records || c.ratio <= tiny_change_ratio)) return {false, size + ": a small change"};
    if (capped) return {true, size + above};
    if (m.full_ms <= 0) {
        if (!c.counted_all) return {true, size + ": counting stopped there, more are pending"};
        return {false, size + ": no full refresh measured yet"};
    }
    const differential_estimate d = estimate(m, c.source_rows);
    const double planning = c.unplanned ? m.planning_ms : 0;
    const double applying_ms = d.at(static_cast<double>(c.records)) + planning;
    // (The rebuild, about a full load, less what recomputing changes it could have applied has
    // cost since the index was left out.)
    const double rebuild_ms = c.index_missing ? std::max(0.0, m.full_ms - m.forgone_ms) : 0;
    const double differential_ms = applying_ms + rebuild_ms;
    // Counted up to decisive_records: past it FULL is estimated cheaper.
    const bool first = m.w <= 0 && c.ratio <= first_explore_ratio && rebuild_ms == 0;
    const bool explore = c.counted_all && differential_ms > full_threshold(m) &&
                         (first || (unexplored(m, static_cast<double>(c.records)) && differential_ms <= explore_cost * m.full_ms));
    const bool full = !c.counted_all || (differential_ms > full_threshold(m) && !explore);
    const std::string tried = !explore ? std::string()
                              : first  ? std::string(", applied to learn its cost (no differential refresh measured yet)")
                                       : format(", applied to learn its cost (the largest change applied so far had %.0f records)", m.largest);
    return {full,
            size + format(": DIFFERENTIAL estimated at %.1f ms", differential_ms) + " (" + d.basis + ")" +
                (c.index_missing ? format(" with its row-id index rebuilt (%.1f ms)", rebuild_ms) : "") +
                (planning > 0 ? format(", planning its statement (%.1f ms) included", planning) : std::string()) +
                format(", FULL at %.1f ms (measured)", m.full_ms) + tried,
            full && c.index_missing && c.counted_all ? std::max(0.0, m.full_ms - applying_ms) : 0, explore};
}

long long decisive_records(const measured& m, double source_rows, double max_change_ratio) {
    // Shares of rows changed as records: a changed row is at most a deletion and an insertion.
    auto records_of = [&](double share) { return 2 * share * source_rows; };
    const double always = std::max(static_cast<double>(tiny_change_records), records_of(tiny_change_ratio));
    double limit = records_of(max_change_ratio > 0 ? max_change_ratio : 1.0);
    if (m.full_ms > 0) {
        const differential_estimate d = estimate(m, source_rows);
        double priced = (full_threshold(m) - d.fixed) / d.per_change;
        // (A change up to where it would be explored is counted whole.)
        const double explored = (explore_cost * m.full_ms - d.fixed) / d.per_change;
        if (unexplored(m, explored)) priced = std::max(priced, explored);
        // (Before any differential refresh was measured, up to what is applied to learn.)
        if (m.w <= 0) priced = std::max(priced, records_of(first_explore_ratio));
        limit = std::min(limit, priced);
    }
    return static_cast<long long>(std::max(limit, always));
}

} // namespace pgt::auto_choice
