// The fuzzer's text rules, which decide what is tried and how findings group: splitting
// sqlsmith's output, the deterministic rewrite of its queries, and the normalization of reasons.
#include <catch2/catch.hpp>

#include "reasons.hpp"
#include "rewrite.hpp"
#include "sqlsmith.hpp"

namespace {

using namespace pgt::fuzz;

std::optional<column_info> columns(const std::string& relation, const std::string& column) {
    if (relation == "t" && column == "n") return column_info{"integer", true};
    if (relation == "t" && column == "j") return column_info{"json", false};
    return std::nullopt;
}

} // namespace

TEST_CASE("sqlsmith's output splits at lines ending in a semicolon", "[fuzz]") {
    const auto s = split_statements("select 1\n  from t;\nWITH x AS (select 2)\nselect 3\n;\ninsert into t values (1);\n");
    REQUIRE(s.size() == 3);
    CHECK(s[0] == "select 1\n  from t");
    CHECK(s[1] == "WITH x AS (select 2)\nselect 3\n");
    CHECK(s[2] == "insert into t values (1)");
}

TEST_CASE("statements that are no query are not rewritten", "[fuzz]") {
    CHECK_FALSE(make_deterministic("insert into t values (1)", columns).query);
    CHECK_FALSE(make_deterministic("update t set n = 1", columns).query);
    CHECK(make_deterministic("WITH x AS (select 1) select * from x", columns).query);
}

TEST_CASE("TABLESAMPLE and LIMIT are removed", "[fuzz]") {
    const auto r = make_deterministic("select ref_0.n as c0 from public.t as ref_0 tablesample system (4.2) \n"
                                      "where exists (select 1 from public.t as s tablesample bernoulli (0.1) limit 12)\n"
                                      "limit 101",
                                      columns);
    CHECK(*r.query == "select ref_0.n as c0 from public.t as ref_0 \nwhere exists (select 1 from public.t as s)");
    CHECK(r.tablesamples == 2);
    CHECK(r.limits == 2);
}

TEST_CASE("scalar subqueries LIMIT 1 OFFSET n become min() or max() of the same type", "[fuzz]") {
    const auto r = make_deterministic("select (select n from public.t limit 1 offset 12) as c0, "
                                      "(select j from public.t limit 1 offset 3) as c1, "
                                      "(select z from public.t limit 1 offset 1) as c2 from public.t",
                                      columns);
    CHECK(*r.query == "select (select pg_catalog.min(n) from public.t) as c0, "
                      "(select cast(pg_catalog.max(cast(j as text)) as json) from public.t) as c1, "
                      "(select z from public.t limit 1 offset 1) as c2 from public.t");
    CHECK(r.scalar_subqueries == 3);
    CHECK(r.limits == 0);
}

TEST_CASE("reasons group: literals, numbers, aliases and stream table names are replaced", "[fuzz]") {
    CHECK(normalized_message("ERROR:  column ref_12.c3 does not exist\nLINE 1: select") == "column ref_N.cN does not exist");
    CHECK(normalized_message("invalid input syntax for type integer: \"x\" at 'abc' 12.5") ==
          "invalid input syntax for type integer: \"x\" at '…' N");
    CHECK(normalized_message("stream table fz_q12_immediate failed") == "stream table <stream table> failed");
    CHECK(normalized_message("operator does not exist: int4 = int8") == "operator does not exist: int4 = int8");
}
