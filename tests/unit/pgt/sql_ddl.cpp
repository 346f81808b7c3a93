// The utility statements on the extension's own objects: names used as given (rendered),
// column names quoted.
#include <catch2/catch.hpp>

#include "pgt/sql/ddl.hpp"

namespace ddl = pgt::sql::ddl;

TEST_CASE("sql ddl: columns added as create_table defines them", "[sql][ddl]") {
    CHECK(ddl::add_column("s.\"b\"", {"x", "pg_catalog.int8", false}) == "ALTER TABLE s.\"b\" ADD COLUMN \"x\" pg_catalog.int8");
    CHECK(ddl::add_column("s.\"b\"", {"we\"ird", "\"char\"", true}) == "ALTER TABLE s.\"b\" ADD COLUMN \"we\"\"ird\" \"char\" NOT NULL");
}

TEST_CASE("sql ddl: statement triggers with transition tables, enabled always", "[sql][ddl]") {
    CHECK(ddl::create_statement_trigger("g", "BEFORE", "INSERT OR UPDATE", "s.t", "f.h") ==
          "CREATE OR REPLACE TRIGGER g BEFORE INSERT OR UPDATE ON s.t FOR EACH STATEMENT EXECUTE FUNCTION f.h()");
    CHECK(ddl::create_statement_trigger("u", "AFTER", "UPDATE", "s.t", "f.h", {"o", "n"}) ==
          "CREATE OR REPLACE TRIGGER u AFTER UPDATE ON s.t REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT "
          "EXECUTE FUNCTION f.h()");
    CHECK(ddl::create_statement_trigger("i", "AFTER", "INSERT", "s.t", "f.h", {"", "n"}) ==
          "CREATE OR REPLACE TRIGGER i AFTER INSERT ON s.t REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION f.h()");
    CHECK(ddl::create_statement_trigger("d", "AFTER", "DELETE", "s.t", "f.h", {"o", ""}) ==
          "CREATE OR REPLACE TRIGGER d AFTER DELETE ON s.t REFERENCING OLD TABLE AS o FOR EACH STATEMENT EXECUTE FUNCTION f.h()");
    CHECK(ddl::create_statement_trigger("x", "AFTER", "TRUNCATE", "s.t", "f.h", {"", ""}) ==
          ddl::create_statement_trigger("x", "AFTER", "TRUNCATE", "s.t", "f.h"));
    CHECK(ddl::enable_always_trigger("s.t", "g") == "ALTER TABLE s.t ENABLE ALWAYS TRIGGER g");
}

TEST_CASE("sql ddl: grants on tables and schemas, PUBLIC without a role", "[sql][ddl]") {
    CHECK(ddl::grant_select("s.t", "\"Role\"") == "GRANT SELECT ON s.t TO \"Role\"");
    CHECK(ddl::revoke_all("s.t", "r") == "REVOKE ALL ON s.t FROM r");
    CHECK(ddl::revoke_all("s.t", std::nullopt) == "REVOKE ALL ON s.t FROM PUBLIC");
    CHECK(ddl::grant_schema_usage("s", "r") == "GRANT USAGE ON SCHEMA s TO r");
    CHECK(ddl::revoke_all_on_schema("s", "r") == "REVOKE ALL ON SCHEMA s FROM r");
    CHECK(ddl::revoke_all_on_schema("s", std::nullopt) == "REVOKE ALL ON SCHEMA s FROM PUBLIC");
}

TEST_CASE("sql ddl: an index dropped by its qualified name", "[sql][ddl]") {
    CHECK(ddl::drop_index("s.\"t_idx\"") == "DROP INDEX s.\"t_idx\"");
}
