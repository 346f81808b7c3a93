// Every operator in the SQL lowering generates is named with its schema
// (`OPERATOR(pg_catalog.<>)`): a bare one is resolved along the stream table owner's
// search_path, where another role's schema may hold an exact match (numeric <> integer, which
// pg_catalog lacks) that PostgreSQL would prefer, and run with the owner's rights.
// The hostile_schema regression suite shows the same on a live server.
#include <catch2/catch.hpp>

#include <cctype>
#include <regex>
#include <set>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"
#include "pgt/offline.hpp"

#include "golden_files.hpp"

namespace {

using pgt_test::golden_dir;
using pgt_test::read_file;

bool operator_char(char c) { return std::string_view("+-*/<>=~!@#%^&|?").find(c) != std::string_view::npos; }

/// The word starting at position `i` (upper case), after spaces.
std::string word_after(const std::string& sql, std::size_t i) {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    std::string w;
    while (i < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[i])) || sql[i] == '_'))
        w += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
    return w;
}

/// The last word before position `i` (upper case), skipping spaces.
std::string word_before(const std::string& sql, std::size_t i) {
    while (i > 0 && std::isspace(static_cast<unsigned char>(sql[i - 1]))) --i;
    std::size_t end = i;
    while (i > 0 && (std::isalpha(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_')) --i;
    std::string w = sql.substr(i, end - i);
    for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return w;
}

char significant_before(const std::string& sql, std::size_t i) {
    while (i > 0 && std::isspace(static_cast<unsigned char>(sql[i - 1]))) --i;
    return i > 0 ? sql[i - 1] : '\0';
}

char significant_after(const std::string& sql, std::size_t i) {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    return i < sql.size() ? sql[i] : '\0';
}

/// Whether the quoted identifier ending just before `i` stands alone (`"col"`, not `t."col"`):
/// the target of an UPDATE's or MERGE's SET.
bool set_target_before(const std::string& sql, std::size_t i) {
    while (i > 0 && std::isspace(static_cast<unsigned char>(sql[i - 1]))) --i;
    if (i == 0 || sql[i - 1] != '"') return false;
    std::size_t open = sql.rfind('"', i - 2);
    return open != std::string::npos && (open == 0 || sql[open - 1] != '.');
}

/// The operators of `sql` not written OPERATOR(schema.op), with some context; quoted names,
/// literals, comments, casts (::), `*` of SELECT * / count(*) / t.* / … * FROM, negative literals and the
/// `=` of SET lists are not operators.
std::vector<std::string> bare_operators(const std::string& sql) {
    std::vector<std::string> found;
    for (std::size_t i = 0; i < sql.size();) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            std::size_t j = i + 1;
            while (j < sql.size() && !(sql[j] == c && (j + 1 >= sql.size() || sql[j + 1] != c))) j += sql[j] == c ? 2 : 1;
            i = j + 1;
            continue;
        }
        if (sql.compare(i, 2, "--") == 0) {
            i = sql.find('\n', i);
            if (i == std::string::npos) break;
            continue;
        }
        if (sql.compare(i, 9, "OPERATOR(") == 0) {
            i = sql.find(')', i) + 1;
            continue;
        }
        if (sql.compare(i, 2, "::") == 0) {
            i += 2;
            continue;
        }
        if (!operator_char(c)) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < sql.size() && operator_char(sql[j]) && sql.compare(j, 2, "--") != 0) ++j;
        const std::string token = sql.substr(i, j - i);
        const char before = significant_before(sql, i), after = significant_after(sql, j);
        const std::string word = word_before(sql, i);
        const bool star = token == "*" && (before == '(' || before == '.' || word == "SELECT" || word == "DISTINCT" || after == ')' ||
                                           word_after(sql, j) == "FROM");
        const bool negative_literal = token == "-" && std::isdigit(static_cast<unsigned char>(after)) &&
                                      (before == '(' || before == ',' || word == "SELECT" || word == "THEN" || word == "ELSE");
        const bool set_item = token == "=" && set_target_before(sql, i);
        if (!star && !negative_literal && !set_item)
            found.push_back(token + "  in  …" + sql.substr(i >= 60 ? i - 60 : 0, std::min<std::size_t>(i, 60) + 40) + "…");
        i = j;
    }
    return found;
}

struct lowered_statements {
    std::vector<std::string> all;
};

lowered_statements lower_everything(const std::string& query) {
    auto catalog = pgt::offline::load_schema(read_file(golden_dir + "schema.sql"));
    auto compiled = pgt::offline::compile(query, *catalog);
    INFO(query);
    REQUIRE(compiled.query);
    const auto graph = pgt::build_circuit(*compiled.query);
    lowered_statements out;
    std::vector<pgt::lower::source_changes> changes;
    for (const auto& t : graph.sources) changes.push_back({"\"changes\".\"" + t->name + "\"", true});
    out.all.push_back(pgt::lower::full_load_sql(graph));
    // As the extension runs it: with the state tables of stored aggregates and recursions, and
    // IMMEDIATE's MERGE.
    pgt::lower::options stored;
    for (const auto& s : pgt::lower::aggregate_states(graph)) {
        stored.aggregate_states[s.node] = "\"state_n" + std::to_string(s.node) + "\"";
        out.all.push_back(s.select);
    }
    out.all.push_back(pgt::lower::delta_sql(graph, changes, "\"st\"", stored).statement);
    // As over Citus sources, and into a distributed stream table where one may be.
    pgt::lower::options uncorrelated = stored;
    uncorrelated.uncorrelated_rescans = true;
    out.all.push_back(pgt::lower::delta_sql(graph, changes, "\"st\"", uncorrelated).statement);
    pgt::lower::options staged = uncorrelated;
    staged.stage_table = "pg_temp.\"stage\"";
    const auto stage = pgt::lower::delta_sql(graph, changes, "\"st\"", staged);
    for (const auto* sql : {&stage.stage_select, &stage.stage_fill, &stage.statement})
        if (!sql->empty()) out.all.push_back(*sql);
    if (!pgt::lower::why_not_distributable(graph)) {
        pgt::lower::options distributed = uncorrelated;
        distributed.distribution_column = graph.query.root->columns.front().name;
        out.all.push_back(pgt::lower::delta_sql(graph, changes, "\"st\"", distributed).statement);
        distributed.shard_values_param = 9;
        out.all.push_back(pgt::lower::delta_sql(graph, changes, "\"st\"", distributed).statement);
    }
    // As a refresh runs it: a data exception recomputes the stream table.
    pgt::lower::options recomputing = stored;
    recomputing.data_exception_recomputes = true;
    out.all.push_back(pgt::lower::delta_sql(graph, changes, "\"st\"", recomputing).statement);
    pgt::lower::options merged = stored;
    merged.merge = true;
    const auto plan = pgt::lower::delta_sql(graph, changes, "\"st\"", merged);
    out.all.push_back(plan.statement);
    for (std::size_t s = 0; s < graph.sources.size(); ++s) {
        if (!pgt::lower::single_row_maintainable(graph, s)) continue;
        std::vector<pgt::lower::source_changes> one = changes;
        one[s] = {"\"one_row\"", true, true, 1};
        const auto single = pgt::lower::delta_sql(graph, one, "\"st\"", merged);
        out.all.push_back(single.statement);
        out.all.push_back(single.update_first);
        out.all.push_back(pgt::lower::single_row_pair_update(graph, s, "\"first\"", "\"second\"", "\"st\"", merged));
    }
    if (graph.query.topk) {
        out.all.push_back(pgt::lower::topk_statement(graph, "\"state\"", "\"st\""));
        out.all.push_back(pgt::lower::topk_state_load(graph));
        out.all.push_back(pgt::lower::topk_state_count(graph, "\"state\""));
        out.all.push_back(pgt::lower::topk_state_trim(graph, "\"state\""));
    }
    return out;
}

} // namespace

TEST_CASE("lower: generated SQL names every operator by schema", "[lower][operators]") {
    const char* queries[] = {
        "SELECT id, amount * 2 AS doubled FROM orders WHERE status = 'paid'",
        "SELECT status, count(*) AS n, avg(amount) AS a, min(amount) AS lo FROM orders GROUP BY status HAVING count(*) > 1",
        "SELECT customer_id, sum(amount) AS t, variance(amount) AS v, stddev_samp(amount) AS sd, bool_or(amount > 10.0) AS b, "
        "bit_xor(id) AS x, max(status) AS m FROM orders GROUP BY customer_id",
        "SELECT sum(amount) AS t, count(status) AS n, avg(id) AS a FROM orders",
        "SELECT status, sum(amount / 3) AS t, avg(amount * amount) AS a FROM orders GROUP BY status",
        "SELECT status, mode() WITHIN GROUP (ORDER BY amount) AS m, percentile_disc(0.5) WITHIN GROUP (ORDER BY id) AS p "
        "FROM orders GROUP BY status",
        "SELECT customer_id, sum(amount) FILTER (WHERE status = 'paid') AS paid, count(DISTINCT status) AS k FROM orders "
        "GROUP BY customer_id",
        "SELECT c.name, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id",
        "SELECT c.name, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id",
        "SELECT c.name, o.amount FROM customers c FULL JOIN orders o ON o.customer_id = c.id AND o.amount > 1.0",
        "SELECT DISTINCT kind FROM events",
        "SELECT DISTINCT status, customer_id FROM orders",
        "SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM events",
        "SELECT customer_id FROM orders UNION SELECT customer_id FROM events",
        "SELECT customer_id FROM orders INTERSECT ALL SELECT customer_id FROM events",
        "SELECT customer_id FROM orders EXCEPT SELECT customer_id FROM events",
        "SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
        "SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 5.0)",
        "SELECT id FROM customers WHERE id IN (SELECT customer_id FROM events)",
        "SELECT id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c",
        "SELECT id, amount FROM orders WHERE amount > (SELECT avg(amount) FROM orders)",
        "SELECT n, count(*) AS c FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) s GROUP BY n",
        "SELECT id, customer_id, sum(amount) OVER (PARTITION BY customer_id) AS t, "
        "rank() OVER (PARTITION BY customer_id ORDER BY amount, id) AS r FROM orders",
        "SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 5",
        "SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT 3",
        "SELECT DISTINCT ON (customer_id) customer_id, id, amount FROM orders ORDER BY customer_id, amount DESC, id",
        "WITH RECURSIVE tree AS (SELECT id, name, parent_id, name AS path, 0 AS depth FROM departments WHERE parent_id IS NULL "
        "UNION ALL SELECT d.id, d.name, d.parent_id, tree.path || ' > ' || d.name, tree.depth + 1 FROM departments d JOIN tree "
        "ON d.parent_id = tree.id) SELECT id, path, depth FROM tree",
        "WITH RECURSIVE up(id, ancestor) AS (SELECT id, parent_id FROM departments UNION SELECT up.id, d.parent_id FROM up "
        "JOIN departments d ON d.id = up.ancestor) SELECT id, ancestor FROM up WHERE ancestor IS NOT NULL",
    };
    for (const char* q : queries) {
        for (const auto& statement : lower_everything(q).all) {
            INFO(q);
            INFO(statement);
            CHECK(bare_operators(statement) == std::vector<std::string>{});
        }
    }
}

namespace {
/// The pg_catalog functions `statement` calls (not a type's modifier: `AS pg_catalog.numeric(12,2)`).
std::set<std::string> catalog_functions(const std::string& statement) {
    std::set<std::string> names;
    static const std::regex call(R"((AS )?pg_catalog\.([a-z_0-9]+)\()");
    for (auto it = std::sregex_iterator(statement.begin(), statement.end(), call); it != std::sregex_iterator(); ++it)
        if (!(*it)[1].matched) names.insert((*it)[2].str());
    return names;
}

/// The function names hostile_schema.sql shadows (its `funcs` array).
std::set<std::string> shadowed_functions() {
    const std::string text = read_file(std::string(PGT_TEST_DATA_DIR) + "/../../../regress/sql/hostile_schema.sql");
    const std::string head = "funcs text[] := ARRAY[";
    const auto start = text.find(head) + head.size();
    const auto end = text.find(']', start);
    std::set<std::string> names;
    static const std::regex quoted("'([a-z_0-9]+)'");
    const std::string list = text.substr(start, end - start);
    for (auto it = std::sregex_iterator(list.begin(), list.end(), quoted); it != std::sregex_iterator(); ++it) names.insert((*it)[1].str());
    return names;
}
} // namespace

TEST_CASE("lower: the hostile-schema suite shadows every function generated SQL calls", "[lower][operators]") {
    auto shadowed = shadowed_functions();
    // pg_catalog.count takes "any": a count(integer) anywhere on the path is a closer match for
    // the defining query's own count(x), which the suite keeps to exact pg_catalog calls.
    shadowed.insert("count");
    REQUIRE(shadowed.size() > 10);
    for (const char* q : {"SELECT status, count(*) AS n, avg(amount) AS a, min(amount) AS lo FROM orders GROUP BY status HAVING count(*) > 1",
                          "SELECT customer_id, sum(amount) AS t, variance(amount) AS v, stddev_samp(amount) AS sd, bool_or(amount > 10.0) AS b, "
                          "bit_xor(id) AS x, max(status) AS m FROM orders GROUP BY customer_id",
                          "SELECT status, sum(amount / 3) AS t, avg(amount * amount) AS a FROM orders GROUP BY status",
                          "SELECT c.name, o.amount FROM customers c FULL JOIN orders o ON o.customer_id = c.id AND o.amount > 1.0",
                          "SELECT DISTINCT status, customer_id FROM orders",
                          "SELECT customer_id FROM orders INTERSECT ALL SELECT customer_id FROM events",
                          "SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
                          "SELECT n, count(*) AS c FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id) s GROUP BY n",
                          "SELECT id, customer_id, rank() OVER (PARTITION BY customer_id ORDER BY amount, id) AS r FROM orders",
                          "SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id ORDER BY n DESC, customer_id LIMIT 3",
                          "WITH RECURSIVE up(id, ancestor) AS (SELECT id, parent_id FROM departments UNION SELECT up.id, d.parent_id FROM up "
                          "JOIN departments d ON d.id = up.ancestor) SELECT id, ancestor FROM up WHERE ancestor IS NOT NULL"}) {
        for (const auto& statement : lower_everything(q).all)
            for (const auto& name : catalog_functions(statement)) {
                INFO(q);
                INFO(name);
                CHECK(shadowed.contains(name));
            }
    }
}

TEST_CASE("lower: the bare-operator check finds bare operators", "[lower][operators]") {
    CHECK(bare_operators("SELECT a.x + 1, count(*), t.*, -1 FROM t WHERE \"a<>b\" IS NULL -- x < y\n").size() == 1);
    CHECK(bare_operators("UPDATE t SET \"n\" = d.\"n\" WHERE (t.a OPERATOR(pg_catalog.<>) 0)").empty());
    CHECK(bare_operators("SELECT 'a = b', x::pg_catalog.int8 FROM t WHERE t.\"w\" < 0").size() == 1);
}
