// Operators and casts evaluated by the oracle against PostgreSQL 15: each row holds the SQL the
// server ran, the same expression as typed IR, and the server's answer.

#include <catch2/catch.hpp>

#include "eval_builders.hpp"

using namespace pgt::test;

TEST_CASE("integer arithmetic checks the result type's range", "[eval]") {
    check_all({
        {"2147483647 + 1", op("+", "int4", {i4("2147483647"), i4("1")}), "ERROR 22003: integer out of range"},
        {"2147483647::int4 + 1::int8", op("+", "int8", {i4("2147483647"), i8("1")}), "2147483648"},
        {"32767::int2 + 1::int2", op("+", "int2", {i2("32767"), i2("1")}), "ERROR 22003: smallint out of range"},
        {"32767::int2 + 1", op("+", "int4", {i2("32767"), i4("1")}), "32768"},
        {"9223372036854775807::int8 + 1", op("+", "int8", {i8("9223372036854775807"), i4("1")}), "ERROR 22003: bigint out of range"},
        {"(-2147483648)::int4 - 1", op("-", "int4", {i4("-2147483648"), i4("1")}), "ERROR 22003: integer out of range"},
        {"65536 * 65536", op("*", "int4", {i4("65536"), i4("65536")}), "ERROR 22003: integer out of range"},
        {"4294967296::int8 * 4294967296::int8", op("*", "int8", {i8("4294967296"), i8("4294967296")}), "ERROR 22003: bigint out of range"},
        {"7 / -2", op("/", "int4", {i4("7"), i4("-2")}), "-3"},
        {"-7 / 2", op("/", "int4", {i4("-7"), i4("2")}), "-3"},
        {"(-2147483648)::int4 / -1", op("/", "int4", {i4("-2147483648"), i4("-1")}), "ERROR 22003: integer out of range"},
        {"(-9223372036854775808)::int8 / -1", op("/", "int8", {i8("-9223372036854775808"), i4("-1")}), "ERROR 22003: bigint out of range"},
        {"(-32768)::int2 / (-1)::int2", op("/", "int2", {i2("-32768"), i2("-1")}), "ERROR 22003: smallint out of range"},
        {"1 / 0", op("/", "int4", {i4("1"), i4("0")}), "ERROR 22012: division by zero"},
        {"-7 % 3", op("%", "int4", {i4("-7"), i4("3")}), "-1"},
        {"7 % -3", op("%", "int4", {i4("7"), i4("-3")}), "1"},
        {"(-2147483648)::int4 % -1", op("%", "int4", {i4("-2147483648"), i4("-1")}), "0"},
        {"1 % 0", op("%", "int4", {i4("1"), i4("0")}), "ERROR 22012: division by zero"},
        {"-(-2147483648)::int4", op("-", "int4", {i4("-2147483648")}), "ERROR 22003: integer out of range"},
        {"-(5::int2)", op("-", "int2", {i2("5")}), "-5"},
        {"+(5)", op("+", "int4", {i4("5")}), "5"},
        {"1 + NULL::int4", op("+", "int4", {i4("1"), null_of("int4")}), "NULL"},
    });
}

TEST_CASE("mixed integer and numeric arithmetic is numeric", "[eval]") {
    check_all({
        {"1 + 1.50", op("+", "numeric", {i4("1"), num("1.50")}), "2.50"},
        {"3 * 1.5", op("*", "numeric", {i4("3"), num("1.5")}), "4.5"},
        {"1 / 3.0", op("/", "numeric", {i4("1"), num("3.0")}), "0.33333333333333333333"},
        {"10 / 4::numeric", op("/", "numeric", {i4("10"), num("4")}), "2.5000000000000000"},
        {"9223372036854775807::int8 + 1::numeric", op("+", "numeric", {i8("9223372036854775807"), num("1")}), "9223372036854775808"},
        {"5.5 % 2", op("%", "numeric", {num("5.5"), i4("2")}), "1.5"},
        {"1.5 / 0", op("/", "numeric", {num("1.5"), i4("0")}), "ERROR 22012: division by zero"},
        {"-(1.50)", op("-", "numeric", {num("1.50")}), "-1.50"},
    });
}

TEST_CASE("floating-point arithmetic with PostgreSQL's range checks", "[eval]") {
    check_all({
        {"0.1::float8 + 0.2::float8", op("+", "float8", {f8("0.1"), f8("0.2")}), "0.30000000000000004"},
        {"0.1::float4 + 0.2::float4", op("+", "float4", {f4("0.1"), f4("0.2")}), "0.3"},
        {"1.5::float4 + 1", op("+", "float8", {f4("1.5"), i4("1")}), "2.5"},
        {"1 / 3::float8", op("/", "float8", {i4("1"), f8("3")}), "0.3333333333333333"},
        {"2.5::numeric + 1::float8", op("+", "float8", {num("2.5"), f8("1")}), "3.5"},
        {"1e308::float8 + 1e308::float8", op("+", "float8", {f8("1e308"), f8("1e308")}), "ERROR 22003: value out of range: overflow"},
        {"1e-200::float8 * 1e-200::float8", op("*", "float8", {f8("1e-200"), f8("1e-200")}), "ERROR 22003: value out of range: underflow"},
        {"0::float8 * 1e-200::float8", op("*", "float8", {f8("0"), f8("1e-200")}), "0"},
        {"1e-300::float8 / 1e300::float8", op("/", "float8", {f8("1e-300"), f8("1e300")}), "ERROR 22003: value out of range: underflow"},
        {"1e300::float8 / 1e-300::float8", op("/", "float8", {f8("1e300"), f8("1e-300")}), "ERROR 22003: value out of range: overflow"},
        {"1::float8 / 0", op("/", "float8", {f8("1"), i4("0")}), "ERROR 22012: division by zero"},
        {"'nan'::float8 / 0", op("/", "float8", {f8("nan"), i4("0")}), "NaN"},
        {"'inf'::float8 + 1", op("+", "float8", {f8("inf"), i4("1")}), "Infinity"},
        {"'inf'::float8 - 'inf'::float8", op("-", "float8", {f8("inf"), f8("inf")}), "NaN"},
        {"3.4e38::float4 * 10::float4", op("*", "float4", {f4("3.4e38"), f4("10")}), "ERROR 22003: value out of range: overflow"},
        {"1.5::float4 / 0::float4", op("/", "float4", {f4("1.5"), f4("0")}), "ERROR 22012: division by zero"},
        {"-(0::float8)", op("-", "float8", {f8("0")}), "-0"},
        {"2 ^ 3", op("^", "float8", {i4("2"), i4("3")}), "8"},
        {"2.0 ^ 3", op("^", "numeric", {num("2.0"), i4("3")}), "8.0000000000000000"},
        {"|/ 16", op("|/", "float8", {i4("16")}), "4"},
        {"@ -5", op("@", "int4", {i4("-5")}), "5"},
    });
}

TEST_CASE("comparisons across numeric types compare values", "[eval]") {
    check_all({
        {"1 = 1.0", op("=", "bool", {i4("1"), num("1.0")}), "t"},
        {"1.5 = 1.50", op("=", "bool", {num("1.5"), num("1.50")}), "t"},
        {"2 > 1.99", op(">", "bool", {i4("2"), num("1.99")}), "t"},
        {"1::int8 <> 1::int2", op("<>", "bool", {i8("1"), i2("1")}), "f"},
        {"0.1::float8 = 0.1", op("=", "bool", {f8("0.1"), num("0.1")}), "t"},
        {"0.1::float4 = 0.1::float8", op("=", "bool", {f4("0.1"), f8("0.1")}), "f"},
        {"'nan'::float8 = 'nan'::float8", op("=", "bool", {f8("nan"), f8("nan")}), "t"},
        {"'nan'::float8 > 'inf'::float8", op(">", "bool", {f8("nan"), f8("inf")}), "t"},
        {"'-0'::float8 = 0::float8", op("=", "bool", {f8("-0"), f8("0")}), "t"},
        {"'nan'::numeric > 'inf'::numeric", op(">", "bool", {num("nan"), num("inf")}), "t"},
        {"'abc' < 'abd'", op("<", "bool", {txt("abc"), txt("abd")}), "t"},
        {"'B' < 'a'", op("<", "bool", {txt("B"), txt("a")}), "t"},
        {"'a'::char(3) = 'a  '::text", op("=", "bool", {lit("a", "char(3)"), txt("a  ")}), "f"},
        {"'a '::char(3) = 'a'::char(2)", op("=", "bool", {lit("a ", "char(3)"), lit("a", "char(2)")}), "t"},
        {"true > false", op(">", "bool", {boolean(true), boolean(false)}), "t"},
        {"date '2024-01-05' < timestamp '2024-01-05 00:00:01'", op("<", "bool", {date("2024-01-05"), ts("2024-01-05 00:00:01")}), "t"},
        {"date '2024-01-05' = timestamptz '2024-01-05 00:00:00+00'", op("=", "bool", {date("2024-01-05"), tstz("2024-01-05 00:00:00+00")}), "t"},
        {"'5874897-12-31'::date > timestamp '294276-12-31 23:59:59'", op(">", "bool", {date("5874897-12-31"), ts("294276-12-31 23:59:59")}), "t"},
        {"'5874897-12-31'::date < 'infinity'::timestamp", op("<", "bool", {date("5874897-12-31"), ts("infinity")}), "t"},
        {"1 <= NULL::int4", op("<=", "bool", {i4("1"), null_of("int4")}), "NULL"},
    });
    CHECK(show(op("=", "bool", {lit("happy", "\"public\".\"mood\""), lit("sad", "\"public\".\"mood\"")}))
              .starts_with("ERROR 0A000: oracle cannot evaluate comparison"));
}

TEST_CASE("text concatenation and LIKE", "[eval]") {
    check_all({
        {"'a' || 'b'", op("||", "text", {txt("a"), txt("b")}), "ab"},
        {"'x' || 1.50", op("||", "text", {txt("x"), num("1.50")}), "x1.50"},
        {"true || ''", op("||", "text", {boolean(true), txt("")}), "true"},
        {"'a'::char(3) || 'b'", op("||", "text", {lit("a", "char(3)"), txt("b")}), "ab"},
        {"'v' || 0.1::float8", op("||", "text", {txt("v"), f8("0.1")}), "v0.1"},
        {"'d' || date '2024-01-05'", op("||", "text", {txt("d"), date("2024-01-05")}), "d2024-01-05"},
        {"'a' || NULL::text", op("||", "text", {txt("a"), null_of("text")}), "NULL"},
        {"'abc' LIKE 'a%'", op("~~", "bool", {txt("abc"), txt("a%")}), "t"},
        {"'abc' LIKE '_b_'", op("~~", "bool", {txt("abc"), txt("_b_")}), "t"},
        {"'abc' LIKE 'a_'", op("~~", "bool", {txt("abc"), txt("a_")}), "f"},
        {"'a_c' LIKE 'a\\_c'", op("~~", "bool", {txt("a_c"), txt("a\\_c")}), "t"},
        {"'abc' LIKE 'a\\_c'", op("~~", "bool", {txt("abc"), txt("a\\_c")}), "f"},
        {"'a%' LIKE 'a\\%'", op("~~", "bool", {txt("a%"), txt("a\\%")}), "t"},
        {"'abc' LIKE 'a\\bc'", op("~~", "bool", {txt("abc"), txt("a\\bc")}), "t"},
        {"'' LIKE '%'", op("~~", "bool", {txt(""), txt("%")}), "t"},
        {"'x' LIKE ''", op("~~", "bool", {txt("x"), txt("")}), "f"},
        {"'é' LIKE '_'", op("~~", "bool", {txt("é"), txt("_")}), "t"},
        {"'aXbXc' LIKE '%X%X%'", op("~~", "bool", {txt("aXbXc"), txt("%X%X%")}), "t"},
        {"'ab' LIKE '%b%c'", op("~~", "bool", {txt("ab"), txt("%b%c")}), "f"},
        {"'abc' LIKE 'x\\'", op("~~", "bool", {txt("abc"), txt("x\\")}), "f"},
        {"'abc' LIKE '%\\'", op("~~", "bool", {txt("abc"), txt("%\\")}), "ERROR 22025: LIKE pattern must not end with escape character"},
        {"'abc' NOT LIKE 'a%'", op("!~~", "bool", {txt("abc"), txt("a%")}), "f"},
        {"'ABC' ILIKE 'a%c'", op("~~*", "bool", {txt("ABC"), txt("a%c")}), "t"},
        {"'ÉA' ILIKE 'éa'", op("~~*", "bool", {txt("ÉA"), txt("éa")}), "f"},
        {"'abc' NOT ILIKE 'A%'", op("!~~*", "bool", {txt("abc"), txt("A%")}), "f"},
        {"'a'::char(3) LIKE 'a'", op("~~", "bool", {lit("a", "char(3)"), txt("a")}), "f"},
        {"'a'::char(3) LIKE 'a  '", op("~~", "bool", {lit("a", "char(3)"), txt("a  ")}), "t"},
    });
}

TEST_CASE("date arithmetic", "[eval]") {
    check_all({
        {"date '2024-01-05' + 30", op("+", "date", {date("2024-01-05"), i4("30")}), "2024-02-04"},
        {"30 + date '2024-01-05'", op("+", "date", {i4("30"), date("2024-01-05")}), "2024-02-04"},
        {"date '2024-03-01' - 1", op("-", "date", {date("2024-03-01"), i4("1")}), "2024-02-29"},
        {"date '2024-02-29' - date '2023-02-28'", op("-", "int4", {date("2024-02-29"), date("2023-02-28")}), "366"},
        {"'infinity'::date - 1", op("-", "date", {date("infinity"), i4("1")}), "infinity"},
        {"'5874897-12-31'::date + 1", op("+", "date", {date("5874897-12-31"), i4("1")}), "ERROR 22008: date out of range"},
        {"'infinity'::date - '2024-01-01'::date", op("-", "int4", {date("infinity"), date("2024-01-01")}), "ERROR 22008: cannot subtract infinite dates"},
    });
    CHECK(show(op("-", "interval", {ts("2024-01-02 00:00:00"), ts("2024-01-01 00:00:00")}))
              .starts_with("ERROR 0A000: oracle cannot evaluate operator -"));
}

TEST_CASE("casts between the known types", "[eval]") {
    check_all({
        {"2.5::numeric::int4", cast(num("2.5"), "int4"), "3"},
        {"(-2.5)::numeric::int4", cast(num("-2.5"), "int4"), "-3"},
        {"2.5::float8::int4", cast(f8("2.5"), "int4"), "2"},
        {"3.5::float8::int4", cast(f8("3.5"), "int4"), "4"},
        {"(-2.5)::float8::int8", cast(f8("-2.5"), "int8"), "-2"},
        {"2.5::float4::int2", cast(f4("2.5"), "int2"), "2"},
        {"2147483647.5::float8::int4", cast(f8("2147483647.5"), "int4"), "ERROR 22003: integer out of range"},
        {"'nan'::float8::int4", cast(f8("nan"), "int4"), "ERROR 22003: integer out of range"},
        {"70000::int2", cast(i4("70000"), "int2"), "ERROR 22003: smallint out of range"},
        {"32767.5::int2", cast(num("32767.5"), "int2"), "ERROR 22003: smallint out of range"},
        {"'nan'::numeric::int4", cast(num("nan"), "int4"), "ERROR 0A000: cannot convert NaN to integer"},
        {"1.005::numeric(5,2)", cast(num("1.005"), "numeric(5,2)"), "1.01"},
        {"12345::numeric(4,1)", cast(i4("12345"), "numeric(4,1)"), "ERROR 22003: numeric field overflow"},
        {"0.1::float8::numeric", cast(f8("0.1"), "numeric"), "0.1"},
        {"1.0000000000000002::float8::numeric", cast(f8("1.0000000000000002"), "numeric"), "1"},
        {"0.1::float4::numeric", cast(f4("0.1"), "numeric"), "0.1"},
        {"0.1::float4::float8", cast(f4("0.1"), "float8"), "0.10000000149011612"},
        {"1e50::float8::float4", cast(f8("1e50"), "float4"), "ERROR 22003: value out of range: overflow"},
        {"1e-50::float8::float4", cast(f8("1e-50"), "float4"), "ERROR 22003: value out of range: underflow"},
        {"16777217::float4", cast(i4("16777217"), "float4"), "1.6777216e+07"},
        {"9007199254740993::int8::float8", cast(i8("9007199254740993"), "float8"), "9.007199254740992e+15"},
        {"1::int4::bool", cast(i4("1"), "bool"), "t"},
        {"0::int4::bool", cast(i4("0"), "bool"), "f"},
        {"true::int4", cast(boolean(true), "int4"), "1"},
        {"true::text", cast(boolean(true), "text"), "true"},
        {"1.50::text", cast(num("1.50"), "text"), "1.50"},
        {"0.1::float8::text", cast(f8("0.1"), "text"), "0.1"},
        {"'abcd'::text::varchar(3)", cast(txt("abcd"), "varchar(3)"), "abc"},
        {"'abcd'::text::char(2)", cast(txt("abcd"), "char(2)"), "ab"},
        {"'a'::text::char(3)", cast(txt("a"), "char(3)"), "a  "},
        {"'a'::char(3)::varchar", cast(lit("a", "char(3)"), "varchar"), "a"},
        {"'éèà'::text::varchar(2)", cast(txt("éèà"), "varchar(2)"), "éè"},
        {"' 42 '::text::int4", cast(txt(" 42 "), "int4"), "42"},
        {"'4x'::text::int4", cast(txt("4x"), "int4"), "ERROR 22P02: invalid input syntax for type integer: \"4x\""},
        {"'1.255'::text::numeric(4,2)", cast(txt("1.255"), "numeric(4,2)"), "1.26"},
        {"'yes'::text::bool", cast(txt("yes"), "bool"), "t"},
        {"'2024-01-05'::text::date", cast(txt("2024-01-05"), "date"), "2024-01-05"},
        {"date '2024-01-05'::timestamp", cast(date("2024-01-05"), "timestamp"), "2024-01-05 00:00:00"},
        {"date '2024-01-05'::timestamptz", cast(date("2024-01-05"), "timestamptz"), "2024-01-05 00:00:00+00"},
        {"'5874897-12-31'::date::timestamp", cast(date("5874897-12-31"), "timestamp"), "ERROR 22008: date out of range for timestamp"},
        {"'infinity'::date::timestamp", cast(date("infinity"), "timestamp"), "infinity"},
        {"timestamp '2024-01-05 23:59:59.999999'::date", cast(ts("2024-01-05 23:59:59.999999"), "date"), "2024-01-05"},
        {"timestamp '0001-01-01 10:00 BC'::date", cast(ts("0001-01-01 10:00 BC"), "date"), "0001-01-01 BC"},
        {"timestamp '2024-01-05 10:11:12.5678'::timestamp(2)", cast(ts("2024-01-05 10:11:12.5678"), "timestamp(2)"), "2024-01-05 10:11:12.57"},
        {"timestamp '2024-01-05 10:11:12'::timestamptz", cast(ts("2024-01-05 10:11:12"), "timestamptz"), "2024-01-05 10:11:12+00"},
        {"timestamp '2024-01-05 10:11:12'::text", cast(ts("2024-01-05 10:11:12"), "text"), "2024-01-05 10:11:12"},
        {"NULL::int4::text", cast(null_of("int4"), "text"), "NULL"},
        {"'abcd'::varchar(3)", lit("abcd", "varchar(3)"), "abc"},
        {"'abcd'::char(2)", lit("abcd", "char(2)"), "ab"},
        {"'1.005'::numeric(5,2)", lit("1.005", "numeric(5,2)"), "1.01"},
        {"'123.4'::numeric(3,1)", lit("123.4", "numeric(3,1)"), "ERROR 22003: numeric field overflow"},
        {"'2024-01-05 10:11:12.5678'::timestamp(2)", lit("2024-01-05 10:11:12.5678", "timestamp(2)"), "2024-01-05 10:11:12.57"},
    });
    CHECK(show(cast(num("1e400"), "float8")).starts_with("ERROR 22003: \"10000000000"));
    CHECK(show(cast(txt("1 day"), "interval")).starts_with("ERROR 0A000: oracle cannot evaluate cast"));
}
