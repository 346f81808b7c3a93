// Front end: queries no refresh mode can use — SQLSTATE, message and position.
#include "frontend_fixture.hpp"

using namespace frontend_test;

TEST_CASE("frontend: statement-level errors", "[frontend]") {
    auto syntax = error("SELECT FROM WHERE");
    CHECK(syntax.code() == "42601");
    CHECK(syntax.position() == 12);
    CHECK(failure("") == "42601: defining query is empty");
    CHECK(failure("  -- nothing\n") == "42601: defining query is empty");
    auto several = error("SELECT 1 FROM orders; SELECT 2 FROM orders");
    CHECK(several.code() == "42601");
    CHECK(std::string(several.what()) == "defining query must be a single SELECT statement");
    CHECK(failure("INSERT INTO orders (id) VALUES (1)") == "0A000: defining query must be a SELECT statement, not INSERT");
    CHECK(failure("UPDATE orders SET id = 1") == "0A000: defining query must be a SELECT statement, not UPDATE");
    CHECK(failure("DELETE FROM orders") == "0A000: defining query must be a SELECT statement, not DELETE");
    CHECK(failure("CREATE TABLE x (a int)") == "0A000: defining query must be a SELECT statement, not CREATE TABLE");
    CHECK(failure("EXPLAIN SELECT 1") == "0A000: defining query must be a SELECT statement, not EXPLAIN");
    CHECK(failure("SELECT id INTO copy FROM orders") == "0A000: SELECT INTO is not supported in defining queries");
}

TEST_CASE("frontend: unknown names", "[frontend]") {
    auto table = error("SELECT id FROM nosuch");
    CHECK(table.code() == "42P01");
    CHECK(std::string(table.what()) == "relation \"nosuch\" does not exist");
    CHECK(table.position() == 15);
    CHECK(failure("SELECT id FROM audit.nosuch") == "42P01: relation \"audit.nosuch\" does not exist");
    CHECK(failure("SELECT id FROM nosuch.orders") == "42P01: relation \"nosuch.orders\" does not exist");
    auto column = error("SELECT id, nosuch FROM orders");
    CHECK(column.code() == "42703");
    CHECK(std::string(column.what()) == "column \"nosuch\" does not exist");
    CHECK(column.position() == 11);
    CHECK(failure("SELECT o.nosuch FROM orders o") == "42703: column o.nosuch does not exist");
    CHECK(failure("SELECT x.id FROM orders o") == "42P01: missing FROM-clause entry for table \"x\"");
    auto ambiguous = error("SELECT customer_id FROM orders o, events e");
    CHECK(ambiguous.code() == "42702");
    CHECK(std::string(ambiguous.what()) == "column reference \"customer_id\" is ambiguous");
    CHECK(ambiguous.position() == 7);
    CHECK(failure("SELECT id FROM customers c JOIN audit.log l ON c.id = l.id") ==
          "42702: column reference \"id\" is ambiguous");
    CHECK(failure("SELECT * FROM customers a, customers a") == "42712: table name \"a\" specified more than once");
    CHECK(failure("SELECT * FROM customers, customers") == "42712: table name \"customers\" specified more than once");
    CHECK(failure("SELECT * FROM customers c (a, b, c, d, e, f)") ==
          "42P10: table \"c\" has 5 columns available but 6 columns specified");
    CHECK(failure("SELECT * FROM customers c JOIN audit.log l USING (nosuch)") ==
          "42703: column \"nosuch\" specified in USING clause does not exist in left table");
    CHECK(failure("SELECT * FROM customers c JOIN audit.log l USING (id, id)") ==
          "42701: column name \"id\" appears more than once in USING clause");
    CHECK(failure("SELECT * FROM (SELECT id FROM customers)") == "42601: subquery in FROM must have an alias");
    CHECK(failure("SELECT * FROM orders o JOIN customers c ON o.customer_id = c.id") ==
          "42701: column \"id\" specified more than once");
    auto function = error("SELECT no_such_function(id) FROM orders");
    CHECK(function.code() == "42883");
    CHECK(std::string(function.what()) == "function no_such_function(bigint) does not exist");
    CHECK(function.position() == 7);
    CHECK(failure("SELECT audit.f() FROM orders") == "42883: function audit.f() does not exist");
}

TEST_CASE("frontend: type errors", "[frontend]") {
    auto op = error("SELECT sku = 1 FROM orders");
    CHECK(op.code() == "42883");
    CHECK(std::string(op.what()) == "operator does not exist: text = integer");
    CHECK(op.position() == 11);
    CHECK(failure("SELECT ordered_on + 1::int8 FROM orders") == "42883: operator does not exist: date + bigint");
    CHECK(failure("SELECT discount % 2 FROM orders") == "42883: operator does not exist: double precision % integer");
    CHECK(failure("SELECT 1 || 2 FROM orders") == "42883: operator does not exist: integer || integer");
    CHECK(failure("SELECT '1' + '2' FROM orders") == "42725: operator is not unique: unknown + unknown");
    CHECK(failure("SELECT round(discount, 1) FROM orders") == "42883: function round(double precision, integer) does not exist");
    CHECK(failure("SELECT upper(1) FROM orders") == "42883: function upper(integer) does not exist");
    CHECK(failure("SELECT CASE WHEN true THEN 1 ELSE 'a'::text END FROM orders") ==
          "42804: CASE types text and integer cannot be matched");
    CHECK(failure("SELECT coalesce(1, true) FROM orders") == "42804: COALESCE types integer and boolean cannot be matched");
    CHECK(failure("SELECT id FROM orders WHERE 1") == "42804: argument of WHERE must be type boolean, not type integer");
    CHECK(failure("SELECT id FROM orders WHERE NOT quantity") == "42804: argument of NOT must be type boolean, not type smallint");
    CHECK(failure("SELECT o.id FROM orders o JOIN customers c ON c.id") ==
          "42804: argument of JOIN/ON must be type boolean, not type integer");
    CHECK(failure("SELECT count(*) FROM orders HAVING sum(quantity)") ==
          "42804: argument of HAVING must be type boolean, not type bigint");
    CHECK(failure("SELECT quantity IS TRUE FROM orders") == "42804: argument of IS TRUE must be type boolean, not type smallint");
    CHECK(failure("SELECT amount::date FROM orders") == "42846: cannot cast type numeric to date");
    CHECK(failure("SELECT id::boolean FROM orders") == "42846: cannot cast type bigint to boolean");
    CHECK(error("SELECT interval '1 day'::int FROM orders").position() == 23);
    CHECK(compile("SELECT express::int, 1::boolean, ordered_on::text::date, created_at::date, amount::float4 FROM orders, customers").query);
    CHECK(failure("SELECT 'a' + 1 FROM orders") == "22P02: invalid input syntax for type integer: \"a\"");
    CHECK(failure("SELECT id FROM orders WHERE express = 'maybe'") == "22P02: invalid input syntax for type boolean: \"maybe\"");
    CHECK(failure("SELECT '99999'::int2 FROM orders") == "22003: value \"99999\" is out of range for type smallint");
    CHECK(compile("SELECT id FROM orders WHERE 'true' AND express = 'yes' AND quantity = ' 12 '").query);
    CHECK(failure("SELECT x FROM (SELECT 1 AS x, 2 AS x FROM orders) s") == "42702: column reference \"x\" is ambiguous");
}

TEST_CASE("frontend: ORDER BY / LIMIT / OFFSET rules", "[frontend]") {
    auto limit = error("SELECT id FROM orders LIMIT 5");
    CHECK(limit.code() == "0A000");
    CHECK(std::string(limit.what()) ==
          "LIMIT is not supported in defining queries without ORDER BY. Use ORDER BY + LIMIT for TopK stream "
          "tables, or omit LIMIT to materialize the full result set.");
    CHECK(limit.position() == 28);
    CHECK(error("SELECT id FROM orders FETCH FIRST 3 ROWS ONLY").code() == "0A000");
    CHECK(failure("SELECT id FROM orders OFFSET 2") ==
          "0A000: OFFSET is not supported in defining queries without ORDER BY + LIMIT. Use ORDER BY + LIMIT + "
          "OFFSET for paged TopK stream tables, or omit OFFSET to materialize the full result set.");
    CHECK(error("SELECT id FROM orders ORDER BY id OFFSET 2").code() == "0A000");
    CHECK(failure("SELECT id FROM orders ORDER BY 5") == "42P10: ORDER BY position 5 is not in select list");
    CHECK(failure("SELECT id FROM orders ORDER BY nosuch") == "42703: column \"nosuch\" does not exist");
    CHECK(failure("SELECT DISTINCT id FROM orders ORDER BY sku") ==
          "42P10: for SELECT DISTINCT, ORDER BY expressions must appear in select list");
    // ORDER BY may name an output column.
    CHECK(compile("SELECT id AS k FROM orders ORDER BY k").query);
}

TEST_CASE("frontend: TABLESAMPLE, FOR UPDATE, parameters, temporary tables", "[frontend]") {
    auto sample = error("SELECT *\nFROM orders TABLESAMPLE bernoulli (10)");
    CHECK(sample.code() == "0A000");
    CHECK(std::string(sample.what()) ==
          "TABLESAMPLE at line 2, column 25 is not supported in defining queries. Stream tables materialize the "
          "complete result set; use a WHERE condition with random() if sampling is needed.");
    for (const char* lock : {"FOR UPDATE", "FOR SHARE", "FOR NO KEY UPDATE", "FOR KEY SHARE"})
        CHECK(failure(std::string("SELECT id FROM orders ") + lock) ==
              "0A000: FOR UPDATE/FOR SHARE is not supported in defining queries. Stream tables do not support "
              "row-level locking. Remove the FOR UPDATE/FOR SHARE clause.");
    CHECK(error("SELECT * FROM (SELECT id FROM orders FOR UPDATE) s").code() == "0A000");
    auto param = error("SELECT id FROM orders WHERE id = $1");
    CHECK(param.code() == "42P02");
    CHECK(std::string(param.what()) == "there is no parameter $1");
    CHECK(param.position() == 33);

    auto cat = pgt::offline::load_schema("CREATE TEMP TABLE scratch (a int); CREATE TABLE keep (a int);");
    auto temp = thrown([&] { pgt::offline::compile("SELECT a FROM scratch", *cat); }, "temporary table");
    CHECK(temp.code() == "0A000");
    CHECK(std::string(temp.what()) == "stream tables cannot read temporary table scratch");
    CHECK(pgt::offline::compile("SELECT a FROM keep", *cat).query);
}

TEST_CASE("frontend: nesting limit", "[frontend]") {
    auto deep = [](int n) {
        return "SELECT " + std::string(static_cast<std::size_t>(n), '(') + "1" + std::string(static_cast<std::size_t>(n), ')') +
               " + 1 AS x FROM orders";
    };
    std::string negations = "SELECT ";
    for (int i = 0; i < 100; ++i) negations += "NOT ";
    negations += "express FROM orders";
    auto e = error(negations);
    CHECK(e.code() == "54000");
    CHECK(std::string(e.what()) == "query too complex: nesting depth exceeds 64");
    std::string subqueries = "SELECT id FROM orders";
    for (int i = 0; i < 70; ++i) subqueries = "SELECT id FROM (" + subqueries + ") s" + std::to_string(i);
    CHECK(error(subqueries).code() == "54000");
    // Parentheses alone add no nesting; absurd inputs fail cleanly, without exhausting the stack.
    CHECK(compile(deep(200)).query);
    std::string minus;
    for (int i = 0; i < 10000; ++i) minus += "- ";
    CHECK_THROWS_AS(compile("SELECT " + minus + "quantity FROM orders"), pgt::error);
    std::string nots;
    for (int i = 0; i < 10000; ++i) nots += "NOT ";
    CHECK_THROWS_AS(compile("SELECT " + nots + "true FROM orders"), pgt::error);
    CHECK_THROWS_AS(compile(deep(10000)), pgt::error);
    // The limit is an option.
    pgt::frontend::options opts;
    opts.max_depth = 8;
    pgt::offline::parser p;
    CHECK_THROWS_AS(pgt::frontend::compile("SELECT ((1 + 1) + 1) + 1 + 1 + 1 + 1 + 1 + 1 AS x FROM orders", shop(),
                                           p.as_parse_fn(), opts),
                    pgt::error);
}
