// Front end: JSON_TABLE in FROM (PostgreSQL 17), a table_function of one call over the items
// to its left. Column order and types as a PostgreSQL 18 server gives them; the SQL lowered
// for the call runs in the regress suite json_table.
#include "frontend_fixture.hpp"

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"

using namespace frontend_test;

#if PGT_PG_MAJOR >= 17
namespace {

const std::string items = "JSON_TABLE(d.attrs, '$.items[*]' AS it PASSING d.pages AS p, 'x' AS \"Q\" COLUMNS ("
                          "n FOR ORDINALITY, NESTED PATH '$.tags[*]' COLUMNS (tag text PATH '$', "
                          "NESTED '$.w[*]' AS w COLUMNS (w2 int PATH '$')), sku varchar(3) DEFAULT 'none' ON EMPTY, "
                          "qty numeric(4,1) PATH '$.qty ? (@ > $p)' NULL ON EMPTY ERROR ON ERROR, "
                          "item jsonb FORMAT JSON PATH '$' WITH CONDITIONAL WRAPPER, "
                          "label text FORMAT JSON PATH '$.l' OMIT QUOTES, tagged bool EXISTS PATH '$.tags') "
                          "EMPTY ARRAY ON ERROR) AS j";

std::string full_load(const std::string& sql) { return pgt::lower::full_load_sql(pgt::build_circuit(query(sql))); }

} // namespace

TEST_CASE("frontend: JSON_TABLE extends the rows to its left, its columns in PostgreSQL's order", "[frontend][json_table]") {
    CHECK(plan("SELECT d.id, j.sku FROM documents d, JSON_TABLE(d.attrs, '$[*]' COLUMNS (sku text PATH '$.sku')) j "
               "WHERE d.pages > 1") ==
          "Project id AS id, sku AS sku  → (id, sku)\n"
          "  TableFunction json_table(attrs)  → (id, tags, attrs, pages, sku)\n"
          "    Filter (pages > '1')  → (id, tags, attrs, pages)\n"
          "      Scan public.documents AS d  → (id, tags, attrs, pages)\n");
    // A level's own columns, then its NESTED paths' (depth first), whatever the order written.
    CHECK(columns("SELECT j.* FROM documents d, " + items) ==
          "n pg_catalog.int4, sku pg_catalog.varchar(3), qty pg_catalog.numeric(4,1), item jsonb, "
          "label pg_catalog.text, tagged pg_catalog.bool, tag pg_catalog.text, w2 pg_catalog.int4");
    CHECK(columns("SELECT * FROM documents d, JSON_TABLE(d.attrs, '$' COLUMNS (a int, b text)) AS j(x)") ==
          "id pg_catalog.int4 not null, tags pg_catalog.text[], attrs jsonb, pages pg_catalog.int4 not null, "
          "x pg_catalog.int4, b pg_catalog.text");
    // LEFT JOIN LATERAL … ON true keeps the rows without JSON_TABLE rows.
    CHECK(plan("SELECT d.id, j.a FROM documents d LEFT JOIN LATERAL JSON_TABLE(d.attrs, '$' COLUMNS (a int)) j ON true")
              .find("TableFunction Outer json_table(attrs)") != std::string::npos);
}

TEST_CASE("frontend: JSON_TABLE is lowered as written, renamed by an alias list", "[frontend][json_table]") {
    const std::string sql = full_load("SELECT d.id, j.* FROM documents d, " + items);
    INFO(sql);
    CHECK(sql.find("JSON_TABLE(s.\"attrs\", '$.items[*]' AS \"it\" PASSING s.\"pages\" AS \"p\", 'x' AS \"Q\" COLUMNS ("
                   "\"n\" FOR ORDINALITY, NESTED PATH '$.tags[*]' COLUMNS (\"tag\" pg_catalog.text PATH '$', "
                   "NESTED PATH '$.w[*]' AS \"w\" COLUMNS (\"w2\" pg_catalog.int4 PATH '$')), "
                   "\"sku\" pg_catalog.varchar(3) DEFAULT 'none' ON EMPTY, "
                   "\"qty\" pg_catalog.numeric(4,1) PATH '$.qty ? (@ > $p)' NULL ON EMPTY ERROR ON ERROR, "
                   "\"item\" jsonb FORMAT JSON PATH '$' WITH CONDITIONAL WRAPPER, "
                   "\"label\" pg_catalog.text FORMAT JSON PATH '$.l' OMIT QUOTES, "
                   "\"tagged\" pg_catalog.bool EXISTS PATH '$.tags') EMPTY ARRAY ON ERROR) AS f(") != std::string::npos);
}

TEST_CASE("frontend: JSON_TABLE refusals and errors", "[frontend][json_table]") {
    CHECK(unsupported("SELECT * FROM JSON_TABLE('[1]'::jsonb, '$[*]' COLUMNS (v int PATH '$')) j") ==
          "JSON_TABLE without a table before it");
    CHECK(unsupported("SELECT j.v FROM documents d, JSON_TABLE(d.attrs, '$' COLUMNS (v int)) j JOIN orders o ON true") ==
          "JSON_TABLE on the left of a JOIN");
    CHECK(failure("SELECT * FROM documents d, JSON_TABLE(d.attrs, '$' AS a COLUMNS (b int, NESTED '$.x' AS b COLUMNS (c int)))") ==
          "42712: duplicate JSON_TABLE column or path name: b");
}
#endif
