#include "refresh/auto_mode.hpp"

#include <algorithm>
#include <cstdio>

#include "pgt/auto_choice.hpp"

#include "pg/settings.hpp"

namespace pgt::ext {

long long auto_count_limit(const stream_table& st, double source_rows) {
    return auto_choice::decisive_records(auto_choice::measured::from(st.auto_costs), source_rows, guc::differential_max_change_ratio);
}

auto_decision choose_auto(const stream_table& st, const std::vector<auto_source_change>& sources, bool index_missing, bool unplanned) {
    auto_choice::change c;
    c.index_missing = index_missing;
    c.unplanned = unplanned;
    long long changed_rows = 0;
    for (const auto& s : sources) {
        c.source_rows += s.rows;
        c.records += s.records;
        changed_rows += s.changed_rows;
        c.counted_all = c.counted_all && s.counted_all;
    }
    // Of all the sources' rows: a fact table joined with a small dimension table whose rows all
    // changed is not recomputed for it.
    c.ratio = static_cast<double>(changed_rows) / std::max(c.source_rows, 1.0);
    const auto d = auto_choice::decide(auto_choice::measured::from(st.auto_costs), c, guc::differential_max_change_ratio);
    return {d.full, c.records, d.reason, d.forgone_ms, d.explored};
}

namespace {

std::string as_float8_array(const auto_choice::measured& m) {
    std::string text = "{";
    for (double v : m.values()) {
        char number[32];
        std::snprintf(number, sizeof number, "%.17g", v);
        text += (text.size() > 1 ? "," : "") + std::string(number);
    }
    return text + "}";
}

} // namespace

std::string measured_costs(const stream_table& st, bool full, long long change_records, double ms, std::optional<double> planning_ms,
                           const std::optional<auto_decision>& choice) {
    auto m = auto_choice::measured::from(st.auto_costs);
    if (full)
        m.add_full(ms, choice ? choice->forgone_ms : 0);
    else
        m.add_differential(static_cast<double>(change_records), ms, choice && choice->explored);
    if (planning_ms) m.add_planning(*planning_ms);
    return as_float8_array(m);
}

std::string costs_after_index_rebuilt(const stream_table& st) {
    auto m = auto_choice::measured::from(st.auto_costs);
    m.forgone_ms = 0;
    return as_float8_array(m);
}

} // namespace pgt::ext
