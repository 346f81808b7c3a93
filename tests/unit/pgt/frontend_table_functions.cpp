// Front end: set-returning functions in FROM (a table_function over the items to their left).
#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {
const std::string documents_cols = "(id, tags, attrs, pages)";
} // namespace

TEST_CASE("frontend: unnest in FROM extends the rows to its left", "[frontend][table_function]") {
    CHECK(plan("SELECT d.id, t.tag, t.n FROM documents d, unnest(d.tags) WITH ORDINALITY AS t(tag, n) "
               "WHERE d.pages > 1 AND t.tag <> 'x'") ==
          "Project id AS id, tag AS tag, n AS n  → (id, tag, n)\n"
          "  Filter (tag <> 'x')  → (id, tags, attrs, pages, tag, n)\n"
          "    TableFunction unnest(tags) WITH ORDINALITY  → (id, tags, attrs, pages, tag, n)\n"
          "      Filter (pages > '1')  → " + documents_cols + "\n"
          "        Scan public.documents AS d  → " + documents_cols + "\n");
    CHECK(types("SELECT t.tag, t.n FROM documents d, unnest(d.tags) WITH ORDINALITY AS t(tag, n)") ==
          "pg_catalog.text, pg_catalog.int8");
}

TEST_CASE("frontend: names of function columns", "[frontend][table_function]") {
    // A scalar result takes the alias, else the function's name; OUT parameters keep theirs.
    CHECK(plan("SELECT u FROM documents d, unnest(d.tags) u").starts_with("Project u AS u"));
    CHECK(plan("SELECT unnest FROM documents d, unnest(d.tags)").starts_with("Project unnest AS unnest"));
    CHECK(plan("SELECT e.key, e.value FROM documents d, jsonb_each(d.attrs) e").starts_with("Project key AS key, value AS value"));
    CHECK(types("SELECT e.key, e.value FROM documents d, jsonb_each(d.attrs) e") == "pg_catalog.text, pg_catalog.jsonb");
    // A single named OUT parameter names the column even under an alias (as in PostgreSQL).
    CHECK(types("SELECT v.value FROM documents d, jsonb_array_elements_text(d.attrs) v") == "pg_catalog.text");
}

TEST_CASE("frontend: generate_series result types", "[frontend][table_function]") {
    CHECK(types("SELECT g FROM orders o, generate_series(1, o.quantity) g") == "pg_catalog.int4");
    CHECK(types("SELECT g FROM orders o, generate_series(1, o.id) g") == "pg_catalog.int8");
    CHECK(types("SELECT g FROM orders o, generate_series(0, o.amount, 0.5) g") == "pg_catalog.numeric");
    CHECK(types("SELECT g FROM orders o, generate_series(o.shipped_at, o.shipped_at + interval '2 days', interval '1 day') g") ==
          "pg_catalog.timestamp");
    CHECK(types("SELECT g FROM orders o, generate_series(o.ordered_on, o.ordered_on + 3, interval '1 day') g") ==
          "pg_catalog.timestamptz");
}

TEST_CASE("frontend: unnest of several arrays and ROWS FROM zip their functions", "[frontend][table_function]") {
    CHECK(plan("SELECT a, b FROM documents d, unnest(d.tags, d.tags) AS x(a, b)")
              .find("TableFunction unnest(tags), unnest(tags)") != std::string::npos);
    CHECK(plan("SELECT * FROM documents d, ROWS FROM (unnest(d.tags), generate_series(1, d.pages)) AS x(a, b)")
              .find("TableFunction unnest(tags), generate_series('1', pages)") != std::string::npos);
}

TEST_CASE("frontend: JOIN LATERAL to a function", "[frontend][table_function]") {
    CHECK(plan("SELECT d.id, t FROM documents d LEFT JOIN LATERAL unnest(d.tags) t ON true")
              .find("TableFunction Outer unnest(tags)") != std::string::npos);
    CHECK(plan("SELECT d.id, t FROM documents d JOIN LATERAL unnest(d.tags) t ON t <> d.id::text")
              .find("Filter (t <> ") != std::string::npos);
}
