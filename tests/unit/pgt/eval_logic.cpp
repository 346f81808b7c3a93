// Three-valued logic and the conditional expressions, against PostgreSQL 15's answers.

#include <catch2/catch.hpp>

#include "eval_builders.hpp"

using namespace pgt::test;

namespace {
expr_ptr T() { return boolean(true); }
expr_ptr F() { return boolean(false); }
expr_ptr U() { return null_bool(); }
} // namespace

TEST_CASE("AND, OR and NOT follow three-valued logic", "[eval]") {
    check_all({
        {"false AND NULL::bool", node(expr_kind::and_, "bool", {F(), U()}), "f"},
        {"NULL::bool AND false", node(expr_kind::and_, "bool", {U(), F()}), "f"},
        {"true AND NULL::bool", node(expr_kind::and_, "bool", {T(), U()}), "NULL"},
        {"true AND true AND true", node(expr_kind::and_, "bool", {T(), T(), T()}), "t"},
        {"true OR NULL::bool", node(expr_kind::or_, "bool", {T(), U()}), "t"},
        {"NULL::bool OR true", node(expr_kind::or_, "bool", {U(), T()}), "t"},
        {"false OR NULL::bool", node(expr_kind::or_, "bool", {F(), U()}), "NULL"},
        {"false OR false", node(expr_kind::or_, "bool", {F(), F()}), "f"},
        {"NOT NULL::bool", node(expr_kind::not_, "bool", {U()}), "NULL"},
        {"NOT false", node(expr_kind::not_, "bool", {F()}), "t"},
    });
    // A decided AND does not evaluate the rest: 1/0 is never reached.
    CHECK(show(node(expr_kind::and_, "bool", {F(), op("=", "bool", {op("/", "int4", {i4("1"), i4("0")}), i4("1")})})) == "f");
}

TEST_CASE("predicates are true only for TRUE", "[eval]") {
    pgt::row r{{std::int64_t{5}, pgt::value{}}};
    CHECK(pgt::eval_predicate(*op(">", "bool", {col(0, "int4"), i4("3")}), r));
    CHECK_FALSE(pgt::eval_predicate(*op(">", "bool", {col(0, "int4"), i4("7")}), r));
    CHECK_FALSE(pgt::eval_predicate(*op(">", "bool", {col(1, "int4"), i4("3")}), r));
    CHECK(show(col(0, "int4"), r) == "5");
    CHECK(show(col(1, "int4"), r) == "NULL");
    CHECK(show(col(2, "int4"), r).starts_with("ERROR XX000"));
}

TEST_CASE("CASE, COALESCE and NULLIF", "[eval]") {
    check_all({
        {"CASE WHEN NULL::bool THEN 1 WHEN true THEN 2 ELSE 3 END", case_when("int4", {U(), i4("1"), T(), i4("2"), i4("3")}, true), "2"},
        {"CASE WHEN false THEN 1 END", case_when("int4", {F(), i4("1")}, false), "NULL"},
        {"CASE WHEN 1 > 2 THEN 1.5 ELSE 2 END", case_when("numeric", {op(">", "bool", {i4("1"), i4("2")}), num("1.5"), i4("2")}, true), "2"},
        {"CASE WHEN true THEN 1 ELSE 1/0 END", case_when("int4", {T(), i4("1"), op("/", "int4", {i4("1"), i4("0")})}, true), "1"},
        {"COALESCE(NULL::int4, NULL::int4, 3, 4)", node(expr_kind::coalesce, "int4", {null_of("int4"), null_of("int4"), i4("3"), i4("4")}), "3"},
        {"COALESCE(NULL::int4, 2.50)", node(expr_kind::coalesce, "numeric", {null_of("int4"), num("2.50")}), "2.50"},
        {"COALESCE(NULL::int4, NULL::int4)", node(expr_kind::coalesce, "int4", {null_of("int4"), null_of("int4")}), "NULL"},
        {"COALESCE(1, 1/0)", node(expr_kind::coalesce, "int4", {i4("1"), op("/", "int4", {i4("1"), i4("0")})}), "1"},
        {"NULLIF(1, 1)", node(expr_kind::nullif, "int4", {i4("1"), i4("1")}), "NULL"},
        {"NULLIF(1, 2)", node(expr_kind::nullif, "int4", {i4("1"), i4("2")}), "1"},
        {"NULLIF(1.0, 1)", node(expr_kind::nullif, "numeric", {num("1.0"), i4("1")}), "NULL"},
        {"NULLIF(1, NULL::int4)", node(expr_kind::nullif, "int4", {i4("1"), null_of("int4")}), "1"},
        {"NULLIF(NULL::int4, 1)", node(expr_kind::nullif, "int4", {null_of("int4"), i4("1")}), "NULL"},
    });
}

TEST_CASE("GREATEST and LEAST ignore NULLs", "[eval]") {
    check_all({
        {"GREATEST(1, NULL::int4, 3)", node(expr_kind::greatest, "int4", {i4("1"), null_of("int4"), i4("3")}), "3"},
        {"LEAST(1, NULL::int4, 3)", node(expr_kind::least, "int4", {i4("1"), null_of("int4"), i4("3")}), "1"},
        {"GREATEST(NULL::int4, NULL::int4)", node(expr_kind::greatest, "int4", {null_of("int4"), null_of("int4")}), "NULL"},
        {"GREATEST(1, 2.5)", node(expr_kind::greatest, "numeric", {i4("1"), num("2.5")}), "2.5"},
        {"LEAST(1.50, 2)", node(expr_kind::least, "numeric", {num("1.50"), i4("2")}), "1.50"},
        {"GREATEST('a', 'B')", node(expr_kind::greatest, "text", {txt("a"), txt("B")}), "a"},
        {"GREATEST(1::float8, 'nan'::float8)", node(expr_kind::greatest, "float8", {f8("1"), f8("nan")}), "NaN"},
        {"LEAST(date '2024-01-05', date '2023-12-31')", node(expr_kind::least, "date", {date("2024-01-05"), date("2023-12-31")}), "2023-12-31"},
    });
}

TEST_CASE("IS NULL, IS DISTINCT FROM and IN", "[eval]") {
    check_all({
        {"NULL::int4 IS NULL", node(expr_kind::is_null, "bool", {null_of("int4")}), "t"},
        {"1 IS NULL", node(expr_kind::is_null, "bool", {i4("1")}), "f"},
        {"1 IS NOT NULL", node(expr_kind::is_null, "bool", {i4("1")}, true), "t"},
        {"NULL::int4 IS DISTINCT FROM NULL::int4", node(expr_kind::is_distinct_from, "bool", {null_of("int4"), null_of("int4")}), "f"},
        {"1 IS DISTINCT FROM NULL::int4", node(expr_kind::is_distinct_from, "bool", {i4("1"), null_of("int4")}), "t"},
        {"1 IS DISTINCT FROM 1.0", node(expr_kind::is_distinct_from, "bool", {i4("1"), num("1.0")}), "f"},
        {"1 IS NOT DISTINCT FROM 2", node(expr_kind::is_distinct_from, "bool", {i4("1"), i4("2")}, true), "f"},
        {"NULL::int4 IS NOT DISTINCT FROM NULL::int4", node(expr_kind::is_distinct_from, "bool", {null_of("int4"), null_of("int4")}, true), "t"},
        {"1 IN (1, NULL::int4)", node(expr_kind::in_list, "bool", {i4("1"), i4("1"), null_of("int4")}), "t"},
        {"2 IN (1, NULL::int4)", node(expr_kind::in_list, "bool", {i4("2"), i4("1"), null_of("int4")}), "NULL"},
        {"2 IN (1, 3)", node(expr_kind::in_list, "bool", {i4("2"), i4("1"), i4("3")}), "f"},
        {"NULL::int4 IN (1, 3)", node(expr_kind::in_list, "bool", {null_of("int4"), i4("1"), i4("3")}), "NULL"},
        {"2 NOT IN (1, NULL::int4)", node(expr_kind::in_list, "bool", {i4("2"), i4("1"), null_of("int4")}, true), "NULL"},
        {"2 NOT IN (1, 3)", node(expr_kind::in_list, "bool", {i4("2"), i4("1"), i4("3")}, true), "t"},
        {"1 NOT IN (1, NULL::int4)", node(expr_kind::in_list, "bool", {i4("1"), i4("1"), null_of("int4")}, true), "f"},
        {"1.5 IN (1, 1.50)", node(expr_kind::in_list, "bool", {num("1.5"), i4("1"), num("1.50")}), "t"},
        {"'b' IN ('a', 'b')", node(expr_kind::in_list, "bool", {txt("b"), txt("a"), txt("b")}), "t"},
    });
}

TEST_CASE("malformed expressions are internal errors", "[eval]") {
    CHECK(show(node(expr_kind::not_, "bool", {})).starts_with("ERROR XX000: malformed expression"));
    CHECK(show(node(expr_kind::nullif, "int4", {i4("1")})).starts_with("ERROR XX000: malformed expression"));
    CHECK(show(case_when("int4", {T(), i4("1")}, true)).starts_with("ERROR XX000: malformed expression"));
}

TEST_CASE("what the oracle cannot evaluate is refused with 0A000", "[eval]") {
    CHECK(show(fn("no_such_function", "int4", {i4("1")})) == "ERROR 0A000: oracle cannot evaluate function no_such_function");
    auto user_fn = pgt::ir::make_call(expr_kind::func, "public", "f", ty("int4"), {i4("1")});
    CHECK(show(user_fn) == "ERROR 0A000: oracle cannot evaluate function public.f");
    CHECK(show(op("@@", "bool", {txt("a"), txt("b")})) == "ERROR 0A000: oracle cannot evaluate operator @@");
    CHECK(show(fn("date_trunc", "timestamptz", {txt("day"), tstz("2024-01-05 10:00+00"), txt("Europe/Paris")})) ==
          "ERROR 0A000: oracle cannot evaluate function date_trunc with 3 arguments");
    CHECK(show(fn("now", "timestamptz", {})) == "ERROR 0A000: oracle cannot evaluate function now");
    CHECK(show(node(expr_kind::greatest, "\"public\".\"mood\"", {lit("sad", "\"public\".\"mood\""), lit("happy", "\"public\".\"mood\"")})) ==
          "ERROR 0A000: oracle cannot evaluate the order of \"public\".\"mood\"");
    CHECK(show(op("+", "interval", {lit("1 day", "interval"), lit("1 day", "interval")})) ==
          "ERROR 0A000: oracle cannot evaluate arithmetic producing pg_catalog.interval");
}
