#include "trial.hpp"

#include <algorithm>
#include <cctype>

#include "dml.hpp"
#include "harness.hpp"
#include "reasons.hpp"

namespace pgt::fuzz {

std::string stream_table_name(const kept_query& q, const std::string& mode) {
    std::string m = mode;
    std::ranges::transform(m, m.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return "fz_q" + std::to_string(q.number) + "_" + m;
}

std::vector<std::vector<std::string>> planned_writes(const schema& s, const kept_query& q, const trial_options& o) {
    random rng(derive_seed(o.seed, q.number));
    std::vector<std::vector<std::string>> rounds;
    for (int r = 0; r < o.rounds; ++r) rounds.push_back(random_round(s, q.tables, rng));
    return rounds;
}

namespace {

/// What a failed write does without some stream tables, in a rolled-back transaction.
enum class without { succeeds, query_fails, fails };

class trial {
public:
    trial(session& db, const schema& s, const kept_query& q, const trial_options& o) : db_(db), s_(s), q_(q), o_(o) {}

    trial_result run() {
        restore_sources(db_, q_.tables);
        db_.exec("SET statement_timeout = '60s'");
        for (const auto& mode : o_.modes) create(mode);
        check(0);
        const auto planned = planned_writes(s_, q_, o_);
        for (std::size_t round = 0; round < planned.size(); ++round) {
            for (const auto& w : planned[round]) apply(w);
            if (!evaluate_expected(db_, q_.sql)) {
                // The refreshes would fail too, for the query's own reason.
                ++r_.rounds_query_failed;
                continue;
            }
            for (auto& m : r_.modes) {
                if (!checked(m) || m.mode == "IMMEDIATE") continue;
                try {
                    refresh(db_, stream_table_name(q_, m.mode));
                } catch (const testing::server_error& e) {
                    fail(m, "refresh: " + reason_of(e));
                }
            }
            compare(static_cast<int>(round) + 1);
        }
        return r_;
    }

private:
    static bool checked(const mode_outcome& m) { return live(m) && !m.wrong; }

    void create(const std::string& mode) {
        mode_outcome m;
        m.mode = mode;
        const std::string name = stream_table_name(q_, mode);
        try {
            db_.exec(create_call(name, q_.sql, mode, o_.immediate_schedule));
            m.accepted = true;
            m.effective = mode;
            if (mode == "AUTO") {
                const auto row = db_.query("SELECT effective_mode, downgrade_reason FROM pgtrickle.explain_refresh_mode('" +
                                           name + "')");
                m.effective = row.at(0)[0].value_or("?");
                m.full_reason = normalized_message(row.at(0)[1].value_or(""));
            }
        } catch (const testing::server_error& e) {
            m.refusal = reason_of(e);
        }
        r_.modes.push_back(m);
    }

    void check(int round) {
        if (!evaluate_expected(db_, q_.sql)) {
            ++r_.rounds_query_failed;
            return;
        }
        compare(round);
    }

    void compare(int round) {
        for (auto& m : r_.modes) {
            if (!checked(m)) continue;
            try {
                if (auto n = mismatches(db_, stream_table_name(q_, m.mode), q_.columns); n != 0) {
                    m.wrong = true;
                    m.wrong_round = round;
                    m.wrong_rows = n;
                }
            } catch (const testing::server_error& e) {
                fail(m, "read: " + reason_of(e));
            }
        }
    }

    void apply(const std::string& write) {
        std::string failure;
        try {
            db_.exec(write);
            ++r_.writes_applied;
            return;
        } catch (const testing::server_error& e) {
            failure = "write: " + reason_of(e);
        }
        std::vector<std::string> all;
        for (const auto& m : r_.modes)
            if (live(m)) all.push_back(stream_table_name(q_, m.mode));
        if (auto* immediate = live("IMMEDIATE")) {
            switch (try_without({stream_table_name(q_, "IMMEDIATE")}, write)) {
            case without::succeeds: fail(*immediate, failure); return;
            case without::query_fails: ++r_.writes_query_cannot_hold; return;
            case without::fails: break;
            }
        }
        if (!all.empty() && try_without(all, write) != without::fails) {
            // Only change capture was left to break it: every stream table of the other modes.
            for (auto& m : r_.modes)
                if (live(m) && m.mode != "IMMEDIATE") fail(m, failure);
            return;
        }
        ++r_.writes_own_error;
    }

    /// A stream table that has failed is dropped: it has given its verdict, and left in place
    /// it would fail the same way again, perhaps after a minute's timeout each time.
    static bool live(const mode_outcome& m) { return m.accepted && m.error.empty(); }

    mode_outcome* live(const std::string& mode) {
        for (auto& m : r_.modes)
            if (m.mode == mode && live(m)) return &m;
        return nullptr;
    }

    void fail(mode_outcome& m, const std::string& error) {
        m.error = error;
        try {
            db_.exec("SELECT pgtrickle.drop_stream_table('" + stream_table_name(q_, m.mode) + "')");
        } catch (const testing::server_error&) {
            // The next trial's restore_sources drops it, or reports why it cannot.
        }
    }

    without try_without(const std::vector<std::string>& dropped, const std::string& write) {
        db_.exec("BEGIN");
        without result = without::succeeds;
        try {
            for (const auto& name : dropped) db_.exec("SELECT pgtrickle.drop_stream_table('" + name + "')");
            db_.exec(write);
        } catch (const testing::server_error&) {
            result = without::fails;
        }
        try {
            // (Each row as text: a count(*) alone lets the planner skip the columns it does not
            // read, and a column that fails on the data, sqrt of a negative, is never computed.)
            if (result == without::succeeds) db_.query("SELECT count(t::text) FROM (" + q_.sql + ") t");
        } catch (const testing::server_error&) {
            result = without::query_fails;
        }
        db_.exec("ROLLBACK");
        return result;
    }

    session& db_;
    const schema& s_;
    const kept_query& q_;
    const trial_options& o_;
    trial_result r_;
};

} // namespace

trial_result run_trial(session& db, const schema& s, const kept_query& q, const trial_options& o) {
    return trial(db, s, q, o).run();
}

} // namespace pgt::fuzz
