// The statement tree's renderer: names quoted, operators and functions qualified by the schema
// they were resolved to when built, compound expressions parenthesised.
#include <catch2/catch.hpp>

#include "pgt/sql/tree.hpp"

namespace t = pgt::sql::tree;

TEST_CASE("sql tree: operators and functions carry their schema", "[sql][tree]") {
    CHECK(t::render(t::ne(t::fn("sum", {t::col("c", "__pgt_w")}), t::integer(0))) ==
          "(pg_catalog.sum(c.\"__pgt_w\") OPERATOR(pg_catalog.<>) 0)");
    CHECK(t::render(t::op("@>", t::col("", "a"), t::param(1), "public")) == "(\"a\" OPERATOR(public.@>) $1)");
    CHECK(t::render(t::fn("f", {t::text("it's")}, "\"my schema\"")) == "\"my schema\".f('it''s')");
    CHECK(t::render(t::count_all()) == "pg_catalog.count(*)");
    CHECK(t::render(t::negate(t::col("x", "w"))) == "(OPERATOR(pg_catalog.-) x.\"w\")");
}

TEST_CASE("sql tree: quoting, casts and predicates", "[sql][tree]") {
    CHECK(t::render(t::col("s", "we\"ird")) == "s.\"we\"\"ird\"");
    CHECK(t::render(t::cast(t::integer(1), t::type_name::catalog("int8"))) == "CAST(1 AS pg_catalog.int8)");
    CHECK(t::render(t::all_of({t::is_null(t::col("a", "x")), t::negation(t::boolean(false))})) ==
          "((a.\"x\" IS NULL) AND (NOT false))");
    CHECK(t::render(t::any_of({t::boolean(true)})) == "true");
    CHECK(t::render(t::is_not_distinct(t::row({t::col("a", "x")}), t::row({t::null()}))) ==
          "(ROW(a.\"x\") IS NOT DISTINCT FROM ROW(NULL))");
    CHECK(t::render(t::case_when({{t::gt(t::col("", "n"), t::integer(0)), t::text("pos")}}, t::text("other"))) ==
          "CASE WHEN (\"n\" OPERATOR(pg_catalog.>) 0) THEN 'pos' ELSE 'other' END");
}

TEST_CASE("sql tree: queries, set operations and WITH", "[sql][tree]") {
    t::select inner({t::as(t::col("s", "k"), "k"), t::as(t::fn("sum", {t::col("s", "w")}), "w")});
    inner.from("\"changes\"", "s").group_by({t::col("s", "k")}).having(t::ne(t::fn("sum", {t::col("s", "w")}), t::integer(0)));
    CHECK(t::render(inner) == "SELECT s.\"k\" AS \"k\", pg_catalog.sum(s.\"w\") AS \"w\" FROM \"changes\" s GROUP BY s.\"k\" "
                              "HAVING (pg_catalog.sum(s.\"w\") OPERATOR(pg_catalog.<>) 0)");

    CHECK(t::parenthesised(inner) == "(" + t::render(inner) + ")");

    t::select limited({t::all("")});
    limited.from("t", "x").order_by({{t::col("x", "a"), true, false}}).limit(t::integer(3));
    CHECK(t::render(t::union_all({inner, limited})) ==
          t::render(inner) + " UNION ALL (SELECT * FROM t x ORDER BY x.\"a\" DESC NULLS LAST LIMIT 3)");

    t::select outer({t::all("r")});
    outer.from(t::cross_join(t::from("\"d\"", "p"), t::from(t::select({t::col("p", "k")}), "r", true)))
        .where(t::exists(t::select({t::integer(1)})));
    CHECK(t::render(t::with({{"\"d\"", inner}}, outer, true)) ==
          "WITH RECURSIVE \"d\" AS (" + t::render(inner) +
              ") SELECT r.* FROM \"d\" p CROSS JOIN LATERAL (SELECT p.\"k\") r WHERE EXISTS (SELECT 1)");
}

TEST_CASE("sql tree: data-modifying statements", "[sql][tree]") {
    t::update u{"\"st\"", "t", {{"n", t::plus(t::col("t", "n"), t::col("d", "n"))}}, {t::from("\"d\"", "d")},
                t::eq(t::col("t", "id"), t::col("d", "id")), {t::col("t", "id")}};
    CHECK(t::render(u) == "UPDATE \"st\" t SET \"n\" = (t.\"n\" OPERATOR(pg_catalog.+) d.\"n\") FROM \"d\" d "
                          "WHERE (t.\"id\" OPERATOR(pg_catalog.=) d.\"id\") RETURNING t.\"id\"");
    t::delete_from d{"\"st\"", "t", {}, t::in(t::col("t", "id"), t::select({t::col("d", "id")}).from("\"d\"", "d")), {}};
    CHECK(t::render(d) == "DELETE FROM \"st\" t WHERE (t.\"id\" IN (SELECT d.\"id\" FROM \"d\" d))");
    t::insert i{"\"st\"", {"id", "n"}, t::select({t::col("d", "id"), t::col("d", "n")}).from("\"d\"", "d"), {}};
    CHECK(t::render(i) == "INSERT INTO \"st\" (\"id\", \"n\") SELECT d.\"id\", d.\"n\" FROM \"d\" d");
}

TEST_CASE("sql tree: aggregate and window calls, VALUES, MERGE", "[sql][tree]") {
    t::call_options o;
    o.distinct = true;
    o.order_by = {{t::col("s", "a"), false, std::nullopt, true}};
    o.filter = t::is_not_null(t::col("s", "a"));
    CHECK(t::render(t::aggregate("pg_catalog", "string_agg", {t::col("s", "a"), t::text(",")}, o)) ==
          "pg_catalog.string_agg(DISTINCT s.\"a\", ',' ORDER BY s.\"a\" ASC) FILTER (WHERE (s.\"a\" IS NOT NULL))");
    t::call_options w;
    w.window = true;
    w.partition = {t::col("s", "k")};
    CHECK(t::render(t::aggregate("pg_catalog", "row_number", {}, w)) == "pg_catalog.row_number() OVER (PARTITION BY s.\"k\")");

    t::select v({t::all("v")});
    v.from(t::from_values({{t::integer(1), t::null()}, {t::integer(2), t::text("x")}}, "v", {"a", "b"}, true));
    CHECK(t::render(v) == "SELECT v.* FROM LATERAL (VALUES (1, NULL), (2, 'x')) v(\"a\", \"b\")");

    t::merge m{"\"st\"", "t", t::from("\"d\"", "d"), t::eq(t::col("t", "id"), t::col("d", "id")),
               {{t::negation(t::col("d", "keep")), {}}, {std::nullopt, {{"n", t::col("d", "n")}}}},
               {{t::col("d", "keep"), {"id", "n"}, {t::col("d", "id"), t::col("d", "n")}}}};
    CHECK(t::render(m) == "MERGE INTO \"st\" t USING \"d\" d ON (t.\"id\" OPERATOR(pg_catalog.=) d.\"id\") "
                          "WHEN MATCHED AND (NOT d.\"keep\") THEN DELETE WHEN MATCHED THEN UPDATE SET \"n\" = d.\"n\" "
                          "WHEN NOT MATCHED AND d.\"keep\" THEN INSERT (\"id\", \"n\") VALUES (d.\"id\", d.\"n\")");
}

TEST_CASE("sql tree: quantified comparisons, truth tests, function and renamed relations", "[sql][tree]") {
    const t::query ids = t::select({t::col("d", "id")}).from("\"d\"", "d");
    CHECK(t::render(t::equals_any(t::col("t", "ctid"), ids)) ==
          "t.\"ctid\" OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.\"id\" FROM \"d\" d))");
    CHECK(t::render(t::quantified("<", t::col("l", "a"), false, ids)) ==
          "(l.\"a\" OPERATOR(pg_catalog.<) ALL (SELECT d.\"id\" FROM \"d\" d))");
    CHECK(t::render(t::quantified("@>", t::col("l", "a"), true, ids, "public")) ==
          "(l.\"a\" OPERATOR(public.@>) ANY (SELECT d.\"id\" FROM \"d\" d))");
    CHECK(t::render(t::is_not_true(t::col("l", "a"))) == "(l.\"a\" IS NOT TRUE)");
    CHECK(t::render(t::is_not_false(t::col("l", "a"))) == "(l.\"a\" IS NOT FALSE)");

    t::select copies({t::all("s")});
    copies.from(t::cross_join(t::from("\"b\"", "s"),
                              t::from_function(t::fn("generate_series", {t::integer(1), t::col("s", "w")}), "copies", true)));
    CHECK(t::render(copies) ==
          "SELECT s.* FROM \"b\" s CROSS JOIN LATERAL pg_catalog.generate_series(1, s.\"w\") copies");
    CHECK(t::render(t::select({t::all("q")}).from(t::from_renamed("(SELECT 1)", "q", {"a"}))) == "SELECT q.* FROM (SELECT 1) q(\"a\")");
}
