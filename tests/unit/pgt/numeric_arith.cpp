// pgt::numeric against PostgreSQL 15: every expected string below is the server's answer to
// the SQL in the same row (rendered as psql prints it; errors as "ERROR <sqlstate>: <message>").

#include <catch2/catch.hpp>
#include <functional>

#include "eval_builders.hpp"
#include "pgt/numeric.hpp"

namespace {

using pgt::numeric;

numeric N(const char* text) { return numeric::parse(text); }

struct numeric_case {
    const char* sql;
    std::function<numeric()> compute;
    const char* expected;
};

std::string run(const std::function<numeric()>& f) {
    try {
        return f().to_string();
    } catch (const pgt::error& e) {
        return pgt::test::error_text(e);
    }
}

void check_all(const std::vector<numeric_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.sql);
        CHECK(run(c.compute) == c.expected);
    }
}

} // namespace

TEST_CASE("numeric input and output keep the display scale", "[numeric]") {
    check_all({
        {"'1.50'::numeric", [] { return N("1.50"); }, "1.50"},
        {"' -0.00 '::numeric", [] { return N(" -0.00 "); }, "0.00"},
        {"'1e3'::numeric", [] { return N("1e3"); }, "1000"},
        {"'1.5e-3'::numeric", [] { return N("1.5e-3"); }, "0.0015"},
        {"'1.2345E+2'::numeric", [] { return N("1.2345E+2"); }, "123.45"},
        {"'.5'::numeric", [] { return N(".5"); }, "0.5"},
        {"'5.'::numeric", [] { return N("5."); }, "5"},
        {"'+007.100'::numeric", [] { return N("+007.100"); }, "7.100"},
        {"'nan'::numeric", [] { return N("nan"); }, "NaN"},
        {"'-Infinity'::numeric", [] { return N("-Infinity"); }, "-Infinity"},
        {"'inf'::numeric", [] { return N("inf"); }, "Infinity"},
        {"'123456789012345678901234567890.123456789'::numeric", [] { return N("123456789012345678901234567890.123456789"); }, "123456789012345678901234567890.123456789"},
        {"'1e'::numeric", [] { return N("1e"); }, "ERROR 22P02: invalid input syntax for type numeric: \"1e\""},
        {"''::numeric", [] { return N(""); }, "ERROR 22P02: invalid input syntax for type numeric: \"\""},
        {"'1_000'::numeric", [] { return N("1_000"); }, "ERROR 22P02: invalid input syntax for type numeric: \"1_000\""},
        {"'infinityx'::numeric", [] { return N("infinityx"); }, "ERROR 22P02: invalid input syntax for type numeric: \"infinityx\""},
    });
}

TEST_CASE("numeric addition, subtraction and multiplication are exact", "[numeric]") {
    check_all({
        {"1.50 + 2.005", [] { return N("1.50") + N("2.005"); }, "3.505"},
        {"1.50 - 1.5", [] { return N("1.50") - N("1.5"); }, "0.00"},
        {"-0.1 - 0.2", [] { return N("-0.1") - N("0.2"); }, "-0.3"},
        {"1.50 * 2.0", [] { return N("1.50") * N("2.0"); }, "3.000"},
        {"-0.001 * 0", [] { return N("-0.001") * N("0"); }, "0.000"},
        {"99999999999999999999 * 99999999999999999999", [] { return N("99999999999999999999") * N("99999999999999999999"); }, "9999999999999999999800000000000000000001"},
        {"'inf'::numeric - 'inf'::numeric", [] { return N("inf") - N("inf"); }, "NaN"},
        {"'inf'::numeric + 5", [] { return N("inf") + N("5"); }, "Infinity"},
        {"0.00 * 'inf'::numeric", [] { return N("0.00") * N("inf"); }, "NaN"},
        {"'-inf'::numeric * -1.5", [] { return N("-inf") * N("-1.5"); }, "Infinity"},
        {"'nan'::numeric + 1", [] { return N("nan") + N("1"); }, "NaN"},
    });
}

TEST_CASE("numeric division uses select_div_scale and rounds half away from zero", "[numeric]") {
    check_all({
        {"1.0 / 3", [] { return N("1.0") / N("3"); }, "0.33333333333333333333"},
        {"1 / 3::numeric", [] { return N("1") / N("3"); }, "0.33333333333333333333"},
        {"2 / 3::numeric", [] { return N("2") / N("3"); }, "0.66666666666666666667"},
        {"-2 / 3::numeric", [] { return N("-2") / N("3"); }, "-0.66666666666666666667"},
        {"10::numeric / 4", [] { return N("10") / N("4"); }, "2.5000000000000000"},
        {"9999::numeric / 10000", [] { return N("9999") / N("10000"); }, "0.99990000000000000000"},
        {"10000::numeric / 9999", [] { return N("10000") / N("9999"); }, "1.0001000100010001"},
        {"1::numeric / 7", [] { return N("1") / N("7"); }, "0.14285714285714285714"},
        {"22::numeric / 7", [] { return N("22") / N("7"); }, "3.1428571428571429"},
        {"123456789::numeric / 1000", [] { return N("123456789") / N("1000"); }, "123456.789000000000"},
        {"1::numeric / 123456789", [] { return N("1") / N("123456789"); }, "0.0000000081000000737100006708"},
        {"0.001 / 3", [] { return N("0.001") / N("3"); }, "0.00033333333333333333"},
        {"1.00000 / 0.00003", [] { return N("1.00000") / N("0.00003"); }, "33333.333333333333"},
        {"5.5 / 0.5", [] { return N("5.5") / N("0.5"); }, "11.0000000000000000"},
        {"1e20::numeric / 3", [] { return N("1e20") / N("3"); }, "33333333333333333333"},
        {"0 / 7.000::numeric", [] { return N("0") / N("7.000"); }, "0.00000000000000000000"},
        {"1.23456789012345678901234 / 1", [] { return N("1.23456789012345678901234") / N("1"); }, "1.23456789012345678901234"},
        {"0.5 / 0.00000000000000000001", [] { return N("0.5") / N("0.00000000000000000001"); }, "50000000000000000000.00000000000000000000"},
        {"1 / 0::numeric", [] { return N("1") / N("0"); }, "ERROR 22012: division by zero"},
        {"'inf'::numeric / 0", [] { return N("inf") / N("0"); }, "ERROR 22012: division by zero"},
        {"'nan'::numeric / 0", [] { return N("nan") / N("0"); }, "NaN"},
        {"'inf'::numeric / -2", [] { return N("inf") / N("-2"); }, "-Infinity"},
        {"1.5 / 'inf'::numeric", [] { return N("1.5") / N("inf"); }, "0"},
    });
}

TEST_CASE("numeric modulo keeps the dividend's sign and the larger scale", "[numeric]") {
    check_all({
        {"-5.5 % 2", [] { return N("-5.5") % N("2"); }, "-1.5"},
        {"7 % -3::numeric", [] { return N("7") % N("-3"); }, "1"},
        {"10.000 % 3.3", [] { return N("10.000") % N("3.3"); }, "0.100"},
        {"1.5 % 0", [] { return N("1.5") % N("0"); }, "ERROR 22012: division by zero"},
        {"5.00 % 'inf'::numeric", [] { return N("5.00") % N("inf"); }, "5.00"},
        {"'inf'::numeric % 2.5", [] { return N("inf") % N("2.5"); }, "NaN"},
    });
}

TEST_CASE("numeric rounding functions", "[numeric]") {
    check_all({
        {"round(2.5)", [] { return N("2.5").round(); }, "3"},
        {"round(-2.5)", [] { return N("-2.5").round(); }, "-3"},
        {"round(-0.4)", [] { return N("-0.4").round(); }, "0"},
        {"round(-1.995, 2)", [] { return N("-1.995").round(2); }, "-2.00"},
        {"round(1234.5, -2)", [] { return N("1234.5").round(-2); }, "1200"},
        {"round(1250, -2)", [] { return N("1250").round(-2); }, "1300"},
        {"round(1.5, 3)", [] { return N("1.5").round(3); }, "1.500"},
        {"round(0.5, -1)", [] { return N("0.5").round(-1); }, "0"},
        {"trunc(-1.999, 2)", [] { return N("-1.999").trunc(2); }, "-1.99"},
        {"trunc(12.3456, -1)", [] { return N("12.3456").trunc(-1); }, "10"},
        {"trunc(-7.9)", [] { return N("-7.9").trunc(); }, "-7"},
        {"floor(-0.5)", [] { return N("-0.5").floor(); }, "-1"},
        {"floor(2.000)", [] { return N("2.000").floor(); }, "2"},
        {"ceil(-0.5)", [] { return N("-0.5").ceil(); }, "0"},
        {"ceil(1.0001)", [] { return N("1.0001").ceil(); }, "2"},
        {"abs(-2.50)", [] { return N("-2.50").abs(); }, "2.50"},
        {"sign(-2.50)", [] { return N("-2.50").sign(); }, "-1"},
        {"sign(0.000)", [] { return N("0.000").sign(); }, "0"},
        {"sign('nan'::numeric)", [] { return N("nan").sign(); }, "NaN"},
        {"round('inf'::numeric, 2)", [] { return N("inf").round(2); }, "Infinity"},
        {"floor('-inf'::numeric)", [] { return N("-inf").floor(); }, "-Infinity"},
    });
}

TEST_CASE("numeric sqrt and power choose PostgreSQL's result scales", "[numeric]") {
    check_all({
        {"sqrt(2::numeric)", [] { return N("2").sqrt(); }, "1.414213562373095"},
        {"sqrt(0::numeric)", [] { return N("0").sqrt(); }, "0.000000000000000"},
        {"sqrt(100::numeric)", [] { return N("100").sqrt(); }, "10.000000000000000"},
        {"sqrt(0.0001)", [] { return N("0.0001").sqrt(); }, "0.01000000000000000"},
        {"sqrt(1e20::numeric)", [] { return N("1e20").sqrt(); }, "10000000000.00000"},
        {"sqrt(2.000000000000000000000)", [] { return N("2.000000000000000000000").sqrt(); }, "1.414213562373095048802"},
        {"sqrt(-1::numeric)", [] { return N("-1").sqrt(); }, "ERROR 2201F: cannot take square root of a negative number"},
        // stddev_samp of 280 and 60: √24200 = 155.56349186104045… at the variance's scale, once
        {"SELECT stddev_samp(x) FROM (VALUES (280::numeric), (60)) v(x)", [] { return N("24200.000000000000").sqrt_at(12); },
         "155.563491861040"},
        {"power(2::numeric, 10)", [] { return N("2").power(N("10")); }, "1024.0000000000000000"},
        {"power(2::numeric, 2.0)", [] { return N("2").power(N("2.0")); }, "4.0000000000000000"},
        {"power(1.1, 10)", [] { return N("1.1").power(N("10")); }, "2.5937424601000000"},
        {"power(2::numeric, -2)", [] { return N("2").power(N("-2")); }, "0.2500000000000000"},
        {"power(7::numeric, -1)", [] { return N("7").power(N("-1")); }, "0.1428571428571429"},
        {"power(0.5, 54)", [] { return N("0.5").power(N("54")); }, "0.0000000000000001"},
        {"power(0.5, 100)", [] { return N("0.5").power(N("100")); }, "0.0000000000000000"},
        {"power(1.12345678901234567, 2)", [] { return N("1.12345678901234567").power(N("2")); }, "1.26215515677793017"},
        {"power(-0.5, 3)", [] { return N("-0.5").power(N("3")); }, "-0.1250000000000000"},
        {"power(3::numeric, 40)", [] { return N("3").power(N("40")); }, "12157665459056928801.0000000000000000"},
        {"power(0::numeric, 0)", [] { return N("0").power(N("0")); }, "1.0000000000000000"},
        {"power(1.000, 5.5)", [] { return N("1.000").power(N("5.5")); }, "1.0000000000000000"},
        {"power('nan'::numeric, 0)", [] { return N("nan").power(N("0")); }, "1"},
        {"power('-inf'::numeric, 3)", [] { return N("-inf").power(N("3")); }, "-Infinity"},
        {"power(0.5, '-inf'::numeric)", [] { return N("0.5").power(N("-inf")); }, "Infinity"},
        {"power(0::numeric, -1)", [] { return N("0").power(N("-1")); }, "ERROR 2201F: zero raised to a negative power is undefined"},
        {"power(-2::numeric, 2.5)", [] { return N("-2").power(N("2.5")); }, "ERROR 2201F: a negative number raised to a non-integer power yields a complex result"},
        {"power(10::numeric, 200000)", [] { return N("10").power(N("200000")); }, "ERROR 22003: value overflows numeric format"},
    });
    // PostgreSQL computes other fractional powers through ln/exp; the oracle declines them.
    CHECK(run([] { return N("2").power(N("0.5")); }).starts_with("ERROR 0A000: oracle cannot evaluate power"));
}

TEST_CASE("numeric type modifiers round and bound the value", "[numeric]") {
    check_all({
        {"1.005::numeric(5,2)", [] { return N("1.005").with_typmod(5, 2); }, "1.01"},
        {"-1.005::numeric(5,2)", [] { return N("-1.005").with_typmod(5, 2); }, "-1.01"},
        {"7::numeric(5,2)", [] { return N("7").with_typmod(5, 2); }, "7.00"},
        {"123.456::numeric(2,-1)", [] { return N("123.456").with_typmod(2, -1); }, "120"},
        {"12345.678::numeric(5,2)", [] { return N("12345.678").with_typmod(5, 2); }, "ERROR 22003: numeric field overflow"},
        {"99.995::numeric(4,2)", [] { return N("99.995").with_typmod(4, 2); }, "ERROR 22003: numeric field overflow"},
        {"0.5::numeric(2,2)", [] { return N("0.5").with_typmod(2, 2); }, "0.50"},
        {"'nan'::numeric::numeric(10,2)", [] { return N("nan").with_typmod(10, 2); }, "NaN"},
        {"'inf'::numeric::numeric(10,2)", [] { return N("inf").with_typmod(10, 2); }, "ERROR 22003: numeric field overflow"},
    });
    try {
        (void)N("12345.678").with_typmod(5, 2);
        FAIL("no overflow");
    } catch (const pgt::error& e) {
        CHECK(e.detail() == "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
    }
}

TEST_CASE("numeric converts to integers rounding half away from zero", "[numeric]") {
    using pgt::type_kind;
    auto as_int = [](const char* text, type_kind k) -> std::string {
        try {
            return std::to_string(N(text).to_integer(k));
        } catch (const pgt::error& e) {
            return pgt::test::error_text(e);
        }
    };
    CHECK(as_int("2.5", type_kind::int4) == "3");           // 2.5::numeric::int4
    CHECK(as_int("-2.5", type_kind::int4) == "-3");         // (-2.5)::numeric::int4
    CHECK(as_int("32767.4", type_kind::int2) == "32767");
    CHECK(as_int("32767.5", type_kind::int2) == "ERROR 22003: smallint out of range");
    CHECK(as_int("2147483647.5", type_kind::int4) == "ERROR 22003: integer out of range");
    CHECK(as_int("9223372036854775807.5", type_kind::int8) == "ERROR 22003: bigint out of range");
    CHECK(as_int("-9223372036854775808", type_kind::int8) == "-9223372036854775808");
    CHECK(as_int("nan", type_kind::int4) == "ERROR 0A000: cannot convert NaN to integer");
    CHECK(as_int("-inf", type_kind::int8) == "ERROR 0A000: cannot convert infinity to bigint");
}

TEST_CASE("numeric and floating point convert as PostgreSQL's casts do", "[numeric]") {
    check_all({
        {"0.1::float8::numeric", [] { return numeric::from_double(0.1); }, "0.1"},
        {"1.0000000000000002::float8::numeric", [] { return numeric::from_double(1.0000000000000002); }, "1"},
        {"1e20::float8::numeric", [] { return numeric::from_double(1e20); }, "100000000000000000000"},
        {"1e-5::float8::numeric", [] { return numeric::from_double(1e-5); }, "0.00001"},
        {"(-2.5)::float8::numeric", [] { return numeric::from_double(-2.5); }, "-2.5"},
        {"'nan'::float8::numeric", [] { return numeric::from_double(NAN); }, "NaN"},
        {"'-inf'::float8::numeric", [] { return numeric::from_double(-HUGE_VAL); }, "-Infinity"},
        {"0.1::float4::numeric", [] { return numeric::from_float4(0.1f); }, "0.1"},
        {"16777217::float4::numeric", [] { return numeric::from_float4(16777217.0f); }, "16777200"},
    });
    CHECK(N("0.1").to_double() == 0.1);
    CHECK(N("-1e-310").to_double() == -1e-310);
    CHECK(N("0.1").to_float4() == 0.1f);
    try {
        (void)N("1e400").to_double();
        FAIL("no overflow");
    } catch (const pgt::error& e) {
        CHECK(e.code() == "22003");
    }
}

TEST_CASE("numeric compares by value and hashes consistently", "[numeric]") {
    CHECK(N("1.5") == N("1.50"));
    CHECK(N("1.5").hash() == N("1.50").hash());
    CHECK(N("0").hash() == N("-0.000").hash());
    CHECK(N("100").hash() == N("1e2").hash());
    CHECK(N("1.5").hash() != N("15").hash());
    CHECK(N("-1.5").hash() != N("1.5").hash());
    CHECK(N("-2") < N("-1.99"));
    CHECK(N("0.001") > N("0"));
    // NaN is above every number, including Infinity, and equal to itself.
    CHECK(N("nan") == N("NaN"));
    CHECK(N("nan") > N("inf"));
    CHECK(N("inf") > N("1e1000"));
    CHECK(N("-inf") < N("-1e1000"));
    CHECK(N("inf") != N("-inf"));
    CHECK(N("1.50").dscale() == 2);
    CHECK(N("-3").signum() == -1);
}
