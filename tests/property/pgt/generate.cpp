// Random schemas, data, queries and DML for the end-to-end property tests. Domains are small
// and NULL-heavy so that groups collide, joins match, duplicates occur and three-valued logic
// is exercised. Queries come from a grammar over the SQL the compiler maintains; float values
// are multiples of 1/4, so that sums are exact whatever the order of addition.
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "case.hpp"

namespace pgt::testing {

namespace {

enum class kind { int4, int8, numeric, text, boolean, float8, date };

struct column {
    std::string name;
    kind k;
};

struct table_def {
    std::string name;
    bool keyed;
    std::vector<column> cols; // after the key: "k" int4 (join key) first
};

const char* sql_type(kind k) {
    switch (k) {
    case kind::int4: return "int";
    case kind::int8: return "bigint";
    case kind::numeric: return "numeric(7,2)";
    case kind::text: return "text";
    case kind::boolean: return "boolean";
    case kind::float8: return "double precision";
    case kind::date: return "date";
    }
    return "int";
}

class gen {
public:
    explicit gen(std::uint64_t seed) : rng_(seed) {}

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1))]; }

    std::string value(kind k, double null_rate = 0.2) {
        if (chance(null_rate)) return "NULL";
        switch (k) {
        case kind::int4: return std::to_string(uniform(-2, 5));
        case kind::int8: return std::to_string(uniform(0, 4)) + "000000000";
        case kind::numeric: return pick<std::string>({"-1.50", "0", "0.25", "1.10", "2.50", "10.00", "3.33"});
        case kind::text: return pick<std::string>({"'a'", "'b'", "'ab'", "'B'", "'a%c'", "''", "'b b'"});
        case kind::boolean: return chance(0.5) ? "true" : "false";
        case kind::float8: return pick<std::string>({"-1.25", "0", "0.5", "2.75", "4"});
        case kind::date: return "DATE '2024-01-0" + std::to_string(uniform(1, 6)) + "'";
        }
        return "NULL";
    }

    std::mt19937_64& engine() { return rng_; }

private:
    std::mt19937_64 rng_;
};

std::vector<table_def> random_schema(gen& g) {
    std::vector<table_def> tables;
    const std::vector<kind> pool{kind::int4, kind::int8, kind::numeric, kind::text, kind::boolean, kind::float8, kind::date};
    for (int t = 0; t < 3; ++t) {
        table_def d;
        d.name = "t" + std::to_string(t);
        d.keyed = t < 2 ? g.chance(0.8) : g.chance(0.2);
        d.cols.push_back({"k", kind::int4});
        d.cols.push_back({"s", kind::text});
        const int extra = g.uniform(1, 3);
        for (int i = 0; i < extra; ++i) d.cols.push_back({"c" + std::to_string(i), g.pick(pool)});
        tables.push_back(std::move(d));
    }
    return tables;
}

/// A column visible to an expression: `alias.name` and its kind.
struct ref {
    std::string sql;
    kind k;
};
using scope = std::vector<ref>;

class query_gen {
public:
    query_gen(gen& g, const std::vector<table_def>& tables) : g_(g), tables_(tables) {}

    std::string query() {
        const int shape = g_.uniform(0, 13);
        if (shape == 4) return recursive_query();
        if (shape == 0) return set_operation();
        if (shape == 1) return nested_aggregate();
        if (shape == 2) return lateral_query();
        if (shape == 3) return window_query();
        if (shape == 5) return topk_query();
        if (shape == 6) return nested_scopes_query();
        if (shape == 7) return constant_rows_query();
        scope s;
        std::string from = from_clause(s);
        return select_block(s, from, g_.chance(0.5));
    }

private:
    std::vector<ref> of_kind(const scope& s, std::function<bool(kind)> pred) {
        std::vector<ref> r;
        for (const auto& c : s)
            if (pred(c.k)) r.push_back(c);
        return r;
    }
    static bool numeric_kind(kind k) { return k == kind::int4 || k == kind::int8 || k == kind::numeric; }
    static bool groupable(kind k) { return k != kind::float8; }

    std::string table_ref(const table_def& t, const std::string& alias, scope& s) {
        for (const auto& c : t.cols) s.push_back({alias + "." + c.name, c.k});
        if (t.keyed) s.push_back({alias + ".id", kind::int4});
        return t.name + " " + alias;
    }

    std::string from_clause(scope& s) {
        const int joins = g_.uniform(0, 2);
        std::string from = table_ref(g_.pick(tables_), "a", s);
        for (int j = 1; j <= joins; ++j) {
            const std::string alias(1, static_cast<char>('a' + j));
            const std::string prev(1, static_cast<char>('a' + g_.uniform(0, j - 1)));
            scope right;
            std::string tr = table_ref(g_.pick(tables_), alias, right);
            static const std::vector<std::string> kinds{"JOIN", "JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"};
            const std::string join_kind = g_.pick(kinds);
            std::string cond = prev + ".k = " + alias + ".k";
            // PostgreSQL runs FULL JOIN only on hash- or merge-joinable conditions.
            if (join_kind != "FULL JOIN" && g_.chance(0.2)) cond += " AND " + predicate(right, 0);
            from += " " + join_kind + " " + tr + " ON " + cond;
            s.insert(s.end(), right.begin(), right.end());
        }
        return from;
    }

    std::string scalar(const scope& s, kind want, int depth) {
        auto cols = of_kind(s, [&](kind k) { return k == want || (want == kind::int4 && k == kind::int4); });
        const int choice = depth > 1 ? 0 : g_.uniform(0, 6);
        if (cols.empty() || choice == 6) return g_.value(want, 0.1);
        const std::string c = g_.pick(cols).sql;
        switch (want) {
        case kind::int4:
        case kind::int8:
        case kind::numeric:
            switch (choice) {
            case 1: return "(" + c + " + " + scalar(s, want, depth + 1) + ")";
            case 2: return "(" + c + " * 2)";
            case 3: return "COALESCE(" + c + ", " + g_.value(want, 0) + ")";
            case 4: return "CASE WHEN " + predicate(s, depth + 1) + " THEN " + c + " ELSE " + g_.value(want, 0.3) + " END";
            case 5: return want == kind::numeric ? "round(" + c + ", 1)" : "GREATEST(" + c + ", 0)";
            default: return c;
            }
        case kind::text:
            switch (choice) {
            case 1: return "upper(" + c + ")";
            case 2: return "(" + c + " || 'x')";
            case 3: return "NULLIF(" + c + ", 'a')";
            case 4: return "COALESCE(" + c + ", '?')";
            default: return c;
            }
        default: return c;
        }
    }

    std::string predicate(const scope& s, int depth) {
        const int choice = depth > 1 ? g_.uniform(0, 3) : g_.uniform(0, sublink_depth_ < 2 ? 11 : 9);
        if (choice >= 10) return sublink_predicate(s);
        if (choice == 9) return operator_family_predicate(s);
        auto any = g_.pick(s);
        switch (choice) {
        case 0:
        case 1: {
            static const std::vector<std::string> ops{"=", "<>", "<", "<=", ">", ">="};
            if (any.k == kind::boolean) return any.sql + (g_.chance(0.5) ? "" : " IS NOT TRUE");
            return any.sql + " " + g_.pick(ops) + " " + g_.value(any.k, 0.05);
        }
        case 2: return any.sql + (g_.chance(0.5) ? " IS NULL" : " IS NOT NULL");
        case 3: {
            auto nums = of_kind(s, numeric_kind);
            if (nums.empty()) return "true";
            auto c = g_.pick(nums);
            return c.sql + (g_.chance(0.3) ? " NOT" : "") + " BETWEEN " + g_.value(c.k, 0) + " AND " + g_.value(c.k, 0);
        }
        case 4: {
            auto texts = of_kind(s, [](kind k) { return k == kind::text; });
            if (texts.empty()) return "true";
            return g_.pick(texts).sql + (g_.chance(0.3) ? " NOT LIKE 'a%'" : " LIKE '%b%'");
        }
        case 5: return "(" + predicate(s, depth + 1) + " AND " + predicate(s, depth + 1) + ")";
        case 6: return "(" + predicate(s, depth + 1) + " OR " + predicate(s, depth + 1) + ")";
        case 7: return "NOT (" + predicate(s, depth + 1) + ")";
        default:
            return any.sql + (g_.chance(0.3) ? " NOT IN (" : " IN (") + g_.value(any.k, 0.2) + ", " + g_.value(any.k, 0) +
                   ")";
        }
    }

    /// Operators beyond comparisons and arithmetic, which the compiler resolves through the
    /// catalog: regular expressions, bitwise operators, array overlap and containment, a type
    /// spelled two ways.
    std::string operator_family_predicate(const scope& s) {
        auto texts = of_kind(s, [](kind k) { return k == kind::text; });
        auto ints = of_kind(s, [](kind k) { return k == kind::int4; });
        switch (g_.uniform(0, 4)) {
        case 0:
            if (texts.empty()) return "true";
            return g_.pick(texts).sql + g_.pick<std::string>({" ~ '^a'", " !~* 'B'", " ~ 'b$'", " ~* '^[ab]+$'"});
        case 1:
            if (ints.empty()) return "true";
            return "(" + g_.pick(ints).sql + g_.pick<std::string>({" & 1", " | 2", " # 3", " << 1", " >> 1"}) + ") > 1";
        case 2:
            if (texts.empty()) return "true";
            return "('{' || " + g_.pick(texts).sql + " || '}')::text[]" +
                   g_.pick<std::string>({" && '{a,b}'", " @> '{b}'", " <@ '{a,b,ab}'"});
        case 3:
            if (ints.empty()) return "true";
            return "('{' || " + g_.pick(ints).sql + " || '}')::int[] <@ '{1,2,3}'::int[]";
        default:
            if (texts.empty()) return "true";
            return g_.pick(texts).sql + "::varchar = 'a'::text";
        }
    }

    /// A fresh alias for a subquery's table.
    std::string next_alias() { return "z" + std::to_string(next_alias_++); }

    /// `inner.k = outer.k`-style correlation with a column of the outer scope.
    /// Sometimes unqualified: `k` names the subquery's own column, which hides the outer
    /// levels' columns of the same name.
    std::string correlation(const scope& outer, const std::string& alias) {
        auto ints = of_kind(outer, [](kind k) { return k == kind::int4; });
        if (ints.empty() || g_.chance(0.15)) return "true";
        return (g_.chance(0.3) ? std::string("k") : alias + ".k") + " = " + g_.pick(ints).sql;
    }

    /// EXISTS, IN, op ANY/ALL and scalar subqueries, correlated or not, nested at most twice.
    std::string sublink_predicate(const scope& outer) {
        ++sublink_depth_;
        scope inner;
        const std::string z = next_alias();
        const std::string from = table_ref(g_.pick(tables_), z, inner);
        scope both = inner;
        both.insert(both.end(), outer.begin(), outer.end());
        const std::string corr = correlation(outer, z);
        const std::string extra = g_.chance(0.4) ? " AND " + predicate(both, 1) : "";
        std::string r;
        switch (g_.uniform(0, 5)) {
        case 0: r = std::string(g_.chance(0.5) ? "NOT " : "") + "EXISTS (SELECT 1 FROM " + from + " WHERE " + corr + extra + ")"; break;
        case 1:
        case 2: {
            // x [NOT] IN (SELECT y …), with NULLs on both sides.
            const auto& x = g_.pick(outer);
            auto same = of_kind(inner, [&](kind k) { return k == x.k; });
            if (same.empty()) {
                r = "true";
                break;
            }
            r = x.sql + (g_.chance(0.5) ? " NOT IN" : " IN") + " (SELECT " + g_.pick(same).sql + " FROM " + from + " WHERE " +
                (g_.chance(0.5) ? corr : "true") + extra + ")";
            break;
        }
        case 3: {
            auto nums = of_kind(outer, numeric_kind);
            auto inner_nums = of_kind(inner, numeric_kind);
            if (nums.empty() || inner_nums.empty()) { r = "true"; break; }
            static const std::vector<std::string> ops{"=", "<>", "<", ">="};
            r = g_.pick(nums).sql + " " + g_.pick(ops) + (g_.chance(0.5) ? " ANY" : " ALL") + " (SELECT " + g_.pick(inner_nums).sql +
                " FROM " + from + " WHERE " + corr + extra + ")";
            break;
        }
        case 4: {
            // A correlated scalar aggregate, compared.
            auto nums = of_kind(inner, numeric_kind);
            const std::string agg = nums.empty() || g_.chance(0.3) ? "count(*)" : (g_.chance(0.5) ? "sum(" : "max(") + g_.pick(nums).sql + ")";
            r = "(SELECT " + agg + " FROM " + from + " WHERE " + corr + extra + ") " + (g_.chance(0.5) ? ">" : "<=") + " " +
                std::to_string(g_.uniform(0, 3));
            break;
        }
        default: {
            // IN over a subquery that has a correlated subquery of its own.
            auto ints = of_kind(outer, [](kind k) { return k == kind::int4; });
            const std::string w = next_alias();
            scope deeper;
            const std::string from2 = table_ref(g_.pick(tables_), w, deeper);
            r = (ints.empty() ? std::string("1") : g_.pick(ints).sql) + " IN (SELECT " + z + ".k FROM " + from +
                " WHERE EXISTS (SELECT 1 FROM " + from2 + " WHERE " + w + ".k = " + z + ".k" +
                (g_.chance(0.5) ? " AND " + w + ".s = " + g_.pick(outer).sql + "::text" : "") + "))";
        }
        }
        --sublink_depth_;
        return r;
    }

    /// A correlated scalar subquery for the select list.
    std::string scalar_subquery(const scope& outer) {
        scope inner;
        const std::string z = next_alias();
        const auto& t = g_.pick(tables_);
        const std::string from = table_ref(t, z, inner);
        auto ints = of_kind(outer, [](kind k) { return k == kind::int4; });
        const std::string key = ints.empty() ? "1" : g_.pick(ints).sql;
        if (t.keyed && g_.chance(0.4))
            return "(SELECT " + g_.pick(inner).sql + " FROM " + from + " WHERE " + z + ".id = " + key + ")"; // at most one row
        auto nums = of_kind(inner, numeric_kind);
        const std::string agg = nums.empty() || g_.chance(0.3) ? "count(*)" : (g_.chance(0.5) ? "sum(" : "min(") + g_.pick(nums).sql + ")";
        return "(SELECT " + agg + " FROM " + from + " WHERE " + z + ".k = " + key + ")";
    }

    /// A LATERAL subquery inside an EXISTS, reading the EXISTS level's table and the outer
    /// query's, under aliases and column names the levels share; or a RIGHT join whose ON
    /// clause reads the outer query's row, under an EXISTS or a LATERAL.
    std::string nested_scopes_query() {
        scope s;
        const std::string from = table_ref(g_.pick(tables_), "a", s);
        const std::string z = next_alias(), y = next_alias();
        const auto& mid = g_.pick(tables_);
        const auto& deep = g_.pick(tables_);
        const std::string outer_ref = g_.chance(0.5) ? "a.k" : "a.s";
        const std::string mid_ref = outer_ref == "a.k" ? z + ".k" : z + ".s";
        const std::string deep_cond = outer_ref == "a.k" ? "k = " + outer_ref + " AND " + y + ".k >= " + mid_ref
                                                         : y + ".s = " + outer_ref + " AND k = " + z + ".k";
        if (g_.chance(0.4)) {
            // A RIGHT join whose ON clause reads the outer row: the rows of its right input
            // are kept per outer row, padded where nothing matches.
            const std::string on = z + ".k = " + y + ".k AND " + (outer_ref == "a.k" ? z + ".k > a.k" : z + ".s = a.s");
            const std::string joined = mid.name + " " + z + " RIGHT JOIN " + deep.name + " " + y + " ON " + on;
            if (g_.chance(0.5))
                return "SELECT a.k, l.n, l.m FROM " + from + ", LATERAL (SELECT count(" + z + ".k) AS n, count(*) AS m FROM " + joined + ") l";
            return "SELECT a.k, a.s FROM " + from + " WHERE " + (g_.chance(0.3) ? "NOT " : "") + "EXISTS (SELECT 1 FROM " + joined +
                   " WHERE " + z + ".k IS NULL OR " + y + ".k >= a.k)";
        }
        return "SELECT a.k, a.s FROM " + from + " WHERE " + (g_.chance(0.3) ? "NOT " : "") + "EXISTS (SELECT 1 FROM " + mid.name + " " +
               z + ", LATERAL (SELECT " + y + ".k FROM " + deep.name + " " + y + " WHERE " + deep_cond + ") l)";
    }

    std::string lateral_query() {
        scope s;
        std::string from = table_ref(g_.pick(tables_), "a", s);
        scope inner;
        const std::string z = next_alias();
        const std::string inner_from = table_ref(g_.pick(tables_), z, inner);
        const std::string filter = g_.chance(0.4) ? " AND " + predicate(inner, 1) : "";
        if (g_.chance(0.3)) {
            // A set-returning function over the row's columns (k may be NULL: no rows).
            const std::string series = "generate_series(" + std::to_string(g_.uniform(-1, 1)) + ", a.k % 4" +
                                       (g_.chance(0.3) ? ", " + std::string(g_.chance(0.5) ? "1" : "2") : "") + ")";
            const std::string ord = g_.chance(0.4) ? " WITH ORDINALITY" : "";
            const std::string cols = ord.empty() ? "g(v)" : "g(v, o)";
            if (g_.chance(0.3))
                return "SELECT a.k, count(*) AS n, sum(g.v) AS total FROM " + from + ", " + series + ord + " AS " + cols +
                       " GROUP BY a.k";
            return "SELECT a.k, a.s, g.*  FROM " + from + (g_.chance(0.3) ? " LEFT JOIN LATERAL " + series + ord + " AS " + cols + " ON true"
                                                                         : ", " + series + ord + " AS " + cols) +
                   (g_.chance(0.4) ? " WHERE g.v <> 0" : "");
        }
        if (g_.chance(0.5)) {
            auto nums = of_kind(inner, numeric_kind);
            const std::string agg = nums.empty() ? "count(" + z + ".s)" : "sum(" + g_.pick(nums).sql + ")";
            return "SELECT a.k, a.s, l.n, l.v FROM " + from + ", LATERAL (SELECT count(*) AS n, " + agg + " AS v FROM " + inner_from +
                   " WHERE " + z + ".k = a.k" + filter + ") l";
        }
        return "SELECT a.k, l.s AS ls FROM " + from + (g_.chance(0.5) ? " LEFT JOIN LATERAL" : " JOIN LATERAL") + " (SELECT " + z +
               ".s FROM " + inner_from + " WHERE " + z + ".k = a.k" + filter + ") l ON true";
    }

    /// Window functions, partitioned or not, ordered by a column and then by every column in
    /// scope (a total order up to equal rows, so the result is one multiset whatever the plan),
    /// sometimes with a frame, sometimes filtered on a rank from outside.
    /// WITH RECURSIVE over the k columns as edges: UNION ALL with a round counter that bounds
    /// it (on cyclic data it would not end), UNION as a set whose values stay in a small range
    /// (it ends on any data); read as is, grouped, or joined with a table.
    /// Constant rows beside a table: a VALUES list joined or tested, a scalar subquery without
    /// FROM, a calendar from generate_series joined to the table, a recursive CTE seeded by a
    /// constant, a UNION ALL with VALUES.
    std::string constant_rows_query() {
        const auto& a = g_.pick(tables_);
        const std::string t = a.name + " a";
        switch (g_.uniform(0, 4)) {
        case 0:
            return "SELECT a.k, a.s, m.label FROM " + t + (g_.chance(0.5) ? " LEFT" : "") +
                   " JOIN (VALUES (0, 'zero'), (1, 'one'), (NULL::int, 'none'), (1, 'uno')) m (k, label) ON m.k = a.k";
        case 1: return "SELECT a.k, a.s FROM " + t + " WHERE a.k IN (VALUES (0), (2)) OR a.k > (SELECT " + std::to_string(g_.uniform(1, 3)) + ")";
        case 2:
            return "SELECT d, count(a.k) AS n, min(a.s) AS lo FROM generate_series(-1, 4) d LEFT JOIN " + t + " ON a.k = d GROUP BY d";
        case 3:
            return "WITH RECURSIVE r (x, n) AS (SELECT 0, 0 UNION ALL SELECT b.k, r.n + 1 FROM r JOIN " + g_.pick(tables_).name +
                   " b ON b.k = r.x + 1) SELECT x, count(*) AS paths FROM r GROUP BY x";
        default: return "SELECT a.k, a.s FROM " + t + " UNION ALL VALUES (7, 'seven'), (NULL, NULL)";
        }
    }

    std::string recursive_query() {
        const auto& a = g_.pick(tables_);
        const auto& b = g_.pick(tables_);
        const bool all = g_.chance(0.5);
        const std::string step = g_.pick<std::string>({"b.k + 1", "(b.k + 2) % 5", "b.k - 1", "b.k"});
        std::string base = "SELECT a.k AS x, " + g_.pick<std::string>({"a.k", "(a.k + 1) % 4"}) + " AS y";
        std::string rec = "SELECT r.x, " + step + " AS y";
        if (all) {
            base += ", 0 AS d, a.s AS p";
            rec += ", r.d + 1, r.p || b.s";
        }
        base += " FROM " + a.name + " a" + (g_.chance(0.4) ? " WHERE a.k IS NOT NULL" : "");
        rec += " FROM r JOIN " + b.name + " b ON b.k = r.y";
        if (all) rec += " WHERE r.d < " + std::to_string(g_.uniform(1, 3));
        const std::string with = "WITH RECURSIVE r AS (" + base + (all ? " UNION ALL " : " UNION ") + rec + ") ";
        switch (g_.uniform(0, 2)) {
        case 0: return with + "SELECT * FROM r";
        case 1: return with + "SELECT x, count(*) AS n, min(y) AS lo FROM r GROUP BY x";
        default: {
            const auto& c = g_.pick(tables_);
            return with + "SELECT r.x, r.y, c.s FROM r JOIN " + c.name + " c ON c.k = r.y";
        }
        }
    }

    std::string window_query() {
        scope s;
        const std::string from = from_clause(s);
        const std::string where = g_.chance(0.4) ? " WHERE " + predicate(s, 0) : "";
        auto nums = of_kind(s, numeric_kind);
        auto groupables = of_kind(s, groupable);
        std::vector<std::string> all;
        for (const auto& c : s) all.push_back(c.sql);
        std::vector<std::string> items;
        const int plain = g_.uniform(1, 3);
        for (int i = 0; i < plain; ++i) items.push_back(g_.pick(s).sql + " AS o" + std::to_string(i));
        // Equal rows are told apart by no ORDER BY: two windows could then pair their values
        // per row differently from run to run. Several windows only over keyed tables.
        std::set<std::string> aliases, keyed;
        for (const auto& c : s) {
            const std::string alias = c.sql.substr(0, c.sql.find('.'));
            aliases.insert(alias);
            if (c.sql == alias + ".id") keyed.insert(alias);
        }
        const int calls = aliases == keyed ? g_.uniform(1, 2) : 1;
        for (int i = 0; i < calls; ++i) {
            std::string over;
            if (!groupables.empty() && g_.chance(0.7)) over = "PARTITION BY " + g_.pick(groupables).sql;
            const bool ordered = g_.chance(0.8);
            const auto ints = of_kind(s, [](kind k) { return k == kind::int4 || k == kind::int8; });
            // RANGE with offsets: one integer ORDER BY key (peers share their frame, so the
            // values are determined without a tie-break), aggregates only.
            const bool by_range = ordered && !ints.empty() && g_.chance(0.2);
            std::string frame;
            if (by_range) {
                over += std::string(over.empty() ? "" : " ") + "ORDER BY " + g_.pick(ints).sql + (g_.chance(0.5) ? " DESC" : "") +
                        (g_.chance(0.3) ? " NULLS FIRST" : "");
                static const std::vector<std::string> range_frames{
                    "RANGE BETWEEN 1 PRECEDING AND 2 FOLLOWING", "RANGE BETWEEN 3 PRECEDING AND 1 PRECEDING",
                    "RANGE BETWEEN CURRENT ROW AND 2 FOLLOWING EXCLUDE CURRENT ROW", "RANGE BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING"};
                frame = " " + g_.pick(range_frames);
            } else if (ordered) {
                const auto& key = g_.pick(s);
                over += std::string(over.empty() ? "" : " ") + "ORDER BY " + key.sql + (g_.chance(0.5) ? " DESC" : "") +
                        (g_.chance(0.3) ? " NULLS FIRST" : "") + ", " + join(all);
                static const std::vector<std::string> frames{
                    "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW", "RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
                    "GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE CURRENT ROW", "ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING EXCLUDE TIES"};
                if (g_.chance(0.3)) frame = " " + g_.pick(frames);
            }
            const std::string num = nums.empty() ? g_.pick(s).sql : g_.pick(nums).sql;
            std::string call;
            switch (ordered && !by_range ? g_.uniform(0, 11) : g_.uniform(0, 2)) {
            case 0: call = "count(*) OVER (" + over + frame + ")"; break;
            case 1: call = (nums.empty() ? "count(" + num + ")" : "sum(" + num + ")") + " OVER (" + over + frame + ")"; break;
            case 2: call = "max(" + g_.pick(s).sql + ") OVER (" + over + frame + ")"; break;
            case 3: call = "row_number() OVER (" + over + ")"; break;
            case 4: call = "rank() OVER (" + over + ")"; break;
            case 5: call = "dense_rank() OVER (" + over + ")"; break;
            case 6: call = "lag(" + g_.pick(s).sql + ") OVER (" + over + ")"; break;
            case 7: call = "lead(" + g_.pick(s).sql + ", 2) OVER (" + over + ")"; break;
            case 8: call = "first_value(" + g_.pick(s).sql + ") OVER (" + over + frame + ")"; break;
            case 9: call = "ntile(3) OVER (" + over + ")"; break;
            case 10: call = "cume_dist() OVER (" + over + ")"; break;
            default: call = "nth_value(" + g_.pick(s).sql + ", 2) OVER (" + over + frame + ")"; break;
            }
            items.push_back(call + " AS w" + std::to_string(i));
        }
        const std::string q = "SELECT " + join(items) + " FROM " + from + where;
        if (g_.chance(0.25)) return "SELECT * FROM (" + q + ") t WHERE t.w0 IS NOT NULL";
        if (!groupables.empty() && g_.chance(0.25)) {
            // DISTINCT ON: the first row per key in a total order.
            const std::string key = g_.pick(groupables).sql;
            return "SELECT DISTINCT ON (" + key + ") " + key + " AS d, " + g_.pick(s).sql + " AS o FROM " + from + where +
                   " ORDER BY " + key + ", " + g_.pick(s).sql + (g_.chance(0.5) ? " DESC" : "") + ", " + join(all);
        }
        return q;
    }

    /// ORDER BY … LIMIT n [OFFSET m]: in an order made total by every column (equal rows are
    /// then equal in the select list too), or FETCH FIRST … WITH TIES on one key without an
    /// OFFSET (the rows are determined either way), over rows or over groups.
    std::string topk_query() {
        scope s;
        const std::string from = from_clause(s);
        const std::string where = g_.chance(0.4) ? " WHERE " + predicate(s, 0) : "";
        auto direction = [&] {
            return std::string(g_.chance(0.5) ? " DESC" : "") + (g_.chance(0.3) ? " NULLS FIRST" : "");
        };
        const std::string n = std::to_string(g_.uniform(1, 6));
        const std::string offset = g_.chance(0.3) ? " OFFSET " + std::to_string(g_.uniform(1, 3)) : "";
        auto groupables = of_kind(s, groupable);
        if (!groupables.empty() && g_.chance(0.25)) {
            const std::string key = g_.pick(groupables).sql;
            return "SELECT " + key + " AS g, count(*) AS n, max(" + g_.pick(s).sql + ") AS m FROM " + from + where +
                   " GROUP BY " + key + " ORDER BY n" + direction() + ", g" + direction() + " LIMIT " + n + offset;
        }
        std::vector<std::string> all, items;
        for (const auto& c : s) all.push_back(c.sql);
        const int plain = g_.uniform(1, 3);
        for (int i = 0; i < plain; ++i) items.push_back(g_.pick(s).sql + " AS o" + std::to_string(i));
        const std::string key = g_.pick(s).sql + direction();
        const std::string q = "SELECT " + join(items) + " FROM " + from + where + " ORDER BY " + key;
        if (g_.chance(0.2)) return q + " FETCH FIRST " + n + " ROWS WITH TIES"; // (an OFFSET would cut ties)
        return q + ", " + join(all) + " LIMIT " + n + offset;
    }

    std::string select_block(const scope& s, const std::string& from, bool aggregate) {
        std::string where = g_.chance(0.6) ? " WHERE " + predicate(s, 0) : "";
        if (!aggregate) {
            std::vector<std::string> items;
            const int n = g_.uniform(1, 4);
            for (int i = 0; i < n; ++i) {
                const auto& c = g_.pick(s);
                std::string e = g_.chance(0.4) && c.k != kind::boolean && c.k != kind::float8 && c.k != kind::date
                                    ? scalar(s, c.k, 0)
                                    : c.sql;
                items.push_back(e + " AS o" + std::to_string(i));
            }
            if (g_.chance(0.15)) items.push_back(scalar_subquery(s) + " AS o" + std::to_string(n));
            return std::string("SELECT ") + (g_.chance(0.2) ? "DISTINCT " : "") + join(items) + " FROM " + from + where;
        }
        std::vector<std::string> items, keys;
        auto groupables = of_kind(s, groupable);
        const int nkeys = g_.uniform(0, 2);
        for (int i = 0; i < nkeys && !groupables.empty(); ++i) {
            auto c = g_.pick(groupables);
            keys.push_back(c.sql);
            items.push_back(c.sql + " AS g" + std::to_string(i));
        }
        const int naggs = g_.uniform(1, 3);
        std::string first_agg;
        for (int i = 0; i < naggs; ++i) {
            const std::string call = aggregate_call(s);
            if (i == 0) first_agg = call;
            items.push_back(call + " AS a" + std::to_string(i));
        }
        // A window over the groups (rank and a peer-framed sum: equal for tied rows).
        if (g_.chance(0.2))
            items.push_back((g_.chance(0.5) ? "rank() OVER (ORDER BY " + first_agg + ")"
                                            : "count(*) OVER (ORDER BY " + first_agg + " DESC)") + " AS wa");
        std::string group_by = join(keys);
        if (!keys.empty() && g_.chance(0.15)) {
            const int form = g_.uniform(0, 2);
            group_by = form == 0 ? "ROLLUP (" + join(keys) + ")"
                       : form == 1 ? "CUBE (" + join(keys) + ")"
                                   : "GROUPING SETS ((" + keys[0] + "), ())";
            items.push_back("GROUPING(" + join(keys) + ") AS gs");
        }
        std::string q = "SELECT " + join(items) + " FROM " + from + where;
        if (!keys.empty()) q += " GROUP BY " + group_by;
        if (g_.chance(0.25)) q += " HAVING count(*) > " + std::to_string(g_.uniform(0, 2));
        else if (g_.chance(0.08)) q += " HAVING count(*) >= (SELECT count(*) FROM " + g_.pick(tables_).name + ") / 4";
        return q;
    }

    std::string aggregate_call(const scope& s) {
        auto nums = of_kind(s, numeric_kind);
        auto ints = of_kind(s, [](kind k) { return k == kind::int4 || k == kind::int8; });
        auto texts = of_kind(s, [](kind k) { return k == kind::text; });
        auto ordered = of_kind(s, [](kind k) { return k != kind::boolean; });
        auto bools = of_kind(s, [](kind k) { return k == kind::boolean; });
        std::string filter = g_.chance(0.2) ? " FILTER (WHERE " + predicate(s, 1) + ")" : "";
        auto num = [&] { return g_.pick(nums).sql; };
        switch (g_.uniform(0, 15)) {
        case 0: return "count(*)" + filter;
        case 1: return "count(" + g_.pick(s).sql + ")" + filter;
        case 2: return nums.empty() ? "count(*)" : "sum(" + num() + ")" + filter;
        case 3: return nums.empty() ? "count(*)" : "avg(" + num() + ")" + filter;
        case 4: return "min(" + g_.pick(ordered).sql + ")" + filter;
        case 5: return "max(" + g_.pick(ordered).sql + ")" + filter;
        case 6: return bools.empty() ? "count(*)" : (g_.chance(0.5) ? "bool_and(" : "bool_or(") + g_.pick(bools).sql + ")";
        case 7: return nums.empty() ? "count(*)" : "round(avg(" + num() + "), 2)";
        // Running sums of powers (exact numbers), running XOR.
        case 8: {
            static const std::vector<std::string> f{"stddev", "stddev_pop", "variance", "var_pop", "var_samp", "stddev_samp"};
            return nums.empty() ? "count(*)" : g_.pick(f) + "(" + num() + ")" + filter;
        }
        case 9: return ints.empty() ? "count(*)" : (g_.chance(0.5) ? "bit_xor(" : g_.chance(0.5) ? "bit_and(" : "bit_or(") + g_.pick(ints).sql + ")" + filter;
        // Recomputed for the groups a change touches.
        case 10: return "count(DISTINCT " + g_.pick(s).sql + ")" + filter;
        case 11: return nums.empty() ? "count(*)" : "sum(DISTINCT " + num() + ")";
        case 12: {
            if (texts.empty()) return "count(*)";
            const std::string t = g_.pick(texts).sql;
            return "string_agg(" + t + ", '|' ORDER BY " + t + (g_.chance(0.5) ? " DESC" : "") + ")" + filter;
        }
        case 13: {
            const auto& c = g_.pick(ordered);
            return "array_agg(" + c.sql + " ORDER BY " + c.sql + " NULLS FIRST)";
        }
        case 14: return nums.empty() ? "count(*)" : "percentile_disc(0.5) WITHIN GROUP (ORDER BY " + num() + ")";
        default: return ints.empty() ? "count(*)" : "mode() WITHIN GROUP (ORDER BY " + g_.pick(ints).sql + ")";
        }
    }

    std::string set_operation() {
        auto branch = [&] {
            scope s;
            std::string from = table_ref(g_.pick(tables_), "a", s);
            return "SELECT a.k, a.s FROM " + from + (g_.chance(0.5) ? " WHERE " + predicate(s, 1) : "");
        };
        static const std::vector<std::string> ops{" UNION ALL ", " UNION ", " INTERSECT ", " INTERSECT ALL ", " EXCEPT ", " EXCEPT ALL "};
        std::string q = branch() + g_.pick(ops) + branch();
        if (g_.chance(0.3)) q = "(" + q + ")" + g_.pick(ops) + branch();
        return q;
    }

    std::string nested_aggregate() {
        scope s;
        std::string from = table_ref(g_.pick(tables_), "a", s);
        std::string inner = "SELECT a.k AS k, count(*) AS n, max(a.s) AS m FROM " + from +
                            (g_.chance(0.5) ? " WHERE " + predicate(s, 1) : "") + " GROUP BY a.k";
        if (g_.chance(0.5)) return "SELECT n, count(*) AS groups, min(m) AS least_m FROM (" + inner + ") q GROUP BY n";
        return "SELECT q.k, q.n, b.s FROM (" + inner + ") q JOIN " + g_.pick(tables_).name + " b ON b.k = q.k";
    }

    static std::string join(const std::vector<std::string>& v) {
        std::string r;
        for (std::size_t i = 0; i < v.size(); ++i) r += (i ? ", " : "") + v[i];
        return r;
    }

    gen& g_;
    const std::vector<table_def>& tables_;
    int next_alias_ = 0;
    int sublink_depth_ = 0;
};

std::string insert_row(gen& g, const table_def& t, int& next_id) {
    std::string cols, vals;
    if (t.keyed) {
        cols = "id";
        vals = std::to_string(next_id++);
    }
    for (const auto& c : t.cols) {
        cols += (cols.empty() ? "" : ", ") + c.name;
        vals += (vals.empty() ? "" : ", ") + g.value(c.k);
    }
    return "INSERT INTO " + t.name + " (" + cols + ") VALUES (" + vals + ")";
}

std::string dml(gen& g, const table_def& t, int& next_id) {
    const std::string where = g.chance(0.5) ? "k = " + g.value(kind::int4, 0.1) : "s = " + g.value(kind::text, 0.1);
    switch (g.uniform(0, 5)) {
    case 0:
    case 1: return insert_row(g, t, next_id);
    case 2: {
        const auto& c = g.pick(t.cols);
        return "UPDATE " + t.name + " SET " + c.name + " = " + g.value(c.k) + " WHERE " + where;
    }
    case 3:
        if (t.keyed && g.chance(0.3)) return "UPDATE " + t.name + " SET id = id + 1000 WHERE " + where;
        return "UPDATE " + t.name + " SET k = k + 1 WHERE " + where;
    default: return "DELETE FROM " + t.name + " WHERE " + where;
    }
}

} // namespace

case_spec generate_case(std::uint64_t seed) {
    gen g(seed);
    case_spec c;
    c.seed = seed;
    auto tables = random_schema(g);
    int next_id = 1;
    for (const auto& t : tables) {
        table_spec ts;
        ts.name = t.name;
        ts.ddl = "CREATE TABLE " + t.name + " (" + (t.keyed ? std::string("id int PRIMARY KEY, ") : "");
        for (std::size_t i = 0; i < t.cols.size(); ++i)
            ts.ddl += (i ? ", " : "") + t.cols[i].name + " " + sql_type(t.cols[i].k);
        ts.ddl += ")";
        const int rows = g.uniform(0, 14);
        for (int r = 0; r < rows; ++r) {
            ts.rows.push_back(insert_row(g, t, next_id));
            // Keyless tables get exact duplicates too.
            if (!t.keyed && g.chance(0.2)) ts.rows.push_back(ts.rows.back());
        }
        c.tables.push_back(std::move(ts));
    }
    c.query = query_gen(g, tables).query();
    const int rounds = g.uniform(2, 5);
    for (int r = 0; r < rounds; ++r) {
        std::vector<std::string> stmts;
        const int n = g.uniform(1, 4);
        for (int i = 0; i < n; ++i) stmts.push_back(dml(g, g.pick(tables), next_id));
        c.rounds.push_back(std::move(stmts));
    }
    return c;
}

std::string describe(const case_spec& c) {
    std::ostringstream out;
    out << "-- seed " << c.seed << "\n";
    for (const auto& t : c.tables) {
        out << t.ddl << ";\n";
        for (const auto& r : t.rows) out << r << ";\n";
    }
    out << "-- query\n" << c.query << ";\n";
    for (std::size_t r = 0; r < c.rounds.size(); ++r) {
        out << "-- round " << r + 1 << "\n";
        for (const auto& s : c.rounds[r]) out << s << ";\n";
    }
    return out.str();
}

} // namespace pgt::testing
