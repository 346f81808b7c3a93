// The offline catalog read from a schema file.
#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {
pgt::error load_error(const std::string& ddl) {
    return thrown([&] { pgt::offline::load_schema(ddl); }, ddl);
}
} // namespace

TEST_CASE("schema: tables, types, NOT NULL and primary keys", "[frontend][schema]") {
    auto orders = shop().find_relation("", "orders");
    REQUIRE(orders);
    CHECK(orders->kind == pgt::relation_kind::table);
    CHECK_FALSE(orders->is_temporary);
    const auto& t = *orders->table;
    CHECK(t.schema == "public");
    CHECK(t.columns.size() == 9);
    CHECK(t.columns[0].type.name == "pg_catalog.int8");
    CHECK(t.columns[0].not_null);
    CHECK(t.columns[4].type.name == "pg_catalog.numeric(12,2)");
    CHECK_FALSE(t.columns[4].not_null);
    CHECK(t.columns[5].type.kind == pgt::type_kind::float8);
    CHECK(t.primary_key == std::vector<int>{0});
    // Table-level PRIMARY KEY; its columns become NOT NULL.
    auto products = shop().find_relation("public", "products");
    REQUIRE(products);
    CHECK(products->table->primary_key == std::vector<int>{0});
    CHECK(products->table->columns[0].not_null);
    CHECK(shop().find_relation("", "events")->table->primary_key.empty());
    // Schema-qualified; serial is a NOT NULL integer.
    auto log = shop().find_relation("audit", "log");
    REQUIRE(log);
    CHECK(log->table->columns[0].type.name == "pg_catalog.int4");
    CHECK(log->table->columns[0].not_null);
    CHECK_FALSE(shop().find_relation("", "log"));
    CHECK_FALSE(shop().find_relation("public", "nosuch"));
    CHECK_FALSE(shop().find_function("", "upper", {}));
    // Oids are increasing fake user oids.
    CHECK(shop().find_relation("", "customers")->table->oid == 16384);
    CHECK(products->table->oid > 16384);

    auto cat = pgt::offline::load_schema(
        "CREATE TABLE k (a int, b text, c timestamp(3) with time zone, d char, e \"MyType\", "
        "f double precision DEFAULT 1 CHECK (f > 0), CONSTRAINT pk PRIMARY KEY (b, a), UNIQUE (c));");
    const auto& k = *cat->find_relation("", "k")->table;
    CHECK(k.primary_key == std::vector<int>{1, 0});
    CHECK(k.columns[2].type.name == "pg_catalog.timestamptz(3)");
    CHECK(k.columns[3].type.name == "pg_catalog.bpchar(1)");
    CHECK(k.columns[4].type.kind == pgt::type_kind::other);
    CHECK(k.columns[4].type.name == "\"MyType\"");
}

TEST_CASE("schema: views store their SELECT", "[frontend][schema]") {
    auto v = shop().find_relation("", "customer_totals");
    REQUIRE(v);
    CHECK(v->kind == pgt::relation_kind::view);
    CHECK(v->view_definition == "\n    SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id");
    REQUIRE(v->table->columns.size() == 2);
    CHECK(v->table->columns[0].name == "customer");
    CHECK(v->table->columns[1].type.name == "pg_catalog.numeric");

    auto cat = pgt::offline::load_schema(
        "CREATE TABLE t (a int, \"as\" int);\n"
        "CREATE VIEW \"as\" (x) WITH (security_barrier = 'true') AS SELECT a, \"as\" FROM t -- note\n"
        "  WITH LOCAL CHECK OPTION;\n"
        "CREATE VIEW w AS SELECT a FROM t;\n"
        "CREATE OR REPLACE VIEW w AS SELECT a FROM t ORDER BY a LIMIT 1;\n"
        "CREATE TEMP VIEW tv AS SELECT 1 AS one FROM t;");
    auto as = cat->find_relation("", "as");
    REQUIRE(as);
    CHECK(as->view_definition == " SELECT a, \"as\" FROM t -- note\n  ");
    REQUIRE(as->table->columns.size() == 2);
    CHECK(as->table->columns[0].name == "x");
    CHECK(as->table->columns[1].name == "as");
    CHECK(cat->find_relation("", "w")->view_definition == " SELECT a FROM t ORDER BY a LIMIT 1");
    CHECK(cat->find_relation("", "tv")->is_temporary);
}

TEST_CASE("schema: errors", "[frontend][schema]") {
    CHECK(load_error("CREATE TABLE t (a int); CREATE TABLE t (b int);").code() == "42P07");
    CHECK(load_error("CREATE TABLE t (a int, a text);").code() == "42701");
    CHECK(load_error("CREATE TABLE t (a int PRIMARY KEY, b int, PRIMARY KEY (b));").code() == "42P16");
    CHECK(std::string(load_error("CREATE TABLE t (a int, PRIMARY KEY (z));").what()) ==
          "column \"z\" named in key does not exist");
    CHECK(load_error("CREATE TABLE t (a int").code() == "42601");
    auto index = load_error("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);");
    CHECK(index.code() == "0A000");
    CHECK(std::string(index.what()).ends_with("not CREATE INDEX"));
    CHECK(load_error("CREATE TABLE c (LIKE t);").code() == "0A000");
    CHECK(load_error("CREATE TABLE p (a int); CREATE TABLE c () INHERITS (p);").code() == "0A000");
    // A view is checked when it is defined; the position points into the schema text.
    auto view = load_error("CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT nosuch FROM t;");
    CHECK(view.code() == "42703");
    CHECK(view.position() == 48);
    CHECK(load_error("CREATE VIEW v AS SELECT 1 FROM missing;").code() == "42P01");
    CHECK(load_error("CREATE TABLE t (a int); CREATE VIEW v AS SELECT a, a FROM t;").code() == "42701");
    CHECK(load_error("CREATE TABLE t (a int); CREATE VIEW t AS SELECT a FROM t;").code() == "42P07");
}

TEST_CASE("schema: CREATE SCHEMA, empty files", "[frontend][schema]") {
    auto cat = pgt::offline::load_schema("CREATE SCHEMA s; CREATE TABLE s.t (a int);");
    CHECK(cat->find_relation("s", "t"));
    CHECK_FALSE(pgt::offline::load_schema("-- nothing\n")->find_relation("", "t"));
}
