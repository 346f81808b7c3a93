#include "harness.hpp"

namespace pgt::fuzz {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string r;
    for (std::size_t i = 0; i < v.size(); ++i) r += (i ? sep : "") + v[i];
    return r;
}

void restore_sources(session& db, const std::vector<std::string>& tables) {
    db.exec("SELECT pgtrickle.drop_stream_table(pgt_schema || '.' || pgt_name) FROM pgtrickle.pgt_stream_tables");
    db.exec("TRUNCATE " + join(tables));
    for (const auto& t : tables) db.exec("INSERT INTO " + t + " SELECT * FROM fz_init." + t);
}

void keep_initial_rows(session& db, const std::vector<std::string>& tables) {
    db.exec("CREATE SCHEMA fz_init");
    for (const auto& t : tables) db.exec("CREATE TABLE fz_init." + t + " AS SELECT * FROM " + t);
}

std::string create_call(const std::string& name, const std::string& query, const std::string& mode,
                        const std::string& immediate_schedule) {
    const std::string schedule = mode == "IMMEDIATE" ? immediate_schedule : ", schedule => '24h'";
    return "SELECT pgtrickle.create_stream_table(name => '" + name + "', query => $fzq$" + query + "$fzq$" + schedule +
           ", refresh_mode => '" + mode + "')";
}

void refresh(session& db, const std::string& name) { db.exec("SELECT pgtrickle.refresh_stream_table('" + name + "')"); }

bool evaluate_expected(session& db, const std::string& query) {
    db.exec("DROP TABLE IF EXISTS fz_expected");
    db.exec("BEGIN");
    try {
        db.exec("SET LOCAL extra_float_digits = -3");
        db.exec("CREATE TEMP TABLE fz_expected AS SELECT t::text AS r FROM (" + query + ") t");
        db.exec("COMMIT");
        return true;
    } catch (const testing::server_error&) {
        db.exec("ROLLBACK");
        return false;
    }
}

long long mismatches(session& db, const std::string& name, const std::vector<std::string>& columns) {
    const std::string stored = "SELECT t::text FROM (SELECT " + join(columns) + " FROM " + name + ") t";
    db.exec("BEGIN");
    try {
        db.exec("SET LOCAL extra_float_digits = -3");
        const auto n = db.scalar("SELECT count(*) FROM ((SELECT r FROM fz_expected EXCEPT ALL " + stored + ") UNION ALL (" +
                                 stored + " EXCEPT ALL SELECT r FROM fz_expected)) d");
        db.exec("COMMIT");
        return std::stoll(n.value_or("0"));
    } catch (const testing::server_error&) {
        db.exec("ROLLBACK");
        throw;
    }
}

} // namespace pgt::fuzz
