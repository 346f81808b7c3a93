// Input and output functions of pgt::value against PostgreSQL 15 (TimeZone UTC, DateStyle ISO):
// the expected column is the server's rendering of the SQL in the first column.

#include <catch2/catch.hpp>

#include "eval_builders.hpp"

namespace {

using pgt::test::ty;

// parse_value then to_text, or the error, as psql would show the cast's result.
std::string io(const char* text, const char* type) {
    try {
        return pgt::to_text(pgt::parse_value(text, ty(type)), ty(type));
    } catch (const pgt::error& e) {
        return pgt::test::error_text(e);
    }
}

struct io_case {
    const char* sql;
    std::string actual;
    const char* expected;
};

void check_all(const std::vector<io_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.sql);
        CHECK(c.actual == c.expected);
    }
}

} // namespace

TEST_CASE("integer and boolean input", "[value]") {
    check_all({
        {"' 12 '::int4", io(" 12 ", "int4"), "12"},
        {"'+5'::int2", io("+5", "int2"), "5"},
        {"'-9223372036854775808'::int8", io("-9223372036854775808", "int8"), "-9223372036854775808"},
        {"'9223372036854775808'::int8", io("9223372036854775808", "int8"), "ERROR 22003: value \"9223372036854775808\" is out of range for type bigint"},
        {"'99999999999'::int4", io("99999999999", "int4"), "ERROR 22003: value \"99999999999\" is out of range for type integer"},
        {"'40000'::int2", io("40000", "int2"), "ERROR 22003: value \"40000\" is out of range for type smallint"},
        {"'3778120509727633.905'::int4", io("3778120509727633.905", "int4"), "ERROR 22003: value \"3778120509727633.905\" is out of range for type integer"},
        {"'-32768'::int2", io("-32768", "int2"), "-32768"},
        {"'32768'::int2", io("32768", "int2"), "ERROR 22003: value \"32768\" is out of range for type smallint"},
        {"'- 5'::int4", io("- 5", "int4"), "ERROR 22P02: invalid input syntax for type integer: \"- 5\""},
        {"'1.5'::int4", io("1.5", "int4"), "ERROR 22P02: invalid input syntax for type integer: \"1.5\""},
        {"''::int8", io("", "int8"), "ERROR 22P02: invalid input syntax for type bigint: \"\""},
        {"'tr'::bool", io("tr", "bool"), "t"},
        {"' yes '::bool", io(" yes ", "bool"), "t"},
        {"'ON'::bool", io("ON", "bool"), "t"},
        {"'of'::bool", io("of", "bool"), "f"},
        {"'0'::bool", io("0", "bool"), "f"},
        {"'o'::bool", io("o", "bool"), "ERROR 22P02: invalid input syntax for type boolean: \"o\""},
        {"'2'::bool", io("2", "bool"), "ERROR 22P02: invalid input syntax for type boolean: \"2\""},
    });
}

TEST_CASE("numeric input applies the type modifier", "[value]") {
    check_all({
        {"'1.50'::numeric", io("1.50", "numeric"), "1.50"},
        {"'1.005'::numeric(5,2)", io("1.005", "numeric(5,2)"), "1.01"},
        {"'7'::numeric(5,2)", io("7", "numeric(5,2)"), "7.00"},
        {"'12.5'::numeric(3)", io("12.5", "numeric(3)"), "13"},
        {"'1234.5'::numeric(5,2)", io("1234.5", "numeric(5,2)"), "ERROR 22003: numeric field overflow"},
        {"'NaN'::numeric(5,2)", io("NaN", "numeric(5,2)"), "NaN"},
    });
}

TEST_CASE("float output is PostgreSQL's shortest exact text", "[value]") {
    check_all({
        {"'0.1'::float8", io("0.1", "float8"), "0.1"},
        {"'1e20'::float8", io("1e20", "float8"), "1e+20"},
        {"'1e15'::float8", io("1e15", "float8"), "1e+15"},
        {"'123456789012345'::float8", io("123456789012345", "float8"), "123456789012345"},
        {"'0.0001'::float8", io("0.0001", "float8"), "0.0001"},
        {"'0.00001'::float8", io("0.00001", "float8"), "1e-05"},
        {"'1.5e300'::float8", io("1.5e300", "float8"), "1.5e+300"},
        {"'-0'::float8", io("-0", "float8"), "-0"},
        {"'nan'::float8", io("nan", "float8"), "NaN"},
        {"'-inf'::float8", io("-inf", "float8"), "-Infinity"},
        {"' Infinity '::float8", io(" Infinity ", "float8"), "Infinity"},
        {"'5e-324'::float8", io("5e-324", "float8"), "5e-324"},
        {"'1.7976931348623157e308'::float8", io("1.7976931348623157e308", "float8"), "1.7976931348623157e+308"},
        // Ryu as PostgreSQL uses it never accepts the rounding interval's bounds.
        {"'18014398509481992'::float8", io("18014398509481992", "float8"), "1.8014398509481992e+16"},
        {"'0.30000000000000004'::float8", io("0.30000000000000004", "float8"), "0.30000000000000004"},
        {"'1e400'::float8", io("1e400", "float8"), "ERROR 22003: \"1e400\" is out of range for type double precision"},
        {"'1e-400'::float8", io("1e-400", "float8"), "ERROR 22003: \"1e-400\" is out of range for type double precision"},
        {"'abc'::float8", io("abc", "float8"), "ERROR 22P02: invalid input syntax for type double precision: \"abc\""},
        {"'1.5 x'::float8", io("1.5 x", "float8"), "ERROR 22P02: invalid input syntax for type double precision: \"1.5 x\""},
        {"'0.1'::float4", io("0.1", "float4"), "0.1"},
        {"'1234567'::float4", io("1234567", "float4"), "1.234567e+06"},
        {"'999999'::float4", io("999999", "float4"), "999999"},
        {"'1.5e10'::float4", io("1.5e10", "float4"), "1.5000001e+10"},
        {"'38292152'::float4", io("38292152", "float4"), "3.8292152e+07"},
        {"'16777217'::float4", io("16777217", "float4"), "1.6777216e+07"},
        {"'1e-45'::float4", io("1e-45", "float4"), "1e-45"},
        {"'3.4e38'::float4", io("3.4e38", "float4"), "3.4e+38"},
        {"'1e50'::float4", io("1e50", "float4"), "ERROR 22003: \"1e50\" is out of range for type real"},
    });
}

TEST_CASE("character types check and pad their length", "[value]") {
    check_all({
        {"'ab   '::varchar(3)", io("ab   ", "varchar(3)"), "ab "},
        {"'abc'::character varying(3)", io("abc", "character varying(3)"), "abc"},
        {"'a'::char(3)", io("a", "char(3)"), "a  "},
        {"'ab  '::char(2)", io("ab  ", "char(2)"), "ab"},
        {"'héé'::char(4)", io("héé", "char(4)"), "héé "},
        {"'  x  '::text", io("  x  ", "text"), "  x  "},
    });
    // An INSERT applies the input function with the modifier: too long is an error.
    CHECK(io("abcd", "varchar(3)") == "ERROR 22001: value too long for type character varying(3)");
    CHECK(io("abc", "char(2)") == "ERROR 22001: value too long for type character(2)");
    CHECK(io("éé", "varchar(2)") == "éé");
}

TEST_CASE("date input and output", "[value]") {
    check_all({
        {"'2024-01-05'::date", io("2024-01-05", "date"), "2024-01-05"},
        {"' 2024-1-5 '::date", io(" 2024-1-5 ", "date"), "2024-01-05"},
        {"'20240105'::date", io("20240105", "date"), "2024-01-05"},
        {"'2024-01-01 12:34'::date", io("2024-01-01 12:34", "date"), "2024-01-01"},
        {"'2024-02-29'::date", io("2024-02-29", "date"), "2024-02-29"},
        {"'0044-03-15 BC'::date", io("0044-03-15 BC", "date"), "0044-03-15 BC"},
        {"'2024-01-05 AD'::date", io("2024-01-05 AD", "date"), "2024-01-05"},
        {"'4714-11-24 BC'::date", io("4714-11-24 BC", "date"), "4714-11-24 BC"},
        {"'5874897-12-31'::date", io("5874897-12-31", "date"), "5874897-12-31"},
        {"'10000-01-01'::date", io("10000-01-01", "date"), "10000-01-01"},
        {"'infinity'::date", io("infinity", "date"), "infinity"},
        {"'-infinity'::date", io("-infinity", "date"), "-infinity"},
        {"'epoch'::date", io("epoch", "date"), "1970-01-01"},
        {"'2023-02-29'::date", io("2023-02-29", "date"), "ERROR 22008: date/time field value out of range: \"2023-02-29\""},
        {"'2024-13-01'::date", io("2024-13-01", "date"), "ERROR 22008: date/time field value out of range: \"2024-13-01\""},
        {"'0000-01-01'::date", io("0000-01-01", "date"), "ERROR 22008: date/time field value out of range: \"0000-01-01\""},
        {"'5874898-01-01'::date", io("5874898-01-01", "date"), "ERROR 22008: date out of range: \"5874898-01-01\""},
        {"'4714-11-23 BC'::date", io("4714-11-23 BC", "date"), "ERROR 22008: date out of range: \"4714-11-23 BC\""},
        {"'abc'::date", io("abc", "date"), "ERROR 22007: invalid input syntax for type date: \"abc\""},
    });
    // Forms PostgreSQL reads but the oracle does not are refused, not guessed.
    CHECK(io("Jan 5 2024", "date").starts_with("ERROR 0A000: oracle cannot parse date input"));
}

TEST_CASE("timestamp input and output", "[value]") {
    check_all({
        {"'2024-01-05 10:11:12'::timestamp", io("2024-01-05 10:11:12", "timestamp"), "2024-01-05 10:11:12"},
        {"'2024-01-05T10:11:12.1234567'::timestamp", io("2024-01-05T10:11:12.1234567", "timestamp"), "2024-01-05 10:11:12.123457"},
        {"'2024-01-05 10:11:12.500'::timestamp", io("2024-01-05 10:11:12.500", "timestamp"), "2024-01-05 10:11:12.5"},
        {"'2024-1-5 1:2:3'::timestamp", io("2024-1-5 1:2:3", "timestamp"), "2024-01-05 01:02:03"},
        {"'2024-01-05 10:11'::timestamp", io("2024-01-05 10:11", "timestamp"), "2024-01-05 10:11:00"},
        {"'2024-01-05'::timestamp", io("2024-01-05", "timestamp"), "2024-01-05 00:00:00"},
        {"'2024-01-05 24:00:00'::timestamp", io("2024-01-05 24:00:00", "timestamp"), "2024-01-06 00:00:00"},
        {"'2024-01-05 10:11:60'::timestamp", io("2024-01-05 10:11:60", "timestamp"), "2024-01-05 10:12:00"},
        {"'2024-01-05 10:11:12+02'::timestamp", io("2024-01-05 10:11:12+02", "timestamp"), "2024-01-05 10:11:12"},
        {"'2024-01-05 BC'::timestamp", io("2024-01-05 BC", "timestamp"), "2024-01-05 00:00:00 BC"},
        {"'294276-12-31 23:59:59.999999'::timestamp", io("294276-12-31 23:59:59.999999", "timestamp"), "294276-12-31 23:59:59.999999"},
        {"'2024-01-05 10:11:12.123456789'::timestamp(2)", io("2024-01-05 10:11:12.123456789", "timestamp(2)"), "2024-01-05 10:11:12.12"},
        {"'1999-12-31 23:59:59.995'::timestamp(2)", io("1999-12-31 23:59:59.995", "timestamp(2)"), "1999-12-31 23:59:59.99"},
        {"'2000-01-01 00:00:00.005'::timestamp(2)", io("2000-01-01 00:00:00.005", "timestamp(2)"), "2000-01-01 00:00:00.01"},
        {"'-infinity'::timestamp", io("-infinity", "timestamp"), "-infinity"},
        {"'2024-01-05 10:11:12.5+02'::timestamptz", io("2024-01-05 10:11:12.5+02", "timestamptz"), "2024-01-05 08:11:12.5+00"},
        {"'2024-01-05 10:11:12-03:30'::timestamptz", io("2024-01-05 10:11:12-03:30", "timestamptz"), "2024-01-05 13:41:12+00"},
        {"'2024-01-05 10:11:12 +0530'::timestamptz", io("2024-01-05 10:11:12 +0530", "timestamptz"), "2024-01-05 04:41:12+00"},
        {"'2024-01-05 10:11:12 Z'::timestamptz", io("2024-01-05 10:11:12 Z", "timestamptz"), "2024-01-05 10:11:12+00"},
        {"'2024-01-05 10:11:12 UTC'::timestamptz", io("2024-01-05 10:11:12 UTC", "timestamptz"), "2024-01-05 10:11:12+00"},
        {"'2024-01-05 10:11:12 BC'::timestamptz", io("2024-01-05 10:11:12 BC", "timestamptz"), "2024-01-05 10:11:12+00 BC"},
        {"'2024-01-05 10:11:12.9'::timestamptz(0)", io("2024-01-05 10:11:12.9", "timestamptz(0)"), "2024-01-05 10:11:13+00"},
        {"'2024-01-05 10:11:12+16'::timestamptz", io("2024-01-05 10:11:12+16", "timestamptz"), "ERROR 22009: time zone displacement out of range: \"2024-01-05 10:11:12+16\""},
        {"'2024-01-05 25:00'::timestamp", io("2024-01-05 25:00", "timestamp"), "ERROR 22008: date/time field value out of range: \"2024-01-05 25:00\""},
        {"'2024-01-05 24:00:01'::timestamp", io("2024-01-05 24:00:01", "timestamp"), "ERROR 22008: date/time field value out of range: \"2024-01-05 24:00:01\""},
        {"'294277-01-01'::timestamp", io("294277-01-01", "timestamp"), "ERROR 22008: timestamp out of range: \"294277-01-01\""},
        {"'abc'::timestamp", io("abc", "timestamp"), "ERROR 22007: invalid input syntax for type timestamp: \"abc\""},
    });
    CHECK(io("2024-01-05 10:11:12 America/New_York", "timestamptz").starts_with("ERROR 0A000: oracle cannot parse"));
}

TEST_CASE("types the oracle does not know stay text", "[value]") {
    pgt::value v = pgt::parse_value("(1,2)", ty("point"));
    REQUIRE(std::holds_alternative<pgt::opaque_value>(v));
    CHECK(pgt::to_text(v, ty("point")) == "(1,2)");
    CHECK(std::holds_alternative<pgt::opaque_value>(pgt::parse_value("1 day", ty("interval"))));
}

TEST_CASE("SQL literals read back as the same value", "[value]") {
    using pgt::to_sql_literal;
    CHECK(to_sql_literal(pgt::value{}, ty("int4")) == "NULL::pg_catalog.int4");
    CHECK(to_sql_literal(std::int64_t{-5}, ty("int4")) == "'-5'::pg_catalog.int4");
    CHECK(to_sql_literal(std::string("it's"), ty("text")) == "'it''s'::pg_catalog.text");
    CHECK(to_sql_literal(pgt::numeric::parse("1.50"), ty("numeric(12,2)")) == "'1.50'::pg_catalog.numeric(12,2)");
    CHECK(to_sql_literal(0.1, ty("float8")) == "'0.1'::pg_catalog.float8");
    CHECK(to_sql_literal(true, ty("bool")) == "'t'::pg_catalog.bool");
    CHECK(to_sql_literal(std::string("a"), ty("char(3)")) == "'a  '::pg_catalog.bpchar(3)");
    CHECK(to_sql_literal(pgt::parse_value("2024-01-05", ty("date")), ty("date")) == "'2024-01-05'::pg_catalog.date");
    CHECK(to_sql_literal(pgt::opaque_value{"x'y"}, ty("\"public\".\"mood\"")) == "'x''y'::\"public\".\"mood\"");
}
