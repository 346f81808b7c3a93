#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace pgt::fuzz {

namespace {

std::string percent(std::size_t part, std::size_t whole) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
    return buf;
}

/// The `top` most frequent reasons, one a line, and how many others there were.
void print_reasons(std::ostringstream& out, const std::string& title, const std::map<std::string, std::size_t>& reasons,
                   std::size_t top = 15) {
    if (reasons.empty()) return;
    std::vector<std::pair<std::string, std::size_t>> sorted(reasons.begin(), reasons.end());
    std::ranges::stable_sort(sorted, [](const auto& a, const auto& b) { return a.second > b.second; });
    out << title << "\n";
    std::size_t rest = 0, rest_reasons = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i < top) {
            char count[16];
            std::snprintf(count, sizeof count, "%6zu", sorted[i].second);
            out << "  " << count << "  " << sorted[i].first << "\n";
        } else {
            rest += sorted[i].second;
            ++rest_reasons;
        }
    }
    if (rest) out << "  " << rest << " more in " << rest_reasons << " other reasons\n";
}

std::string cell(const std::string& s, std::size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

} // namespace

void report::add_statement(const rewritten& r) {
    ++statements_;
    if (!r.query) ++not_queries_;
    tablesamples_ += static_cast<std::size_t>(r.tablesamples);
    limits_ += static_cast<std::size_t>(r.limits);
    scalar_subqueries_ += static_cast<std::size_t>(r.scalar_subqueries);
}

void report::add_screened(bool kept, const std::string& drop_reason, bool renamed) {
    if (kept) {
        ++kept_;
        renamed_ += renamed ? 1 : 0;
    } else {
        ++dropped_[drop_reason];
    }
}

void report::add_trial(const trial_result& r) {
    for (const auto& m : r.modes) {
        auto& t = mode_[m.mode];
        ++t.tried;
        if (!m.accepted) {
            ++t.refused[m.refusal];
            continue;
        }
        ++t.accepted;
        if (m.effective != "FULL") ++t.differential;
        else if (m.mode == "AUTO") ++t.full_reasons[m.full_reason];
        if (m.wrong) ++t.wrong;
        if (!m.error.empty()) {
            ++t.errors;
            ++t.error_reasons[m.error];
        }
    }
    writes_applied_ += static_cast<std::size_t>(r.writes_applied);
    writes_own_error_ += static_cast<std::size_t>(r.writes_own_error);
    writes_query_cannot_hold_ += static_cast<std::size_t>(r.writes_query_cannot_hold);
    rounds_query_failed_ += static_cast<std::size_t>(r.rounds_query_failed);
}

std::string report::text(const std::string& header) const {
    std::ostringstream out;
    out << header << "\n\n";
    out << "Queries: " << statements_ << " statements from sqlsmith, " << not_queries_ << " not a query (INSERT, UPDATE, "
        << "DELETE), " << (statements_ - not_queries_ - kept_) << " dropped, " << kept_ << " kept";
    if (renamed_) out << " (" << renamed_ << " with their columns renamed)";
    out << ".\nRewritten to be deterministic: " << tablesamples_ << " TABLESAMPLE clauses removed, " << limits_
        << " LIMITs removed, " << scalar_subqueries_ << " scalar subqueries `LIMIT 1 OFFSET n` made min()/max().\n";
    print_reasons(out, "Dropped because:", dropped_);
    out << "\nWrites: " << writes_applied_ << " applied, " << writes_own_error_ << " failed on their own data, "
        << writes_query_cannot_hold_ << " refused by IMMEDIATE because the query fails on the result; "
        << rounds_query_failed_ << " checks skipped because the query failed on the data.\n\n";
    out << cell("mode", 14) << cell("tried", 7) << cell("accepted", 10) << cell("DIFFERENTIAL", 14) << cell("refused", 9)
        << cell("wrong", 7) << "errors after creation\n";
    for (const auto& mode : modes_) {
        const auto it = mode_.find(mode);
        const per_mode t = it == mode_.end() ? per_mode{} : it->second;
        out << cell(mode, 14) << cell(std::to_string(t.tried), 7) << cell(std::to_string(t.accepted), 10)
            << cell(std::to_string(t.differential), 14) << cell(std::to_string(t.tried - t.accepted), 9)
            << cell(std::to_string(t.wrong), 7) << t.errors << "\n";
    }
    std::size_t crashes = 0, hangs = 0;
    for (const auto& f : findings_) {
        crashes += f.kind == "crash" ? 1 : 0;
        hangs += f.kind == "hang" ? 1 : 0;
    }
    out << "crashes: " << crashes << ", hangs (a statement past its statement_timeout, killed): " << hangs << "\n";
    if (const auto a = mode_.find("AUTO"); a != mode_.end())
        out << "AUTO maintained " << a->second.differential << " of " << a->second.tried << " kept queries DIFFERENTIAL ("
            << percent(a->second.differential, a->second.tried) << ").\n";
    for (const auto& mode : modes_) {
        const auto it = mode_.find(mode);
        if (it == mode_.end()) continue;
        out << "\n";
        print_reasons(out, mode + " fell back to FULL because:", it->second.full_reasons);
        print_reasons(out, mode + " refused:", it->second.refused);
        print_reasons(out, mode + " errors after creation:", it->second.error_reasons);
    }
    if (!findings_.empty()) {
        out << "\nFindings (wrong results, errors after creation, crashes, hangs):\n";
        for (const auto& f : findings_)
            out << "  " << cell(f.kind, 6) << cell(f.mode, 13) << cell(f.subject, 10) << f.detail
                << (f.repro.empty() ? "" : "\n         repro: " + f.repro) << "\n";
    }
    for (const auto& n : notes_) out << "\nNote: " << n << "\n";
    out << "\n" << problems() << " problems (wrong + errors after creation + crashes + hangs).\n";
    return out.str();
}

} // namespace pgt::fuzz
