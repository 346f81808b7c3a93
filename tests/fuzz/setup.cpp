#include "setup.hpp"

#include "harness.hpp"
#include "reasons.hpp"

namespace pgt::fuzz {

server start_server(const schema& s, int workers) {
    server out;
    out.cluster = std::make_unique<testing::cluster>(testing::cluster_options{"pg_trickle", {}});
    auto admin = out.cluster->connect();
    admin.exec("CREATE DATABASE fz_smith");
    {
        auto smith = out.cluster->connect("fz_smith");
        smith.exec(s.ddl());
        smith.exec(s.rows_sql);
    }
    std::vector<std::string> tables;
    for (const auto& t : s.tables) tables.push_back(t.name);
    for (int w = 0; w < workers; ++w) {
        const std::string db = "fz_w" + std::to_string(w);
        admin.exec("CREATE DATABASE " + db + " TEMPLATE fz_smith");
        session worker(out.cluster->conninfo(db));
        worker.exec("CREATE EXTENSION pg_trickle");
        keep_initial_rows(worker, tables);
        out.worker_conninfos.push_back(worker.conninfo());
    }
    out.smith_conninfo = out.cluster->conninfo("fz_smith");
    return out;
}

std::map<std::pair<std::string, std::string>, column_info> load_columns(const std::string& conninfo) {
    session db(conninfo);
    std::map<std::pair<std::string, std::string>, column_info> columns;
    for (const auto& r : db.query("SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                                  "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace "
                                  "AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped")) {
        bool has_min_max = true;
        try {
            db.query("SELECT min(" + *r[1] + "), max(" + *r[1] + ") FROM " + *r[0] + " WHERE false");
        } catch (const testing::server_error&) {
            has_min_max = false;
        }
        columns[{*r[0], *r[1]}] = {*r[2], has_min_max};
    }
    return columns;
}

std::string immediate_schedule(session& db, const schema& s, std::string& refusal) {
    try {
        db.exec_rolled_back("SELECT pgtrickle.create_stream_table(name => 'fz_schedule_probe', query => 'SELECT 1 AS x FROM " +
                            s.tables.front().name + "', schedule => NULL, refresh_mode => 'IMMEDIATE')");
        return ", schedule => NULL";
    } catch (const testing::server_error& e) {
        refusal = reason_of(e);
        return "";
    }
}

} // namespace pgt::fuzz
