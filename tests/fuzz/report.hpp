#pragma once
// What a run found, and its printed report: the queries kept and dropped (and why), then per
// mode the queries accepted, maintained DIFFERENTIAL, refused (by reason), wrong, with errors
// after creation, and the crashes and hangs, with the repro file of each finding.

#include <map>
#include <string>
#include <vector>

#include "rewrite.hpp"
#include "trial.hpp"

namespace pgt::fuzz {

struct finding {
    std::string kind; ///< wrong, error, crash or hang
    std::string mode; ///< empty for a crash or hang
    std::string subject; ///< "query 12" (the 13th kept query), or the sqlsmith statement
    std::string detail;
    std::string repro; ///< path of its repro file
};

class report {
public:
    explicit report(std::vector<std::string> modes) : modes_(std::move(modes)) {}

    void add_statement(const rewritten& r);
    void add_screened(bool kept, const std::string& drop_reason, bool renamed);
    void add_trial(const trial_result& r);
    void add_finding(finding f) { findings_.push_back(std::move(f)); }
    void add_note(std::string note) { notes_.push_back(std::move(note)); }

    /// Wrong results, errors after creation, crashes and hangs.
    std::size_t problems() const { return findings_.size(); }
    std::string text(const std::string& header) const;

private:
    struct per_mode {
        std::size_t tried = 0, accepted = 0, differential = 0, wrong = 0, errors = 0;
        std::map<std::string, std::size_t> refused, full_reasons, error_reasons;
    };

    std::vector<std::string> modes_;
    std::size_t statements_ = 0, not_queries_ = 0, kept_ = 0, renamed_ = 0;
    std::size_t tablesamples_ = 0, limits_ = 0, scalar_subqueries_ = 0;
    std::map<std::string, std::size_t> dropped_;
    std::map<std::string, per_mode> mode_;
    std::size_t writes_applied_ = 0, writes_own_error_ = 0, writes_query_cannot_hold_ = 0, rounds_query_failed_ = 0;
    std::vector<finding> findings_;
    std::vector<std::string> notes_;
};

} // namespace pgt::fuzz
