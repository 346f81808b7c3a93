#include "repro.hpp"

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "harness.hpp"
#include "reasons.hpp"

namespace pgt::fuzz {

namespace {

/// Replays `rounds` with only the stream table of `mode`: does it show `error` (worded as the
/// trial words errors after creation), or, for an empty `error`, a wrong result?
bool replay_shows(session& db, const repro_context& ctx, const kept_query& q, const std::string& mode,
                  const write_rounds& rounds, const std::string& error) {
    restore_sources(db, q.tables);
    const std::string name = stream_table_name(q, mode);
    // The error of one step, prefixed with what the step was, or "".
    auto step = [&](const std::string& what, const auto& run) -> std::string {
        try {
            run();
            return "";
        } catch (const testing::server_error& e) {
            return what + reason_of(e);
        }
    };
    auto check = [&] {
        if (!evaluate_expected(db, q.sql)) return false;
        long long differ = 0;
        const auto failed = step("read: ", [&] { differ = mismatches(db, name, q.columns); });
        return error.empty() ? differ != 0 : failed == error;
    };
    if (!step("", [&] { db.exec(create_call(name, q.sql, mode, ctx.immediate_schedule)); }).empty()) return false;
    if (check()) return true;
    for (const auto& round : rounds) {
        // As in the trial, a write that fails changes nothing.
        for (const auto& w : round)
            if (!error.empty() && step("write: ", [&] { db.exec(w); }) == error) return true;
        if (mode != "IMMEDIATE")
            if (const auto failed = step("refresh: ", [&] { refresh(db, name); }); !failed.empty()) return failed == error;
        if (check()) return true;
    }
    return false;
}

/// The replays a shrink may still take: 80, within two minutes (a replay of a refresh that
/// timed out takes a minute).
class replay_budget {
public:
    bool take() { return left_-- > 0 && std::chrono::steady_clock::now() < deadline_; }

private:
    int left_ = 80;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::now() + std::chrono::minutes(2);
};

/// Removes the elements of `items` one at a time, keeping each removal after which `shows()`.
template <class T, class F>
void remove_while_shown(std::vector<T>& items, F shows, replay_budget& budget) {
    for (std::size_t i = 0; i < items.size() && budget.take();) {
        auto saved = items;
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
        if (!shows()) {
            items = std::move(saved);
            ++i;
        }
    }
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

write_rounds shrink_writes(session& db, const repro_context& ctx, const kept_query& q, const std::string& mode,
                           write_rounds rounds, const std::string& error) {
    // A timeout would take as long in every replay as in the trial.
    if (is_timeout(error)) return rounds;
    auto shows = [&] { return replay_shows(db, ctx, q, mode, rounds, error); };
    if (shows()) {
        replay_budget budget;
        remove_while_shown(rounds, shows, budget);
        for (auto& round : rounds) remove_while_shown(round, shows, budget);
        remove_while_shown(rounds, shows, budget);
    }
    restore_sources(db, q.tables);
    return rounds;
}

std::string write_repro(const repro_context& ctx, const std::string& kind, const kept_query& q,
                        const std::vector<std::string>& modes, const write_rounds& rounds, const std::string& finding) {
    std::filesystem::create_directories(ctx.directory);
    const std::string name = modes.empty() ? "seed" + std::to_string(q.smith_seed) + "_statement" + std::to_string(q.statement)
                                           : "q" + std::to_string(q.number) + "_" + (modes.size() == 1 ? lower(modes.front()) : "all");
    const std::string path = ctx.directory + "/" + kind + "_" + name + ".sql";
    std::ofstream out(path);
    out << "-- pg_trickle fuzz repro: " << kind << ", query " << q.number << " (sqlsmith --seed " << q.smith_seed << ", statement " << q.statement
        << "), modes " << join(modes) << "\n-- " << finding << "\n-- found by: " << ctx.command
        << "\n-- Run in an empty database of a server with pg_trickle in shared_preload_libraries:\n"
        << "--   psql -X -f " << std::filesystem::path(path).filename().string() << "\n\n"
        << "CREATE EXTENSION IF NOT EXISTS pg_trickle;\nSET extra_float_digits = -3;\n"
        << ctx.s->ddl() << ctx.s->rows_sql << "\n";
    if (modes.empty()) out << "-- the query alone\n" << q.sql << ";\n";
    for (const auto& mode : modes)
        out << create_call(stream_table_name(q, mode), q.sql, mode, ctx.immediate_schedule) << ";\n";
    for (std::size_t r = 0; r < rounds.size(); ++r) {
        out << "\n-- round " << r + 1 << "\n";
        for (const auto& w : rounds[r]) out << w << ";\n";
        for (const auto& mode : modes)
            if (mode != "IMMEDIATE") out << "SELECT pgtrickle.refresh_stream_table('" << stream_table_name(q, mode) << "');\n";
    }
    for (const auto& mode : modes) {
        const std::string stored = "SELECT t::text FROM (SELECT " + join(q.columns) + " FROM " + stream_table_name(q, mode) + ") t";
        const std::string fresh = "SELECT t::text FROM (" + q.sql + ") t";
        out << "\n\\echo " << mode << ": rows only in the stream table (none when right)\n"
            << stored << " EXCEPT ALL " << fresh << ";\n"
            << "\\echo " << mode << ": rows only in the query (none when right)\n"
            << fresh << " EXCEPT ALL " << stored << ";\n";
    }
    return path;
}

} // namespace pgt::fuzz
