#include "run.hpp"

#include <atomic>
#include <chrono>
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

const std::string crashes_the_server = "crashes the server";

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
        report_findings(pool.first());
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
                [&](std::size_t i) { screens[i] = screened{false, crashes_the_server, *rewrites[i].query, {}, {}}; });
            for (std::size_t i = 0; i < statements.size() && screens[i] && kept_.size() < o_.queries; ++i) {
                report_.add_statement(rewrites[i]);
                if (!rewrites[i].query) continue;
                const auto& s = *screens[i];
                report_.add_screened(s.kept, s.drop_reason, s.kept && s.query != *rewrites[i].query);
                if (s.kept) kept_.push_back(kept(s, smith_seed, i));
                if (s.drop_reason == crashes_the_server) report_crash_while_screening(s.query, smith_seed, i);
            }
        }
    }

    /// A query PostgreSQL crashes on, with no stream table: its repro runs it alone.
    void report_crash_while_screening(const std::string& query, std::uint64_t smith_seed, std::size_t statement) {
        kept_query q;
        q.smith_seed = smith_seed;
        q.statement = statement;
        q.sql = query;
        const std::string subject = "sqlsmith --seed " + std::to_string(smith_seed) + " statement " + std::to_string(statement);
        const repro_context ctx{&schema_, o_.repro_dir, trial_.immediate_schedule, o_.command_line};
        report_.add_finding({"crash", "", subject, "the query crashed the server when screened, without stream tables",
                             write_repro(ctx, "crash_screened", q, {}, {}, "the query crashes the server")});
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
        crashed_.assign(kept_.size(), 0);
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
            [] { return true; }, [&](std::size_t i) { crashed_[i] = 1; });
    }

    /// Tallies the trials and writes the findings' repro files (their writes shrunk first).
    void report_findings(session& db) {
        const repro_context ctx{&schema_, o_.repro_dir, trial_.immediate_schedule, o_.command_line};
        for (std::size_t i = 0; i < kept_.size(); ++i) {
            const auto& q = kept_[i];
            if (crashed_[i]) {
                const auto path = write_repro(ctx, "crash", q, o_.modes, planned_writes(schema_, q, trial_),
                                              "the server crashed during this trial (at an unknown step)");
                report_.add_finding({"crash", "", "query " + std::to_string(q.number), "the server crashed during its trial", path});
                continue;
            }
            const auto& r = *results_[i];
            const auto planned = planned_writes(schema_, q, trial_);
            report_.add_trial(r);
            for (const auto& m : r.modes) {
                if (m.wrong) {
                    const std::string what = "wrong after " + (m.wrong_round == 0 ? std::string("creation")
                                                                                   : "round " + std::to_string(m.wrong_round)) +
                                             ": " + std::to_string(m.wrong_rows) + " rows differ";
                    const auto rounds = shrink_writes(db, ctx, q, m.mode, planned);
                    report_.add_finding({"wrong", m.mode, "query " + std::to_string(q.number), what, write_repro(ctx, "wrong", q, {m.mode}, rounds, what)});
                }
                if (!m.error.empty()) {
                    const auto rounds = shrink_writes(db, ctx, q, m.mode, planned, m.error);
                    report_.add_finding({"error", m.mode, "query " + std::to_string(q.number), m.error,
                                         write_repro(ctx, "error", q, {m.mode}, rounds, m.error)});
                }
            }
        }
    }

    const options& o_;
    schema schema_;
    report report_;
    std::map<std::pair<std::string, std::string>, column_info> columns_;
    volatility_map volatility_;
    trial_options trial_;
    std::vector<kept_query> kept_;
    std::vector<std::optional<trial_result>> results_;
    std::vector<char> crashed_; ///< not vector<bool>: elements are set from several threads
};

} // namespace

int run_fuzzer(const options& o) { return fuzz_run(o).execute(); }

} // namespace pgt::fuzz
