#include "run.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>

#include "interrupt.hpp"
#include "report.hpp"
#include "repro.hpp"
#include "screen.hpp"
#include "setup.hpp"
#include "sqlsmith.hpp"
#include "trial.hpp"
#include "workers.hpp"

namespace pgt::fuzz {

namespace {


class fuzz_run {
public:
    explicit fuzz_run(const options& o) : o_(o), schema_(generate_schema(o.schema_seed)), report_(o.modes) {}

    int execute() {
        const auto started = std::chrono::steady_clock::now();
        auto srv = start_server(schema_, o_.jobs);
        const stop_server_on_interrupt guard(*srv.cluster);
        columns_ = load_columns(srv.smith_conninfo);
        workers pool(srv.worker_conninfos, [&] { srv.cluster->restart(true); });
        volatility_ = load_volatility(pool.first());
        std::string refusal;
        trial_.modes = o_.modes;
        trial_.rounds = o_.rounds;
        trial_.seed = o_.seed;
        trial_.immediate_schedule = immediate_schedule(pool.first(), schema_, refusal);
        if (!refusal.empty())
            report_.add_note("schedule => NULL is refused for IMMEDIATE (" + refusal +
                             "); IMMEDIATE stream tables were created with the default schedule instead.");
        select_queries(pool, srv.smith_conninfo);
        try_queries(pool);
        report_findings(pool);
        write_outcomes();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
        const std::string text = report_.text(header(seconds.count()));
        std::cout << text;
        if (!o_.report_file.empty()) std::ofstream(o_.report_file) << text;
        return report_.problems() == 0 ? 0 : 1;
    }

private:
    std::string header(long long seconds) const {
        std::string tables;
        for (const auto& t : schema_.tables) tables += " " + t.name + (t.key.empty() ? " (keyless)" : "");
        return "pg_trickle fuzz report\n" + o_.command_line + "\nschema seed " + std::to_string(o_.schema_seed) + ":" + tables +
               ", view " + schema_.v.name + "; " + std::to_string(o_.rounds) + " rounds of writes per query; " +
               std::to_string(seconds) + " s";
    }

    /// Screens sqlsmith's statements, batch after batch, until enough are kept; the kept queries
    /// are the first ones in sqlsmith's order, whatever the workers' timing. Each batch has its
    /// own sqlsmith seed, derived from --seed, so that runs of other --seed share no statements.
    void select_queries(workers& pool, const std::string& smith_conninfo) {
        const column_lookup lookup = [&](const std::string& relation, const std::string& column) -> std::optional<column_info> {
            const auto it = columns_.find({relation, column});
            return it == columns_.end() ? std::nullopt : std::optional(it->second);
        };
        const screen_limits limits{o_.query_timeout_ms, o_.max_rows};
        for (std::uint64_t batch = 0; kept_.size() < o_.queries; ++batch) {
            if (batch == 20) throw std::runtime_error("20 sqlsmith batches gave too few queries to keep");
            const std::uint64_t smith_seed = derive_seed(o_.seed, batch) % 2147483647; // sqlsmith takes an int
            const std::size_t wanted = o_.queries - kept_.size();
            // About one statement in six is kept.
            const auto statements = sqlsmith_statements(smith_conninfo, smith_seed, std::max<std::size_t>(100, wanted * 8));
            std::vector<rewritten> rewrites;
            for (const auto& st : statements) rewrites.push_back(make_deterministic(st, lookup));
            std::vector<std::optional<screened>> screens(statements.size());
            std::vector<std::string> lost(statements.size());
            std::atomic<std::size_t> kept_in_batch = 0;
            pool.for_each(
                statements.size(),
                [&](session& db, std::size_t i) {
                    screened s;
                    if (rewrites[i].query) s = screen_query(db, *rewrites[i].query, volatility_, limits);
                    kept_in_batch += s.kept ? 1 : 0;
                    screens[i] = std::move(s);
                },
                [&] { return kept_in_batch < wanted; },
                [&](std::size_t i, const std::string& why) {
                    lost[i] = why;
                    screens[i] = screened{false, why == "crash" ? "crashes the server" : "hangs the server", "", {}, {}};
                });
            for (std::size_t i = 0; i < statements.size() && screens[i] && kept_.size() < o_.queries; ++i) {
                report_.add_statement(rewrites[i]);
                if (!rewrites[i].query) continue;
                const auto& s = *screens[i];
                report_.add_screened(s.kept, s.drop_reason, s.kept && s.query != *rewrites[i].query);
                if (s.kept) kept_.push_back(kept(s, smith_seed, i));
                if (!lost[i].empty()) report_lost_while_screening(*rewrites[i].query, smith_seed, i, lost[i]);
            }
        }
    }

    /// A query PostgreSQL crashes or hangs on, with no stream table: its repro runs it alone.
    void report_lost_while_screening(const std::string& query, std::uint64_t smith_seed, std::size_t statement,
                                     const std::string& why) {
        kept_query q;
        q.smith_seed = smith_seed;
        q.statement = statement;
        q.sql = query;
        const std::string subject = "sqlsmith --seed " + std::to_string(smith_seed) + " statement " + std::to_string(statement);
        const repro_context ctx{&schema_, o_.repro_dir, trial_.immediate_schedule, o_.command_line};
        const std::string kind = why == "crash" ? "crash" : "hang";
        report_.add_finding({kind, "", subject, why + " when screened, without stream tables",
                             write_repro(ctx, kind + "_screened", q, {}, {}, why + " when run alone")});
    }

    kept_query kept(const screened& s, std::uint64_t smith_seed, std::size_t statement) const {
        kept_query q;
        q.number = kept_.size();
        q.smith_seed = smith_seed;
        q.statement = statement;
        q.sql = s.query;
        q.columns = s.columns;
        for (const auto& relation : s.sources)
            for (const auto& t : schema_.base_tables(relation))
                if (std::ranges::find(q.tables, t) == q.tables.end()) q.tables.push_back(t);
        return q;
    }

    void try_queries(workers& pool) {
        results_.assign(kept_.size(), std::nullopt);
        lost_.assign(kept_.size(), "");
        std::atomic<std::size_t> done = 0;
        std::mutex progress;
        pool.for_each(
            kept_.size(),
            [&](session& db, std::size_t i) {
                results_[i] = run_trial(db, schema_, kept_[i], trial_);
                if (const std::size_t n = ++done; n % 25 == 0) {
                    std::scoped_lock l(progress);
                    std::cerr << "pgt_fuzz: tried " << n << " of " << kept_.size() << " queries\n";
                }
            },
            [] { return true; }, [&](std::size_t i, const std::string& why) { lost_[i] = why; });
    }

    /// Every kept query's outcome per mode, one line each (query number, mode, DIFFERENTIAL /
    /// FULL / refused, the reason, the query), in the repro folder's outcomes.tsv: what the
    /// report's tallies count, to find the queries behind a reason.
    void write_outcomes() const {
        std::filesystem::create_directories(o_.repro_dir);
        std::ofstream out(std::filesystem::path(o_.repro_dir) / "outcomes.tsv");
        auto one_line = [](std::string s) {
            for (char& c : s)
                if (c == '\n' || c == '\t') c = ' ';
            return s;
        };
        for (std::size_t i = 0; i < kept_.size(); ++i) {
            if (!results_[i]) continue;
            for (const auto& m : results_[i]->modes) {
                const std::string outcome = !m.accepted ? "refused" : m.effective.empty() ? m.mode : m.effective;
                const std::string reason = !m.accepted ? m.refusal : m.full_reason;
                out << kept_[i].number << '\t' << m.mode << '\t' << outcome << '\t' << one_line(reason) << '\t'
                    << one_line(kept_[i].sql) << '\n';
            }
        }
    }

    /// A wrong result or an error after creation, whose writes are shrunk before its repro file
    /// is written.
    struct finding_to_shrink {
        std::size_t query;
        std::string mode, kind, what;
        std::string error; ///< for an error after creation
        write_rounds rounds;
    };

    /// Tallies the trials and writes the findings' repro files (their writes shrunk first, by
    /// the workers: a replay may crash or hang the server too, and then its writes stay).
    void report_findings(workers& pool) {
        const repro_context ctx{&schema_, o_.repro_dir, trial_.immediate_schedule, o_.command_line};
        std::vector<finding_to_shrink> findings;
        for (std::size_t i = 0; i < kept_.size(); ++i) {
            const auto& q = kept_[i];
            const auto planned = planned_writes(schema_, q, trial_);
            if (!lost_[i].empty()) {
                const std::string kind = lost_[i] == "crash" ? "crash" : "hang";
                const std::string what = kind == "crash" ? "the server crashed during its trial (at an unknown step)" : lost_[i];
                report_.add_finding({kind, "", "query " + std::to_string(q.number), what, write_repro(ctx, kind, q, o_.modes, planned, what)});
                continue;
            }
            report_.add_trial(*results_[i]);
            for (const auto& m : results_[i]->modes) {
                if (m.wrong)
                    findings.push_back({i, m.mode, "wrong",
                                        "wrong after " + (m.wrong_round == 0 ? std::string("creation") : "round " + std::to_string(m.wrong_round)) +
                                            ": " + std::to_string(m.wrong_rows) + " rows differ",
                                        "", planned});
                if (!m.error.empty()) findings.push_back({i, m.mode, "error", m.error, m.error, planned});
            }
        }
        pool.for_each(
            findings.size(),
            [&](session& db, std::size_t k) {
                auto& f = findings[k];
                f.rounds = shrink_writes(db, ctx, kept_[f.query], f.mode, f.rounds, f.error);
            },
            [] { return true; }, [](std::size_t, const std::string&) {});
        for (const auto& f : findings)
            report_.add_finding({f.kind, f.mode, "query " + std::to_string(f.query), f.what,
                                 write_repro(ctx, f.kind, kept_[f.query], {f.mode}, f.rounds, f.what)});
    }

    const options& o_;
    schema schema_;
    report report_;
    std::map<std::pair<std::string, std::string>, column_info> columns_;
    volatility_map volatility_;
    trial_options trial_;
    std::vector<kept_query> kept_;
    std::vector<std::optional<trial_result>> results_;
    std::vector<std::string> lost_; ///< per query: "crash", "hang: <statement>", or "" when it ran
};

} // namespace

int run_fuzzer(const options& o) { return fuzz_run(o).execute(); }

} // namespace pgt::fuzz
