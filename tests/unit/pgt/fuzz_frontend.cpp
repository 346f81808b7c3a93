// Fuzzing the front end: random token soups, mutated and truncated valid queries, and deep
// nesting. Every input must either compile or throw pgt::error — no other exception, no
// crash, no hang. The seed is fixed (and printed) so that a failure can be replayed.
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <random>

#include "frontend_fixture.hpp"

namespace {

const std::vector<std::string> valid_queries = {
    "SELECT id, name FROM customers WHERE country = 'DE'",
    "SELECT c.name, o.amount FROM customers c, orders o WHERE c.id = o.customer_id AND o.amount > 10",
    "SELECT customer_id, count(*), sum(amount), round(avg(amount), 2) FROM orders GROUP BY customer_id HAVING count(*) > 1",
    "SELECT * FROM customers c FULL JOIN audit.log l USING (id)",
    "SELECT kind FROM events UNION SELECT name FROM customers",
    "WITH t AS (SELECT customer_id, amount FROM orders) SELECT customer_id, sum(amount) FROM t GROUP BY 1",
    "SELECT CASE country WHEN 'DE' THEN 1 ELSE 2.5 END, coalesce(email, name), nullif(id, 3) FROM customers",
    "SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.name IS NULL",
    "SELECT DISTINCT sku FROM orders WHERE quantity BETWEEN 1 AND 5 AND sku LIKE 'a%' AND id IN (1, 2)",
    "SELECT * FROM big_orders b JOIN customer_totals t ON t.customer = b.customer_id",
    "SELECT date_trunc('day', shipped_at), extract(year from ordered_on), ordered_on + 1 FROM orders",
    "SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM events e WHERE e.customer_id = orders.customer_id)",
    "SELECT row_number() OVER (PARTITION BY customer_id ORDER BY id) FROM orders ORDER BY 1 LIMIT 3",
    "WITH RECURSIVE r(n) AS (SELECT 1 FROM orders UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
};

const std::vector<std::string> vocabulary = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "ALL",
    "DISTINCT", "ON", "JOIN", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "USING", "AS",
    "WITH", "RECURSIVE", "LATERAL", "AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE", "IN", "EXISTS",
    "BETWEEN", "LIKE", "ILIKE", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "COALESCE", "NULLIF",
    "GREATEST", "LEAST", "INTERSECT", "EXCEPT", "VALUES", "OVER", "PARTITION", "FILTER", "TABLESAMPLE",
    "FOR", "UPDATE", "INTO", "ROLLUP", "CUBE", "interval", "date", "int", "text", "numeric(10,2)",
    "customers", "orders", "products", "events", "audit.log", "big_orders", "customer_totals", "nosuch",
    "id", "name", "amount", "quantity", "sku", "customer_id", "kind", "o", "c", "o.id", "c.*", "*",
    "count(*)", "sum", "avg", "min", "max", "upper", "round", "now()", "random()", "generate_series",
    "(", ")", "(", ")", ",", ",", ".", ";", "+", "-", "*", "/", "%", "^", "=", "<>", "<", ">=", "||",
    "::", "'x'", "'2024-01-01'", "1", "0", "2.5", "-7", "99999999999999999999", "$1", "ARRAY[", "]",
};

std::string random_soup(std::mt19937& rng) {
    std::uniform_int_distribution<std::size_t> len(1, 40), word(0, vocabulary.size() - 1);
    std::string s = rng() % 2 ? "SELECT " : "";
    for (std::size_t i = len(rng); i > 0; --i) s += vocabulary[word(rng)] + " ";
    return s;
}

std::string mutated(std::mt19937& rng) {
    std::string s = valid_queries[rng() % valid_queries.size()];
    std::uniform_int_distribution<int> edits(1, 4);
    for (int e = edits(rng); e > 0 && !s.empty(); --e) {
        std::size_t at = rng() % s.size();
        switch (rng() % 5) {
        case 0: s.erase(at, 1 + rng() % 6); break;                                     // delete
        case 1: s.insert(at, " " + vocabulary[rng() % vocabulary.size()] + " "); break; // insert a token
        case 2: s[at] = static_cast<char>(32 + rng() % 95); break;                     // replace a byte
        case 3: s.resize(at); break;                                                   // truncate
        default: s.insert(at, s.substr(rng() % s.size(), 1 + rng() % 20)); break;     // duplicate a piece
        }
    }
    return s;
}

// Random well-formed queries over the shop schema: mostly valid SQL, often ill-typed.
class query_generator {
public:
    explicit query_generator(std::mt19937& rng) : rng_(rng) {}

    std::string query() {
        std::string q = select();
        if (pick(6) == 0) q += pick(2) ? " UNION ALL " + select() : " UNION " + select();
        return q;
    }

private:
    struct table {
        const char* name;
        std::vector<const char*> columns;
    };

    std::size_t pick(std::size_t n) { return rng_() % n; }
    template <class T>
    const T& one(const std::vector<T>& v) { return v[pick(v.size())]; }

    std::string select() {
        static const std::vector<table> tables = {
            {"customers", {"id", "name", "email", "country", "created_at"}},
            {"orders", {"id", "customer_id", "sku", "quantity", "amount", "discount", "ordered_on", "shipped_at", "express"}},
            {"products", {"sku", "title", "price", "weight"}},
            {"events", {"customer_id", "kind", "payload", "at"}},
            {"audit.log", {"id", "customer_id", "note"}},
            {"big_orders", {"id", "customer_id", "amount"}},
            {"customer_totals", {"customer", "total"}},
        };
        static const std::vector<std::string> joins = {", ", " JOIN ", " LEFT JOIN ", " RIGHT JOIN ", " FULL JOIN ", " CROSS JOIN "};
        columns_.clear();
        std::string from;
        for (std::size_t i = 0, n = 1 + pick(3); i < n; ++i) {
            const table& t = one(tables);
            std::string alias = "t" + std::to_string(i);
            for (const char* c : t.columns) columns_.push_back(alias + "." + c);
            if (i == 0) {
                from = std::string(t.name) + " " + alias;
                continue;
            }
            std::string join = one(joins);
            from += join + t.name + " " + alias;
            if (join != ", " && join != " CROSS JOIN ") from += " ON " + condition(2);
        }
        aggregates_ = pick(3) == 0;
        std::string list;
        for (std::size_t i = 0, n = 1 + pick(4); i < n; ++i) list += (i ? ", " : "") + expr(3) + " AS c" + std::to_string(i);
        aggregates_ = false;
        std::string q = std::string("SELECT ") + (pick(5) == 0 ? "DISTINCT " : "") + list + " FROM " + from;
        if (pick(2)) q += " WHERE " + condition(3);
        if (pick(4) == 0) q += " GROUP BY " + one(columns_) + (pick(2) ? ", 1" : "");
        if (pick(6) == 0) q += " ORDER BY 1";
        return q;
    }

    std::string literal() {
        static const std::vector<std::string> literals = {"1", "0", "-3", "2.5", "'x'", "'2024-01-01'", "NULL", "true",
                                                          "3000000000", "date '2024-01-01'", "interval '1 day'"};
        return one(literals);
    }

    std::string expr(int depth) {
        if (depth == 0) return pick(3) ? one(columns_) : literal();
        static const std::vector<std::string> ops = {"+", "-", "*", "/", "%", "||"};
        static const std::vector<std::string> funcs = {"upper", "abs", "round", "length", "coalesce", "lower", "sqrt", "now", "md5"};
        static const std::vector<std::string> aggs = {"count", "sum", "avg", "min", "max", "bool_and"};
        static const std::vector<std::string> types = {"int", "text", "numeric(10,2)", "date", "bigint", "float8"};
        switch (pick(aggregates_ ? 9 : 8)) {
        case 0: return "(" + expr(depth - 1) + " " + one(ops) + " " + expr(depth - 1) + ")";
        case 1: return one(funcs) + "(" + expr(depth - 1) + ")";
        case 2: return "CASE WHEN " + condition(depth - 1) + " THEN " + expr(depth - 1) + " ELSE " + expr(depth - 1) + " END";
        case 3: return "coalesce(" + expr(depth - 1) + ", " + expr(depth - 1) + ")";
        case 4: return expr(depth - 1) + "::" + one(types);
        case 5: return "-(" + expr(depth - 1) + ")";
        case 6: return one(columns_);
        case 7: return literal();
        default: return one(aggs) + "(" + expr(depth - 1) + ")";
        }
    }

    std::string condition(int depth) {
        static const std::vector<std::string> cmps = {"=", "<>", "<", ">=", "LIKE"};
        if (depth == 0) return one(columns_) + " IS NULL";
        switch (pick(6)) {
        case 0: return condition(depth - 1) + " AND " + condition(depth - 1);
        case 1: return "NOT (" + condition(depth - 1) + ")";
        case 2: return expr(depth - 1) + " IN (" + literal() + ", " + literal() + ")";
        case 3: return expr(depth - 1) + " BETWEEN " + literal() + " AND " + literal();
        default: return expr(depth - 1) + " " + one(cmps) + " " + expr(depth - 1);
        }
    }

    std::mt19937& rng_;
    std::vector<std::string> columns_;
    bool aggregates_ = false;
};

std::string nested(std::mt19937& rng) {
    int depth = 1 + static_cast<int>(rng() % 3000);
    switch (rng() % 4) {
    case 0: return "SELECT " + std::string(static_cast<std::size_t>(depth), '(') + "id" + std::string(static_cast<std::size_t>(depth), ')') + " FROM orders";
    case 1: {
        std::string e = "quantity";
        for (int i = 0; i < depth; ++i) e = "(" + e + " + 1)";
        return "SELECT " + e + " FROM orders";
    }
    case 2: {
        std::string q = "SELECT id FROM orders";
        for (int i = 0; i < depth % 200; ++i) q = "SELECT id FROM (" + q + ") s";
        return q;
    }
    default: {
        std::string e;
        for (int i = 0; i < depth; ++i) e += "NOT ";
        return "SELECT id FROM orders WHERE " + e + "express";
    }
    }
}

} // namespace

TEST_CASE("fuzz: the front end compiles or throws pgt::error", "[frontend][fuzz]") {
    const unsigned seed = 20240917;
    std::cout << "fuzz_frontend seed " << seed << "\n";
    std::mt19937 rng(seed);
    const auto& cat = frontend_test::shop();
    int compiled = 0, refused = 0, errors = 0;
    const auto start = std::chrono::steady_clock::now();
    query_generator generate(rng);
    for (int i = 0; i < 20000; ++i) {
        std::string sql = i % 10 == 9 ? nested(rng) : i % 3 == 0 ? generate.query() : i % 3 == 1 ? mutated(rng) : random_soup(rng);
        try {
            auto r = pgt::offline::compile(sql, cat);
            (r.query ? compiled : refused) += 1;
            if (r.query) CHECK(pgt::ir::to_string(*r.query->root).size() > 0);
        } catch (const pgt::error&) {
            ++errors;
        } catch (const std::exception& e) {
            FAIL("input " << i << " threw " << e.what() << ": " << sql);
        }
    }
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "fuzz_frontend: " << compiled << " compiled, " << refused << " refused, " << errors << " errors in "
              << seconds << " s\n";
    CHECK(compiled > 0);
    CHECK(refused > 0);
    CHECK(errors > 0);
}
