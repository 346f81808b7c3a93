// pgtrickle.metrics() against the Prometheus text exposition format, on a real server: every
// line is a HELP or TYPE comment or a sample of a declared family, label values are escaped
// (a stream table named with a double quote and a backslash), histograms are cumulative with
// +Inf equal to the count, and the counters count what happened — and do not go down when the
// refresh history they come from is pruned. The files of docs/monitoring follow it: every query
// of the postgres_exporter file runs and gives the columns it declares, named as metrics() names
// them; the Grafana dashboard is valid JSON and uses only metrics that metrics() emits.
#include <catch2/catch.hpp>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <chrono>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>

#include "pg_cluster.hpp"

namespace {

using pgt::testing::cluster;
using pgt::testing::cluster_options;
using pgt::testing::connection;

struct sample {
    std::string name, labels;
    double value = 0;
};

/// Parses an exposition; REQUIREs every line to be well formed and every sample's family to
/// have been declared with TYPE before it.
std::vector<sample> parse(const std::string& text, std::map<std::string, std::string>& types) {
    static const std::regex help(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
    static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
    static const std::regex line(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*")*\})? (-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)$)");
    REQUIRE(!text.empty());
    REQUIRE(text.back() == '\n');
    std::vector<sample> out;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) {
        INFO("line: " << l);
        std::smatch m;
        if (std::regex_match(l, m, type)) {
            REQUIRE(types.count(m[1]) == 0);
            types[m[1]] = m[2];
            continue;
        }
        if (std::regex_match(l, help)) continue;
        REQUIRE(std::regex_match(l, m, line));
        std::string family = m[1];
        for (const char* suffix : {"_bucket", "_sum", "_count"})
            if (!types.count(family) && family.size() > std::strlen(suffix) &&
                family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
                family = family.substr(0, family.size() - std::strlen(suffix));
        REQUIRE(types.count(family) == 1);
        out.push_back({m[1], m[2], std::stod(m[3])});
    }
    return out;
}

double value_of(const std::vector<sample>& s, const std::string& name, const std::string& labels) {
    for (const auto& x : s)
        if (x.name == name && x.labels == labels) return x.value;
    FAIL("no sample " << name << labels);
    return 0;
}

std::string read_doc(const std::string& name) {
    std::ifstream in(std::string(PGT_SOURCE_DIR) + "/docs/monitoring/" + name);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Whether `name` is a family of `types` or one of a histogram's series.
bool emitted(const std::map<std::string, std::string>& types, const std::string& name) {
    if (types.count(name)) return true;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::size_t n = std::strlen(suffix);
        if (name.size() > n && name.compare(name.size() - n, n, suffix) == 0) {
            auto it = types.find(name.substr(0, name.size() - n));
            if (it != types.end() && it->second == "histogram") return true;
        }
    }
    return false;
}

/// Runs every query of the postgres_exporter file: it must give exactly the columns its entry
/// lists, and each non-label column must be a metric that metrics() emits too.
void check_exporter_queries(connection& db, const std::map<std::string, std::string>& types) {
    std::istringstream in(read_doc("postgres_exporter_queries.yaml"));
    static const std::regex entry(R"(^([a-z_]+):$)"), column(R"re(^    - ([a-z_]+): \{usage: "([A-Z]+)")re");
    std::string line, name, query;
    std::set<std::string> declared;
    bool in_query = false;
    int entries = 0;
    auto finish = [&] {
        if (name.empty()) return;
        INFO("entry " << name);
        ++entries;
        const auto columns = db.query("SELECT string_agg(key, ',' ORDER BY key) FROM (SELECT DISTINCT jsonb_object_keys(to_jsonb(q)) "
                                      "AS key FROM (" + query + ") q) k");
        std::string want;
        for (const auto& c : declared) want += (want.empty() ? "" : ",") + c;
        // (A query with no rows here is still run: the error would be its text.)
        if (columns.at(0)[0]) CHECK(*columns.at(0)[0] == want);
    };
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, entry)) {
            finish();
            name = m[1];
            query.clear();
            declared.clear();
            in_query = false;
        } else if (line == "  query: |") {
            in_query = true;
        } else if (line == "  metrics:") {
            in_query = false;
        } else if (in_query) {
            query += line + "\n";
        } else if (std::regex_search(line, m, column)) {
            declared.insert(m[1]);
            INFO("metric " << name << "_" << m[1].str());
            if (m[2] != "LABEL") CHECK(emitted(types, name + "_" + m[1].str()));
        }
    }
    finish();
    CHECK(entries == 8);
}

/// The dashboard parses as JSON, and every pgtrickle_ metric its queries use is emitted.
void check_dashboard(const std::map<std::string, std::string>& types) {
    const std::string text = read_doc("grafana_dashboard.json");
    std::istringstream in(text);
    boost::property_tree::ptree tree;
    REQUIRE_NOTHROW(boost::property_tree::read_json(in, tree));
    CHECK(tree.get<std::string>("title") == "pg_trickle");
    static const std::regex metric(R"(pgtrickle_[a-z_]+)");
    int used = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), metric); it != std::sregex_iterator(); ++it, ++used) {
        INFO("dashboard metric " << it->str());
        CHECK(emitted(types, it->str()));
    }
    CHECK(used >= 10);
}

} // namespace

TEST_CASE("pgtrickle.metrics() is valid Prometheus exposition and counts what happened", "[operations]") {
    cluster server(cluster_options{"pg_trickle", {"pg_trickle.scheduler_interval_ms = 200"}});
    auto db = server.connect();
    db.exec("CREATE EXTENSION pg_trickle");
    db.exec("CREATE TABLE t (id int PRIMARY KEY, g int, v int)");
    db.exec("INSERT INTO t SELECT i, i % 3, i FROM generate_series(1, 90) i");
    db.exec("CREATE SCHEMA \"we\\ird\"");
    db.exec("SELECT pgtrickle.create_stream_table('we\\ird.odd\"name', 'SELECT g, sum(v) AS total FROM t GROUP BY g', "
            "schedule => '24h')");
    db.exec("SELECT pgtrickle.create_stream_table('inverse', 'SELECT id, 100 / v AS q FROM t', schedule => '24h')");
    for (int i = 0; i < 3; ++i) {
        db.exec("UPDATE t SET v = v + 1 WHERE id % 10 = " + std::to_string(i));
        db.exec("SELECT pgtrickle.refresh_stream_table('we\\ird.odd\"name')");
    }
    // The scheduler records a failing refresh (division by zero).
    db.exec("UPDATE t SET v = 0 WHERE id = 5");
    db.exec("SELECT pgtrickle.alter_stream_table('inverse', schedule => '1s')");
    for (int i = 0; i < 200 && db.scalar("SELECT consecutive_errors FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'inverse'") == "0"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    db.exec("SELECT pgtrickle.alter_stream_table('inverse', status => 'SUSPENDED')");
    auto count = [&](const std::string& sql) { return std::stod(*db.scalar(sql)); };
    const std::string odd_id = "(SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'odd\"name')";
    const double odd_completed = count("SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'COMPLETED' AND pgt_id = " + odd_id);
    const double odd_inserted = count("SELECT sum(rows_inserted) FROM pgtrickle.pgt_refresh_history WHERE pgt_id = " + odd_id);
    const double inverse_failed = count("SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables "
                                        "USING (pgt_id) WHERE pgt_name = 'inverse' AND h.status = 'FAILED'");
    const double inverse_pending = count("SELECT pending_rows FROM pgtrickle.change_buffer_sizes() WHERE stream_table = 'public.inverse'");

    std::map<std::string, std::string> types;
    const auto samples = parse(*db.scalar("SELECT pgtrickle.metrics()"), types);
    CHECK(types["pgtrickle_refreshes_total"] == "counter");
    CHECK(types["pgtrickle_refresh_duration_seconds"] == "histogram");
    const std::string odd = R"(stream_table="\"we\\ird\".\"odd\"\"name\"")";
    CHECK(odd_completed >= 4); // the initial refresh and three more
    CHECK(value_of(samples, "pgtrickle_refreshes_total", "{" + odd + R"(,result="completed"})") == odd_completed);
    CHECK(inverse_failed >= 1);
    CHECK(value_of(samples, "pgtrickle_refreshes_total", R"({stream_table="public.inverse",result="failed"})") == inverse_failed);
    CHECK(value_of(samples, "pgtrickle_consecutive_errors", R"({stream_table="public.inverse"})") >= 1);
    CHECK(value_of(samples, "pgtrickle_stream_table_info", R"({stream_table="public.inverse",status="SUSPENDED",refresh_mode="DIFFERENTIAL"})") == 1);
    CHECK(value_of(samples, "pgtrickle_refresh_rows_total", "{" + odd + R"(,op="inserted"})") == odd_inserted);
    CHECK(inverse_pending > 0);
    CHECK(value_of(samples, "pgtrickle_pending_changes", R"({stream_table="public.inverse",source_table="public.t"})") == inverse_pending);
    // Histograms: cumulative, +Inf = count.
    std::map<std::string, double> last;
    for (const auto& s : samples) {
        if (s.name != "pgtrickle_refresh_duration_seconds_bucket") continue;
        const std::string series = std::regex_replace(s.labels, std::regex(R"(,le="[^"]*")"), "");
        CHECK(s.value >= last[series]);
        last[series] = s.value;
        if (s.labels.find("le=\"+Inf\"") != std::string::npos)
            CHECK(s.value == value_of(samples, "pgtrickle_refresh_duration_seconds_count", series));
    }
    CHECK(last.size() == 2);
    check_exporter_queries(db, types);
    check_dashboard(types);

    // Pruning the history keeps the counters.
    db.exec("DELETE FROM pgtrickle.pgt_refresh_history");
    std::map<std::string, std::string> again;
    const auto after = parse(*db.scalar("SELECT pgtrickle.metrics()"), again);
    for (const auto& s : samples)
        if (again[s.name] == "counter" || s.name.find("_bucket") != std::string::npos || s.name.find("_count") != std::string::npos)
            CHECK(value_of(after, s.name, s.labels) == s.value);
    db.exec("UPDATE t SET v = v + 1 WHERE id = 1");
    db.exec("SELECT pgtrickle.refresh_stream_table('we\\ird.odd\"name')");
    const auto later = parse(*db.scalar("SELECT pgtrickle.metrics()"), again = {});
    CHECK(value_of(later, "pgtrickle_refreshes_total", "{" + odd + R"(,result="completed"})") == odd_completed + 1);
}
