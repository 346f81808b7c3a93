// Built-in functions evaluated by the oracle against PostgreSQL 15 (TimeZone UTC): each row
// holds the SQL the server ran, the typed IR, and the server's answer.

#include <catch2/catch.hpp>

#include "eval_builders.hpp"

using namespace pgt::test;

namespace {
void check_all(const std::vector<server_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.sql);
        CHECK(show(c.expr) == c.expected);
    }
}
} // namespace

TEST_CASE("mathematical functions", "[eval]") {
    check_all({
        {"abs(-5)", fn("abs", "int4", {i4("-5")}), "5"},
        {"abs((-2147483648)::int4)", fn("abs", "int4", {i4("-2147483648")}), "ERROR 22003: integer out of range"},
        {"abs((-32768)::int2)", fn("abs", "int2", {i2("-32768")}), "ERROR 22003: smallint out of range"},
        {"abs(-2.50)", fn("abs", "numeric", {num("-2.50")}), "2.50"},
        {"abs('-inf'::float8)", fn("abs", "float8", {f8("-inf")}), "Infinity"},
        {"abs(-1.5::float4)", fn("abs", "float4", {op("-", "float4", {f4("1.5")})}), "1.5"},
        {"round(2.5::float8)", fn("round", "float8", {f8("2.5")}), "2"},
        {"round(3.5::float8)", fn("round", "float8", {f8("3.5")}), "4"},
        {"round(-0.5::float8)", fn("round", "float8", {op("-", "float8", {f8("0.5")})}), "-0"},
        {"round(2.5)", fn("round", "numeric", {num("2.5")}), "3"},
        {"round(2.567, 2)", fn("round", "numeric", {num("2.567"), i4("2")}), "2.57"},
        {"round(1234.5678, -2)", fn("round", "numeric", {num("1234.5678"), i4("-2")}), "1200"},
        {"round(2.5, 3)", fn("round", "numeric", {num("2.5"), i4("3")}), "2.500"},
        {"trunc(-2.7::float8)", fn("trunc", "float8", {op("-", "float8", {f8("2.7")})}), "-2"},
        {"trunc(2.567, 2)", fn("trunc", "numeric", {num("2.567"), i4("2")}), "2.56"},
        {"trunc(-2.567)", fn("trunc", "numeric", {num("-2.567")}), "-2"},
        {"floor(-0.5::float8)", fn("floor", "float8", {op("-", "float8", {f8("0.5")})}), "-1"},
        {"floor(-0.5)", fn("floor", "numeric", {num("-0.5")}), "-1"},
        {"ceil(-0.5::float8)", fn("ceil", "float8", {op("-", "float8", {f8("0.5")})}), "-0"},
        {"ceiling(1.01)", fn("ceiling", "numeric", {num("1.01")}), "2"},
        {"sign(-2::float8)", fn("sign", "float8", {op("-", "float8", {f8("2")})}), "-1"},
        {"sign(-0.0::float8)", fn("sign", "float8", {op("-", "float8", {f8("0.0")})}), "0"},
        {"sign(0.00)", fn("sign", "numeric", {num("0.00")}), "0"},
        {"mod(-7, 3)", fn("mod", "int4", {i4("-7"), i4("3")}), "-1"},
        {"mod((-5)::int2, 3::int2)", fn("mod", "int2", {i2("-5"), i2("3")}), "-2"},
        {"mod(5.5, 2)", fn("mod", "numeric", {num("5.5"), num("2")}), "1.5"},
        {"mod(5, 0)", fn("mod", "int4", {i4("5"), i4("0")}), "ERROR 22012: division by zero"},
        {"sqrt(2::float8)", fn("sqrt", "float8", {f8("2")}), "1.4142135623730951"},
        {"sqrt(2::numeric)", fn("sqrt", "numeric", {num("2")}), "1.414213562373095"},
        {"sqrt(-1::float8)", fn("sqrt", "float8", {op("-", "float8", {f8("1")})}), "ERROR 2201F: cannot take square root of a negative number"},
        {"power(2::float8, 0.5::float8)", fn("power", "float8", {f8("2"), f8("0.5")}), "1.4142135623730951"},
        {"power(10::float8, 400::float8)", fn("power", "float8", {f8("10"), f8("400")}), "ERROR 22003: value out of range: overflow"},
        {"power(10::float8, -400::float8)", fn("power", "float8", {f8("10"), f8("-400")}), "ERROR 22003: value out of range: underflow"},
        {"power(0::float8, -1::float8)", fn("power", "float8", {f8("0"), f8("-1")}), "ERROR 2201F: zero raised to a negative power is undefined"},
        {"power((-8)::float8, 1.0::float8/3)", fn("power", "float8", {f8("-8"), op("/", "float8", {f8("1.0"), i4("3")})}), "ERROR 2201F: a negative number raised to a non-integer power yields a complex result"},
        {"power('nan'::float8, 0::float8)", fn("power", "float8", {f8("nan"), f8("0")}), "1"},
        {"power(1::float8, 'nan'::float8)", fn("power", "float8", {f8("1"), f8("nan")}), "1"},
        {"power('inf'::float8, -1::float8)", fn("power", "float8", {f8("inf"), f8("-1")}), "0"},
        {"power('-inf'::float8, 3::float8)", fn("power", "float8", {f8("-inf"), f8("3")}), "-Infinity"},
        {"power(0.5::float8, '-inf'::float8)", fn("power", "float8", {f8("0.5"), f8("-inf")}), "Infinity"},
        {"pow(2::numeric, 10::numeric)", fn("pow", "numeric", {num("2"), num("10")}), "1024.0000000000000000"},
        {"abs(NULL::int4)", fn("abs", "int4", {null_of("int4")}), "NULL"},
    });
}

TEST_CASE("string functions count characters", "[eval]") {
    check_all({
        {"upper('héllo')", fn("upper", "text", {txt("héllo")}), "HéLLO"},
        {"lower('ABC')", fn("lower", "text", {txt("ABC")}), "abc"},
        {"length('héllo')", fn("length", "int4", {txt("héllo")}), "5"},
        {"length('a '::char(3))", fn("length", "int4", {lit("a ", "char(3)")}), "1"},
        {"char_length('abc')", fn("char_length", "int4", {txt("abc")}), "3"},
        {"substr('hello', 0, 3)", fn("substr", "text", {txt("hello"), i4("0"), i4("3")}), "he"},
        {"substr('hello', -2, 5)", fn("substr", "text", {txt("hello"), i4("-2"), i4("5")}), "he"},
        {"substr('hello', -5, 3)", fn("substr", "text", {txt("hello"), i4("-5"), i4("3")}), ""},
        {"substr('hello', 4)", fn("substr", "text", {txt("hello"), i4("4")}), "lo"},
        {"substr('hello', 9)", fn("substr", "text", {txt("hello"), i4("9")}), ""},
        {"substr('héllo', 2, 2)", fn("substr", "text", {txt("héllo"), i4("2"), i4("2")}), "él"},
        {"substring('hello' from 2 for 2)", fn("substring", "text", {txt("hello"), i4("2"), i4("2")}), "el"},
        {"substr('hello', 1, -1)", fn("substr", "text", {txt("hello"), i4("1"), i4("-1")}), "ERROR 22011: negative substring length not allowed"},
        {"left('hello', 2)", fn("left", "text", {txt("hello"), i4("2")}), "he"},
        {"left('hello', -2)", fn("left", "text", {txt("hello"), i4("-2")}), "hel"},
        {"left('hello', -9)", fn("left", "text", {txt("hello"), i4("-9")}), ""},
        {"right('hello', 2)", fn("right", "text", {txt("hello"), i4("2")}), "lo"},
        {"right('hello', -2)", fn("right", "text", {txt("hello"), i4("-2")}), "llo"},
        {"right('hé', 1)", fn("right", "text", {txt("hé"), i4("1")}), "é"},
        {"concat('a', NULL, 1, true, 1.50, 0.1::float8)", fn("concat", "text", {txt("a"), null_of("text"), i4("1"), boolean(true), num("1.50"), f8("0.1")}), "a1t1.500.1"},
        {"concat('a'::char(3), 'b')", fn("concat", "text", {lit("a", "char(3)"), txt("b")}), "a  b"},
        {"concat(NULL::text)", fn("concat", "text", {null_of("text")}), ""},
        {"btrim('xxhixx', 'x')", fn("btrim", "text", {txt("xxhixx"), txt("x")}), "hi"},
        {"btrim('  hi  ')", fn("btrim", "text", {txt("  hi  ")}), "hi"},
        {"ltrim('  hi  ')", fn("ltrim", "text", {txt("  hi  ")}), "hi  "},
        {"rtrim('  hi  ')", fn("rtrim", "text", {txt("  hi  ")}), "  hi"},
        {"ltrim('ééa', 'é')", fn("ltrim", "text", {txt("ééa"), txt("é")}), "a"},
        {"rtrim('abcab', 'ba')", fn("rtrim", "text", {txt("abcab"), txt("ba")}), "abc"},
        {"replace('hello', 'l', 'L')", fn("replace", "text", {txt("hello"), txt("l"), txt("L")}), "heLLo"},
        {"replace('aaa', 'aa', 'b')", fn("replace", "text", {txt("aaa"), txt("aa"), txt("b")}), "ba"},
        {"replace('hello', '', 'x')", fn("replace", "text", {txt("hello"), txt(""), txt("x")}), "hello"},
        {"strpos('héllo', 'l')", fn("strpos", "int4", {txt("héllo"), txt("l")}), "3"},
        {"strpos('hello', '')", fn("strpos", "int4", {txt("hello"), txt("")}), "1"},
        {"strpos('hello', 'z')", fn("strpos", "int4", {txt("hello"), txt("z")}), "0"},
        {"position('lo' in 'hello')", fn("position", "int4", {txt("hello"), txt("lo")}), "4"},
        {"lpad('hi', 5, 'xy')", fn("lpad", "text", {txt("hi"), i4("5"), txt("xy")}), "xyxhi"},
        {"rpad('hi', 5, 'xy')", fn("rpad", "text", {txt("hi"), i4("5"), txt("xy")}), "hixyx"},
        {"lpad('hi', 4)", fn("lpad", "text", {txt("hi"), i4("4")}), "  hi"},
        {"lpad('hello', 2)", fn("lpad", "text", {txt("hello"), i4("2")}), "he"},
        {"rpad('hello', 2)", fn("rpad", "text", {txt("hello"), i4("2")}), "he"},
        {"lpad('hi', 5, '')", fn("lpad", "text", {txt("hi"), i4("5"), txt("")}), "hi"},
        {"lpad('hi', -1)", fn("lpad", "text", {txt("hi"), i4("-1")}), ""},
        {"rpad('é', 3, 'è')", fn("rpad", "text", {txt("é"), i4("3"), txt("è")}), "éèè"},
        {"md5('abc')", fn("md5", "text", {txt("abc")}), "900150983cd24fb0d6963f7d28e17f72"},
        {"md5('')", fn("md5", "text", {txt("")}), "d41d8cd98f00b204e9800998ecf8427e"},
        {"md5('The quick brown fox jumps over the lazy dog, twice over.')", fn("md5", "text", {txt("The quick brown fox jumps over the lazy dog, twice over.")}), "abdedef44dd1b91ef70d75522704c44c"},
        {"upper(NULL::text)", fn("upper", "text", {null_of("text")}), "NULL"},
    });
}

TEST_CASE("date_trunc", "[eval]") {
    auto trunc = [](const char* unit, expr_ptr t, const char* type = "timestamp") {
        return fn("date_trunc", type, {txt(unit), std::move(t)});
    };
    const char* t = "2021-08-14 15:16:17.123456";
    check_all({
        {"date_trunc('microseconds', timestamp '2021-08-14 15:16:17.123456')", trunc("microseconds", ts(t)), "2021-08-14 15:16:17.123456"},
        {"date_trunc('milliseconds', timestamp '2021-08-14 15:16:17.123456')", trunc("milliseconds", ts(t)), "2021-08-14 15:16:17.123"},
        {"date_trunc('second', timestamp '2021-08-14 15:16:17.123456')", trunc("second", ts(t)), "2021-08-14 15:16:17"},
        {"date_trunc('MINUTE', timestamp '2021-08-14 15:16:17.123456')", trunc("MINUTE", ts(t)), "2021-08-14 15:16:00"},
        {"date_trunc('hour', timestamp '2021-08-14 15:16:17.123456')", trunc("hour", ts(t)), "2021-08-14 15:00:00"},
        {"date_trunc('day', timestamp '2021-08-14 15:16:17.123456')", trunc("day", ts(t)), "2021-08-14 00:00:00"},
        {"date_trunc('week', timestamp '2021-08-14 15:16:17.123456')", trunc("week", ts(t)), "2021-08-09 00:00:00"},
        {"date_trunc('week', timestamp '2021-01-01 10:00')", trunc("week", ts("2021-01-01 10:00")), "2020-12-28 00:00:00"},
        {"date_trunc('month', timestamp '2021-08-14 15:16:17.123456')", trunc("month", ts(t)), "2021-08-01 00:00:00"},
        {"date_trunc('quarter', timestamp '2021-08-14 15:16:17.123456')", trunc("quarter", ts(t)), "2021-07-01 00:00:00"},
        {"date_trunc('year', timestamp '2021-08-14 15:16:17.123456')", trunc("year", ts(t)), "2021-01-01 00:00:00"},
        {"date_trunc('decade', timestamp '2021-08-14 15:16:17.123456')", trunc("decade", ts(t)), "2020-01-01 00:00:00"},
        {"date_trunc('century', timestamp '2021-08-14 15:16:17.123456')", trunc("century", ts(t)), "2001-01-01 00:00:00"},
        {"date_trunc('millennium', timestamp '2021-08-14 15:16:17.123456')", trunc("millennium", ts(t)), "2001-01-01 00:00:00"},
        {"date_trunc('century', timestamp '2000-12-31')", trunc("century", ts("2000-12-31")), "1901-01-01 00:00:00"},
        {"date_trunc('decade', timestamp '0015-06-01 BC')", trunc("decade", ts("0015-06-01 BC")), "0021-01-01 00:00:00 BC"},
        {"date_trunc('century', timestamp '0015-06-01 BC')", trunc("century", ts("0015-06-01 BC")), "0100-01-01 00:00:00 BC"},
        {"date_trunc('millennium', timestamp '0001-06-01 BC')", trunc("millennium", ts("0001-06-01 BC")), "1000-01-01 00:00:00 BC"},
        {"date_trunc('mon', timestamp '2021-08-14 15:16:17.123456')", trunc("mon", ts(t)), "2021-08-01 00:00:00"},
        {"date_trunc('hours', timestamp '2021-08-14 15:16:17.123456')", trunc("hours", ts(t)), "2021-08-14 15:00:00"},
        {"date_trunc('day', timestamptz '2021-08-14 15:16:17+02')", trunc("day", tstz("2021-08-14 15:16:17+02"), "timestamptz"), "2021-08-14 00:00:00+00"},
        {"date_trunc('month', date '2021-08-14')", trunc("month", cast(date("2021-08-14"), "timestamptz"), "timestamptz"), "2021-08-01 00:00:00+00"},
        {"date_trunc('year', timestamp 'infinity')", trunc("year", ts("infinity")), "infinity"},
        {"date_trunc('foo', timestamp '2021-08-14')", trunc("foo", ts("2021-08-14")), "ERROR 22023: unit \"foo\" not recognized for type timestamp without time zone"},
        {"date_trunc('epoch', timestamp '2021-08-14')", trunc("epoch", ts("2021-08-14")), "ERROR 22023: unit \"epoch\" not recognized for type timestamp without time zone"},
        {"date_trunc('timezone', timestamp '2021-08-14')", trunc("timezone", ts("2021-08-14")), "ERROR 0A000: unit \"timezone\" not supported for type timestamp without time zone"},
        {"date_trunc('dow', timestamptz '2021-08-14')", trunc("dow", tstz("2021-08-14"), "timestamptz"), "ERROR 22023: unit \"dow\" not recognized for type timestamp with time zone"},
    });
}

TEST_CASE("extract returns numeric, date_part float8", "[eval]") {
    const char* t = "2021-03-04 05:06:07.891234";
    auto ex = [](const char* field, expr_ptr x) { return fn("extract", "numeric", {txt(field), std::move(x)}); };
    auto dp = [](const char* field, expr_ptr x) { return fn("date_part", "float8", {txt(field), std::move(x)}); };
    check_all({
        {"extract(microseconds from timestamp '2021-03-04 05:06:07.891234')", ex("microseconds", ts(t)), "7891234"},
        {"extract(milliseconds from timestamp '2021-03-04 05:06:07.891234')", ex("milliseconds", ts(t)), "7891.234"},
        {"extract(second from timestamp '2021-03-04 05:06:07.891234')", ex("second", ts(t)), "7.891234"},
        {"extract(second from timestamp '2021-03-04 05:06:07')", ex("second", ts("2021-03-04 05:06:07")), "7.000000"},
        {"extract(minute from timestamp '2021-03-04 05:06:07.891234')", ex("minute", ts(t)), "6"},
        {"extract(hour from timestamp '2021-03-04 05:06:07.891234')", ex("hour", ts(t)), "5"},
        {"extract(day from timestamp '2021-03-04 05:06:07.891234')", ex("day", ts(t)), "4"},
        {"extract(month from timestamp '2021-03-04 05:06:07.891234')", ex("month", ts(t)), "3"},
        {"extract(quarter from timestamp '2021-12-31')", ex("quarter", ts("2021-12-31")), "4"},
        {"extract(year from timestamp '2021-03-04 05:06:07.891234')", ex("year", ts(t)), "2021"},
        {"extract(decade from timestamp '2021-03-04 05:06:07.891234')", ex("decade", ts(t)), "202"},
        {"extract(century from timestamp '2021-03-04 05:06:07.891234')", ex("century", ts(t)), "21"},
        {"extract(millennium from timestamp '2021-03-04 05:06:07.891234')", ex("millennium", ts(t)), "3"},
        {"extract(dow from timestamp '2021-03-07')", ex("dow", ts("2021-03-07")), "0"},
        {"extract(isodow from timestamp '2021-03-07')", ex("isodow", ts("2021-03-07")), "7"},
        {"extract(doy from timestamp '2021-03-04 05:06:07.891234')", ex("doy", ts(t)), "63"},
        {"extract(week from timestamp '2021-01-01')", ex("week", ts("2021-01-01")), "53"},
        {"extract(isoyear from timestamp '2021-01-01')", ex("isoyear", ts("2021-01-01")), "2020"},
        {"extract(week from timestamp '2024-12-30')", ex("week", ts("2024-12-30")), "1"},
        {"extract(isoyear from timestamp '2024-12-30')", ex("isoyear", ts("2024-12-30")), "2025"},
        {"extract(epoch from timestamp '2021-03-04 05:06:07.891234')", ex("epoch", ts(t)), "1614834367.891234"},
        {"extract(epoch from timestamp '1960-03-04 05:06:07.5')", ex("epoch", ts("1960-03-04 05:06:07.5")), "-310157632.500000"},
        {"extract(julian from timestamp '2021-03-04 05:06:07.891234')", ex("julian", ts(t)), "2459278.21259133372685185185"},
        {"extract(julian from timestamp '2021-03-04 00:00:00')", ex("julian", ts("2021-03-04 00:00:00")), "2459278.0000000000000000000000000000"},
        {"extract(year from timestamp '0010-01-01 BC')", ex("year", ts("0010-01-01 BC")), "-10"},
        {"extract(century from timestamp '0010-01-01 BC')", ex("century", ts("0010-01-01 BC")), "-1"},
        {"extract(decade from timestamp '0010-01-01 BC')", ex("decade", ts("0010-01-01 BC")), "-1"},
        {"extract(isoyear from timestamp '0001-01-01 BC')", ex("isoyear", ts("0001-01-01 BC")), "-2"},
        {"extract(epoch from timestamp 'infinity')", ex("epoch", ts("infinity")), "Infinity"},
        {"extract(year from timestamp '-infinity')", ex("year", ts("-infinity")), "-Infinity"},
        {"extract(day from timestamp 'infinity')", ex("day", ts("infinity")), "NULL"},
        {"extract('YEAR' from timestamp '2021-03-04')", ex("YEAR", ts("2021-03-04")), "2021"},
        {"extract(timezone from timestamptz '2021-03-04 05:06:07+02')", ex("timezone", tstz("2021-03-04 05:06:07+02")), "0"},
        {"extract(hour from timestamptz '2021-03-04 05:06:07+02')", ex("hour", tstz("2021-03-04 05:06:07+02")), "3"},
        {"extract(timezone from timestamp '2021-03-04')", ex("timezone", ts("2021-03-04")), "ERROR 0A000: unit \"timezone\" not supported for type timestamp without time zone"},
        {"extract(foo from timestamp '2021-03-04')", ex("foo", ts("2021-03-04")), "ERROR 22023: unit \"foo\" not recognized for type timestamp without time zone"},
        {"extract(day from date '2021-03-04')", ex("day", date("2021-03-04")), "4"},
        {"extract(epoch from date '2021-03-04')", ex("epoch", date("2021-03-04")), "1614816000"},
        {"extract(julian from date '2021-03-04')", ex("julian", date("2021-03-04")), "2459278"},
        {"extract(millennium from date '2000-12-31')", ex("millennium", date("2000-12-31")), "2"},
        {"extract(decade from date '0001-01-01 BC')", ex("decade", date("0001-01-01 BC")), "0"},
        {"extract(year from date 'infinity')", ex("year", date("infinity")), "Infinity"},
        {"extract(month from date 'infinity')", ex("month", date("infinity")), "NULL"},
        {"extract(hour from date '2021-03-04')", ex("hour", date("2021-03-04")), "ERROR 0A000: unit \"hour\" not supported for type date"},
        {"extract(hour from date 'infinity')", ex("hour", date("infinity")), "ERROR 0A000: unit \"hour\" not supported for type date"},
        {"extract(foo from date '2021-03-04')", ex("foo", date("2021-03-04")), "ERROR 22023: unit \"foo\" not recognized for type date"},
        {"date_part('second', timestamp '2021-03-04 05:06:07.891234')", dp("second", ts(t)), "7.891234"},
        {"date_part('milliseconds', timestamp '2021-03-04 05:06:07.891234')", dp("milliseconds", ts(t)), "7891.234"},
        {"date_part('epoch', timestamp '2021-03-04 05:06:07.891234')", dp("epoch", ts(t)), "1614834367.891234"},
        {"date_part('julian', timestamp '2021-03-04 05:06:07.891234')", dp("julian", ts(t)), "2459278.212591334"},
        {"date_part('year', timestamp '2021-03-04 05:06:07.891234')", dp("year", ts(t)), "2021"},
        {"date_part('hour', date '2021-03-04')", dp("hour", date("2021-03-04")), "0"},
        {"date_part('epoch', timestamp '-infinity')", dp("epoch", ts("-infinity")), "-Infinity"},
        {"date_part('day', timestamp 'infinity')", dp("day", ts("infinity")), "NULL"},
        {"date_part('foo', date '2021-03-04')", dp("foo", date("2021-03-04")), "ERROR 22023: unit \"foo\" not recognized for type timestamp without time zone"},
    });
}
