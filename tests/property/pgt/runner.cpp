#include <algorithm>
#include "runner.hpp"

#include <chrono>
#include <map>
#include <thread>

#include "pgt/circuit.hpp"
#include "pgt/error.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"
#include "pgt/oracle.hpp"
#include "pgt/sql/builder.hpp"

#include "live_checks.hpp"

namespace pgt::testing {

namespace {

struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string r;
    for (std::size_t i = 0; i < v.size(); ++i) r += (i ? sep : "") + v[i];
    return r;
}

void reset(connection& db) {
    // As the extension runs delta statements (JIT compiles them longer than they run).
    db.exec("SET jit = off");
    db.exec("SET client_min_messages = error");
    db.exec("DO $$ DECLARE t text; BEGIN FOR t IN SELECT pgt_name FROM pgtrickle.pgt_stream_tables WHERE pgt_name IN "
            "('pst', 'ist') LOOP PERFORM pgtrickle.drop_stream_table(t); END LOOP; END $$");
    db.exec("DROP TABLE IF EXISTS st, t0, t1, t2, chg_t0, chg_t1, chg_t2 CASCADE");
    db.exec("DO $$ DECLARE t text; BEGIN FOR t IN SELECT relname FROM pg_catalog.pg_class WHERE relname LIKE 'state\\_n%' "
            "AND relkind = 'r' AND relnamespace = 'public'::regnamespace LOOP EXECUTE 'DROP TABLE ' || quote_ident(t); END LOOP; END $$");
    db.exec("RESET client_min_messages");
}

/// Change capture for the lowered SQL: a row trigger copying OLD (−1) and NEW (+1) rows.
void capture(connection& db, const std::string& t) {
    db.exec("CREATE TABLE chg_" + t + " AS SELECT *, 0::bigint AS __pgt_w FROM " + t + " WITH NO DATA");
    db.exec("CREATE OR REPLACE FUNCTION chg_" + t + "_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP IN ('DELETE', 'UPDATE') THEN INSERT INTO chg_" + t + " SELECT (OLD).*, -1; END IF; "
            "IF TG_OP IN ('INSERT', 'UPDATE') THEN INSERT INTO chg_" + t + " SELECT (NEW).*, 1; END IF; "
            "RETURN NULL; END $$");
    db.exec("CREATE TRIGGER chg AFTER INSERT OR UPDATE OR DELETE ON " + t + " FOR EACH ROW EXECUTE FUNCTION chg_" + t +
            "_fn()");
}

row parse_row(const text_row& r, const ir::table& t, std::size_t count) {
    row out;
    for (std::size_t i = 0; i < count; ++i)
        out.cols.push_back(r[i] ? parse_value(*r[i], t.columns[i].type) : value{});
    return out;
}

class checker {
public:
    checker(connection& db, const case_spec& c, capture_mode capture) : db_(db), c_(c), capture_(capture) {
        // Half the cases lower the recomputation of aggregates as a stream table over Citus
        // sources has it (lower::options::uncorrelated_rescans).
        lowering_.uncorrelated_rescans = c.seed % 2 == 1;
    }

    outcome run() {
        outcome out;
        reset(db_);
        for (const auto& t : c_.tables) {
            db_.exec(t.ddl);
            for (const auto& r : t.rows) db_.exec(r);
        }
        // The query must be valid SQL over this data; a generator slip is not a finding.
        try {
            db_.query(c_.query);
        } catch (const server_error& e) {
            return {outcome::result::skipped, "query fails in PostgreSQL: " + std::string(e.what())};
        }
        std::string ddl;
        for (const auto& t : c_.tables) ddl += t.ddl + ";\n";
        catalog_ = offline::load_schema(ddl);
        auto compiled = offline::compile(c_.query, *catalog_);
        if (!compiled.query)
            return {outcome::result::skipped, "not maintainable: " + compiled.unsupported->construct()};
        graph_ = build_circuit(*compiled.query);
        setup_storage();
        for (const auto& t : c_.tables) capture(db_, t.name);
        const bool wal = capture_ == capture_mode::wal;
        db_.exec("SELECT pgtrickle.create_stream_table('pst', $q$" + c_.query +
                 "$q$, refresh_mode => 'DIFFERENTIAL', schedule => '24h', cdc_mode => '" + (wal ? "wal" : "trigger") + "')");
        if (wal) {
            // The slot exists: the sources are read from the WAL from the stream table's creation.
            if (auto n = db_.scalar("SELECT count(*) FROM pgtrickle.list_sources('pst') WHERE cdc_mode <> 'WAL'"); n != "0")
                throw failure(*n + " source(s) of the stream table are not captured from the WAL");
        } else {
            // The same query IMMEDIATE: maintained by every statement below, never refreshed.
            db_.exec("SELECT pgtrickle.create_stream_table('ist', $q$" + c_.query + "$q$, refresh_mode => 'IMMEDIATE')");
        }
        setup_oracle();
        out.oracle_checked = oracle_ok_;
        check("initial load");
        for (std::size_t r = 0; r < c_.rounds.size(); ++r) {
            for (const auto& t : c_.tables) db_.exec("TRUNCATE chg_" + t.name);
            for (const auto& s : c_.rounds[r]) {
                try {
                    db_.exec(s);
                } catch (const server_error&) {
                    // A statement the data refuses (a duplicate key) changes nothing.
                }
            }
            apply_lowered_delta();
            db_.exec("SELECT pgtrickle.refresh_stream_table('pst')");
            step_oracle();
            check("round " + std::to_string(r + 1));
        }
        out.oracle_checked = oracle_ok_;
        return out;
    }

private:
    std::string visible_columns() const {
        const auto& all = graph_->query.root->columns;
        const std::size_t n = graph_->query.topk ? graph_->query.topk->visible : all.size();
        std::vector<std::string> cols;
        for (std::size_t i = 0; i < n; ++i) cols.push_back(sql::ident(all[i].name));
        return join(cols);
    }

    /// A relation holding the query's whole result (the lowered path's table, the oracle's):
    /// for a TopK, its first rows as the query takes them.
    std::string result_of(const std::string& relation) const {
        if (!graph_->query.topk) return relation;
        const auto& t = *graph_->query.topk;
        return "(SELECT * FROM " + relation + " ORDER BY " + lower::topk_index_columns(*graph_) + " OFFSET " +
               std::to_string(t.offset) + " ROWS FETCH FIRST " + std::to_string(t.limit) + " ROWS " +
               (t.with_ties ? "WITH TIES" : "ONLY") + ") top";
    }

    void setup_storage() {
        layout_ = lower::storage_layout(*graph_);
        std::vector<std::string> cols, names;
        for (const auto& col : layout_.columns) {
            cols.push_back(sql::ident(col.name) + " " + col.type.name);
            names.push_back(sql::ident(col.name));
        }
        db_.exec("CREATE TABLE st (" + join(cols) + ")");
        db_.exec("INSERT INTO st (" + join(names) + ") " + lower::full_load_sql(*graph_));
        // WITH RECURSIVE is only maintained from its state table (the stored rows with their
        // derivations); stored aggregates keep their stateless rules on this path.
        const auto recursive = recursions(*graph_);
        for (const auto& state : lower::aggregate_states(*graph_))
            if (std::ranges::find(recursive, state.node) != recursive.end()) {
                const std::string table = "state_n" + std::to_string(state.node);
                db_.exec("CREATE TABLE " + table + " AS " + state.select);
                lowering_.aggregate_states[state.node] = table;
            }
    }

    void apply_lowered_delta() {
        std::vector<lower::source_changes> sources;
        for (const auto& t : graph_->sources)
            sources.push_back({"chg_" + t->name, db_.scalar("SELECT count(*) > 0 FROM chg_" + t->name) == "t"});
        auto plan = lower::delta_sql(*graph_, sources, "st", lowering_);
        if (plan.has_delta) db_.query(plan.statement);
    }

    void setup_oracle() {
        try {
            incremental_ = std::make_unique<oracle::incremental>(*graph_);
            tables_.assign(graph_->sources.size(), {});
            for (std::size_t i = 0; i < graph_->sources.size(); ++i) {
                const auto& t = *graph_->sources[i];
                for (const auto& r : db_.query("SELECT * FROM " + t.name)) push(i, parse_row(r, t, t.columns.size()), 1);
            }
            incremental_->step();
        } catch (const pgt::error& e) {
            skip_oracle(e);
        }
    }

    void push(std::size_t source, const row& r, long long w) {
        incremental_->push(static_cast<int>(source), r, w);
        tables_[source].add(r, w);
    }

    void step_oracle() {
        if (!oracle_ok_) return;
        try {
            for (std::size_t i = 0; i < graph_->sources.size(); ++i) {
                const auto& t = *graph_->sources[i];
                for (const auto& r : db_.query("SELECT * FROM chg_" + t.name))
                    push(i, parse_row(r, t, t.columns.size()), std::stoll(*r.back()));
            }
            incremental_->step();
        } catch (const pgt::error& e) {
            skip_oracle(e);
        }
    }

    /// The oracle may not know a function; then it sits the case out. Any other error is one
    /// PostgreSQL did not raise, which is a finding.
    void skip_oracle(const pgt::error& e) {
        if (e.code() != sqlstate::feature_not_supported)
            throw failure(std::string("oracle raised an error PostgreSQL did not: ") + e.what());
        oracle_ok_ = false;
    }

    void check(const std::string& when) {
        const std::string cols = visible_columns();
        if (auto n = mismatches(db_, result_of("st"), cols, c_.query); n != 0)
            throw failure(when + ": lowered delta SQL: stream table differs from the query by " + std::to_string(n) + " rows");
        if (auto n = mismatches(db_, "pst", cols, c_.query); n != 0)
            throw failure(when + ": extension: stream table differs from the query by " + std::to_string(n) + " rows");
        if (auto n = capture_ == capture_mode::wal ? 0 : mismatches(db_, "ist", cols, c_.query); n != 0)
            throw failure(when + ": extension, IMMEDIATE: stream table differs from the query by " + std::to_string(n) + " rows");
        if (!oracle_ok_) return;
        oracle::relation full;
        try {
            full = oracle::evaluate(*graph_, tables_);
        } catch (const pgt::error& e) {
            skip_oracle(e);
            return;
        }
        if (!(full == incremental_->result()))
            throw failure(when + ": oracle: incremental result differs from recomputation");
        load_oracle_result(full);
        if (auto n = mismatches(db_, result_of("oracle_result"), cols, c_.query); n != 0)
            throw failure(when + ": oracle result differs from PostgreSQL by " + std::to_string(n) + " rows");
    }

    void load_oracle_result(const oracle::relation& result) {
        const auto& columns = graph_->query.root->columns;
        std::vector<std::string> defs;
        std::vector<sql_type> types;
        for (const auto& col : columns) {
            types.push_back(col.type.name.empty() ? make_type(type_kind::text) : col.type);
            defs.push_back(sql::ident(col.name) + " " + types.back().name);
        }
        db_.exec("DROP TABLE IF EXISTS oracle_result");
        db_.exec("CREATE TEMP TABLE oracle_result (" + join(defs) + ")");
        std::vector<std::string> rows;
        for (const auto& [r, w] : result) {
            if (w <= 0) throw failure("oracle result has a row with weight " + std::to_string(w));
            std::vector<std::string> vals;
            for (std::size_t i = 0; i < r.cols.size(); ++i) vals.push_back(to_sql_literal(r.cols[i], types[i]));
            for (long long k = 0; k < w; ++k) rows.push_back("(" + join(vals) + ")");
        }
        if (!rows.empty()) db_.exec("INSERT INTO oracle_result VALUES " + join(rows));
    }

    connection& db_;
    const case_spec& c_;
    std::unique_ptr<catalog> catalog_;
    std::optional<circuit> graph_;
    lower::layout layout_;
    lower::options lowering_;
    std::unique_ptr<oracle::incremental> incremental_;
    std::vector<oracle::relation> tables_;
    bool oracle_ok_ = true;
    capture_mode capture_;
};

} // namespace

outcome run_case(connection& db, const case_spec& c, capture_mode capture) {
    try {
        return checker(db, c, capture).run();
    } catch (const failure& f) {
        return {outcome::result::failed, f.what()};
    } catch (const server_error& e) {
        return {outcome::result::failed, std::string("server error ") + e.sqlstate + ": " + e.what()};
    } catch (const pgt::error& e) {
        return {outcome::result::failed, std::string("compiler error ") + e.code() + ": " + e.what()};
    }
}

case_spec shrink(connection& db, case_spec c, capture_mode capture) {
    auto fails = [&](const case_spec& candidate) { return run_case(db, candidate, capture).status == outcome::result::failed; };
    // Remove one element at a time, keeping each removal that still fails.
    auto try_erase = [&](auto& items, auto apply) {
        for (std::size_t i = 0; i < items.size();) {
            auto saved = items;
            items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
            if (apply()) continue;
            items = saved;
            ++i;
        }
    };
    try_erase(c.rounds, [&] { return fails(c); });
    for (auto& round : c.rounds) try_erase(round, [&] { return fails(c); });
    for (auto& t : c.tables) try_erase(t.rows, [&] { return fails(c); });
    return c;
}

void allow_wal_capture(connection& db) {
    if (!db.scalar("SELECT current_setting('output_plugin_libraries', true)")) return;
    db.exec("ALTER SYSTEM SET output_plugin_libraries = 'pgoutput', 'test_decoding', 'pg_trickle'");
    db.exec("SELECT pg_reload_conf()");
    for (int i = 0; i < 200 && db.scalar("SELECT pgtrickle._wal_plugin_allowed()") != "t"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

} // namespace pgt::testing
