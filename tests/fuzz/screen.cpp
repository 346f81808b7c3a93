#include "screen.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "reasons.hpp"

namespace pgt::fuzz {

namespace {

/// Stable functions whose value changes while the tables do not: the clock, the transaction,
/// the backend, statistics, settings (a refresh runs under its own search_path), temporary
/// schemas, storage, and XML dumps of whole tables or schemas (which list the stream tables).
bool reads_server_state(const std::string& name) {
    static const std::set<std::string> names{
        "now", "statement_timestamp", "transaction_timestamp", "age", "mxid_age", "pg_backend_pid",
        "pg_trigger_depth", "pg_current_xact_id", "pg_current_xact_id_if_assigned", "txid_current",
        "txid_current_if_assigned", "txid_current_snapshot", "pg_current_snapshot", "inet_client_addr",
        "inet_client_port", "inet_server_addr", "inet_server_port", "pg_conf_load_time", "pg_postmaster_start_time",
        "current_setting", "current_schema", "current_schemas", "pg_my_temp_schema", "pg_is_other_temp_schema", "pg_relation_filenode",
        "pg_relation_filepath", "pg_filenode_relation"};
    return names.contains(name) || name.starts_with("pg_stat_") || name.starts_with("database_to_xml") ||
           name.starts_with("schema_to_xml") || name.starts_with("table_to_xml");
}

/// Aggregates whose result depends on the order of their input rows.
bool order_sensitive_aggregate(const std::string& name) {
    static const std::set<std::string> names{"array_agg", "string_agg", "json_agg", "jsonb_agg",
                                             "json_object_agg", "jsonb_object_agg", "xmlagg"};
    return names.contains(name);
}

/// Why the functions `query` calls make it unfit, or "".
std::string function_drop_reason(const std::string& query, const volatility_map& volatility) {
    static const std::regex call(R"(\bpg_catalog\.(\w+)\s*\()");
    for (std::sregex_iterator it(query.begin(), query.end(), call), end; it != end; ++it) {
        const std::string name = (*it)[1];
        const auto v = volatility.find(name);
        if (v != volatility.end() && v->second == 'v') return "calls a volatile function";
        if (reads_server_state(name)) return "calls a function of the clock, session or server state";
        if (order_sensitive_aggregate(name)) return "order-sensitive aggregate over unordered input";
    }
    return "";
}

struct dropped {
    std::string reason;
};

/// The result of `query` as sorted row texts (at most max_rows + 1 rows), run in a
/// transaction with `settings`. Floats print with 12 significant digits, as the trials compare.
std::vector<std::string> run(session& db, const std::string& query, const std::string& settings,
                             const screen_limits& limits) {
    db.exec("BEGIN");
    try {
        db.exec("SET LOCAL statement_timeout = " + std::to_string(limits.timeout_ms) + "; SET LOCAL extra_float_digits = -3;" +
                settings);
        auto rows = db.query("SELECT t::text FROM (" + query + ") t LIMIT " + std::to_string(limits.max_rows + 1));
        db.exec("ROLLBACK");
        std::vector<std::string> texts;
        for (const auto& r : rows) texts.push_back(r[0].value_or("NULL"));
        std::ranges::sort(texts);
        return texts;
    } catch (const testing::server_error& e) {
        db.exec("ROLLBACK");
        if (e.sqlstate == "57014") throw dropped{"takes longer than " + std::to_string(limits.timeout_ms) + " ms"};
        throw dropped{"fails in PostgreSQL: " + reason_of(e)};
    }
}

/// The output columns and the relations of `query`, from a temporary view of it.
struct shape {
    std::vector<std::string> columns;
    std::vector<std::string> sources;
    bool pseudo_type = false;
};

shape describe(session& db, const std::string& query) {
    db.exec("BEGIN");
    try {
        db.exec("CREATE TEMP VIEW fz_probe AS " + query);
        shape s;
        for (const auto& r : db.query("SELECT quote_ident(a.attname), t.typtype = 'p' FROM pg_attribute a "
                                      "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = 'fz_probe'::regclass "
                                      "AND a.attnum > 0 ORDER BY a.attnum")) {
            s.columns.push_back(*r[0]);
            s.pseudo_type = s.pseudo_type || r[1] == "t";
        }
        for (const auto& r : db.query("SELECT DISTINCT c.relname FROM pg_rewrite w JOIN pg_depend d ON d.classid = "
                                      "'pg_rewrite'::regclass AND d.objid = w.oid AND d.refclassid = 'pg_class'::regclass "
                                      "JOIN pg_class c ON c.oid = d.refobjid WHERE w.ev_class = 'fz_probe'::regclass "
                                      "AND c.oid <> 'fz_probe'::regclass ORDER BY 1"))
            s.sources.push_back(*r[0]);
        db.exec("ROLLBACK");
        return s;
    } catch (const testing::server_error&) {
        db.exec("ROLLBACK");
        throw;
    }
}

/// `query` with its output columns renamed c0, c1, …: it has as many as the row texts of a
/// one-row outer join with it show.
std::string with_distinct_names(session& db, const std::string& query) {
    const auto row = db.query("SELECT s.* FROM (SELECT) d LEFT JOIN (" + query + ") s ON true LIMIT 1");
    std::string names;
    for (std::size_t i = 0; i < row.at(0).size(); ++i) names += (i ? ", c" : "c") + std::to_string(i);
    return "SELECT * FROM (" + query + ") AS s(" + names + ")";
}

} // namespace

volatility_map load_volatility(session& db) {
    volatility_map m;
    for (const auto& r : db.query("SELECT proname, max(provolatile::text) FROM pg_proc "
                                  "WHERE pronamespace = 'pg_catalog'::regnamespace GROUP BY proname"))
        m[*r[0]] = r[1]->at(0);
    return m;
}

screened screen_query(session& db, const std::string& query, const volatility_map& volatility, const screen_limits& limits) {
    screened out;
    try {
        if (auto reason = function_drop_reason(query, volatility); !reason.empty()) throw dropped{reason};
        const auto first = run(db, query, "", limits);
        if (static_cast<long>(first.size()) > limits.max_rows)
            throw dropped{"result larger than " + std::to_string(limits.max_rows) + " rows"};
        // Another plan: other join and aggregation methods, index scans reading rows in key order.
        const auto second = run(db, query,
                                "SET LOCAL enable_hashjoin = off; SET LOCAL enable_hashagg = off; "
                                "SET LOCAL enable_seqscan = off;",
                                limits);
        if (first != second) throw dropped{"returns other rows under another plan"};
        out.query = query;
        shape s;
        try {
            s = describe(db, query);
        } catch (const testing::server_error& e) {
            if (e.sqlstate != "42701") throw dropped{"cannot be a view: " + reason_of(e)};
            out.query = with_distinct_names(db, query);
            try {
                s = describe(db, out.query);
            } catch (const testing::server_error& again) {
                throw dropped{"cannot be a view: " + reason_of(again)};
            }
        }
        if (s.pseudo_type) throw dropped{"an output column has a pseudo-type"};
        if (s.sources.empty()) throw dropped{"reads no table"};
        out.kept = true;
        out.columns = std::move(s.columns);
        out.sources = std::move(s.sources);
    } catch (const dropped& d) {
        out.drop_reason = d.reason;
    }
    return out;
}

} // namespace pgt::fuzz
