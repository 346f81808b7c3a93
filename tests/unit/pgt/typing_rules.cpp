// pgt/typing.hpp: PostgreSQL 15's resolution rules (expected results checked against a
// PostgreSQL 15 server).
#include <catch2/catch.hpp>

#include "pgt/error.hpp"
#include "pgt/typing.hpp"

using pgt::make_type;
using pgt::sql_type;
using pgt::type_kind;
namespace typing = pgt::typing;

namespace {
const sql_type unknown{};
const sql_type i2 = make_type(type_kind::int2), i4 = make_type(type_kind::int4), i8 = make_type(type_kind::int8);
const sql_type num = make_type(type_kind::numeric), f4 = make_type(type_kind::float4), f8 = make_type(type_kind::float8);
const sql_type text = make_type(type_kind::text), vc = make_type(type_kind::varchar), bp = make_type(type_kind::bpchar);
const sql_type date = make_type(type_kind::date), ts = make_type(type_kind::timestamp), tstz = make_type(type_kind::timestamptz);
const sql_type iv = make_type(type_kind::interval), boolean = make_type(type_kind::boolean);
const sql_type uuid{type_kind::other, "uuid"}, jsonb{type_kind::other, "jsonb"};

sql_type op(const char* o, const sql_type& l, const sql_type& r) {
    auto res = typing::resolve_operator(o, l, r);
    REQUIRE(res);
    return res->result;
}

std::string op_error(const char* o, const sql_type& l, const sql_type& r) {
    try {
        typing::resolve_operator(o, l, r, 5);
    } catch (const pgt::error& e) {
        CHECK(e.position() == 5);
        return e.code() + ": " + e.what();
    }
    return "no error";
}

sql_type fn(const char* name, std::vector<sql_type> args) {
    auto res = typing::resolve_builtin_function(name, args);
    REQUIRE(res);
    return res->result;
}
} // namespace

TEST_CASE("typing: integer and numeric promotion", "[typing]") {
    CHECK(op("+", i2, i2) == i2);
    CHECK(op("+", i2, i4) == i4);
    CHECK(op("-", i4, i2) == i4);
    CHECK(op("*", i4, i8) == i8);
    CHECK(op("/", i8, i2) == i8);
    CHECK(op("+", i4, num) == num);
    CHECK(op("+", num, f8) == f8);
    CHECK(op("+", f4, f4) == f4);
    CHECK(op("+", f4, i4) == f8);
    CHECK(op("+", f4, num) == f8);
    CHECK(op("%", i2, i4) == i4);
    CHECK(op("%", num, i4) == num);
    CHECK(op("^", i4, i4) == f8);
    CHECK(op("^", num, i4) == num);
    // Modifiers do not take part: numeric(10,2) + numeric(10,2) is plain numeric.
    CHECK(op("+", pgt::parse_type_name("numeric(10,2)"), pgt::parse_type_name("numeric(10,2)")) == num);
}

TEST_CASE("typing: unknown literals take the other operand's type", "[typing]") {
    auto res = typing::resolve_operator("+", i4, unknown);
    REQUIRE(res);
    CHECK(res->result == i4);
    CHECK(res->args[1] == i4);
    CHECK(typing::resolve_operator("=", date, unknown)->args[1] == date);
    CHECK(typing::resolve_operator("=", unknown, unknown)->args[0] == text);
    CHECK(op("-", date, unknown) == i4);
    CHECK(op("-", ts, unknown) == iv);
    CHECK(op("||", unknown, unknown) == text);
    CHECK(op("~~", vc, unknown) == boolean);
    CHECK(op_error("+", unknown, unknown) == "42725: operator is not unique: unknown + unknown");
    CHECK(op_error("+", date, unknown) == "42725: operator is not unique: date + unknown");
}

TEST_CASE("typing: date and time operators", "[typing]") {
    CHECK(op("+", date, i4) == date);
    CHECK(op("+", i4, date) == date);
    CHECK(op("+", date, i2) == date);
    CHECK(op("-", date, date) == i4);
    CHECK(op("-", date, i4) == date);
    CHECK(op("+", date, iv) == ts);
    CHECK(op("-", ts, ts) == iv);
    CHECK(op("-", tstz, ts) == iv);
    CHECK(op("-", ts, date) == iv);
    CHECK(op("+", tstz, iv) == tstz);
    CHECK(op("*", iv, i4) == iv);
    CHECK(op("/", iv, num) == iv);
    CHECK(op("<", date, tstz) == boolean);
    CHECK(op_error("+", date, i8) == "42883: operator does not exist: date + bigint");
    CHECK(op_error("+", date, date) == "42883: operator does not exist: date + date");
}

TEST_CASE("typing: comparisons, LIKE and concatenation", "[typing]") {
    CHECK(op("=", i2, f8) == boolean);
    CHECK(op("<>", text, bp) == boolean);
    CHECK(op(">=", boolean, boolean) == boolean);
    CHECK(op("=", uuid, uuid) == boolean);
    CHECK(typing::resolve_operator("=", uuid, unknown)->args[1] == uuid);
    CHECK_FALSE(typing::resolve_operator("=", uuid, text));
    CHECK(op_error("=", text, i4) == "42883: operator does not exist: text = integer");
    CHECK(op_error("<", boolean, i4) == "42883: operator does not exist: boolean < integer");
    CHECK(op_error("~~", i4, text) == "42883: operator does not exist: integer ~~ text");
    CHECK(op("||", i4, text) == text);
    CHECK(op("||", vc, vc) == text);
    CHECK(op("||", uuid, text) == text);
    CHECK_FALSE(typing::resolve_operator("||", jsonb, unknown));
    CHECK(op_error("||", i4, i4) == "42883: operator does not exist: integer || integer");
    CHECK_FALSE(typing::resolve_operator("+", jsonb, i4));
    CHECK(typing::resolve_prefix_operator("-", i2)->result == i2);
    CHECK(typing::resolve_prefix_operator("-", iv)->result == iv);
    CHECK_THROWS_AS(typing::resolve_prefix_operator("-", unknown), pgt::error);
    CHECK_THROWS_AS(typing::resolve_prefix_operator("-", text), pgt::error);
    CHECK(typing::is_known_operator("%"));
    CHECK_FALSE(typing::is_known_operator("@@"));
    // Regular expressions as LIKE, bitwise operators on integers, array containment.
    CHECK(op("~", text, unknown) == boolean);
    CHECK(op_error("!~*", i4, text) == "42883: operator does not exist: integer !~* text");
    CHECK(op("#", i4, i4) == i4);
    CHECK(op("<<", i8, i4) == i8);
    const sql_type ints{type_kind::other, "pg_catalog.int4[]"};
    CHECK(op("@>", ints, unknown) == boolean);
    CHECK(op("&&", ints, ints) == boolean);
    CHECK_FALSE(typing::resolve_operator("@>", i4, i4));
}

TEST_CASE("typing: built-in functions", "[typing]") {
    CHECK(fn("abs", {i2}) == i2);
    CHECK(fn("abs", {unknown}) == f8);
    CHECK(fn("round", {f8}) == f8);
    CHECK(fn("round", {i4}) == f8);
    CHECK(fn("round", {num, i4}) == num);
    CHECK(fn("round", {i4, i4}) == num);
    CHECK_FALSE(typing::resolve_builtin_function("round", {f8, i4}));
    CHECK(fn("sqrt", {i4}) == f8);
    CHECK(fn("power", {i4, num}) == num);
    CHECK(fn("power", {i4, f4}) == f8);
    CHECK(fn("mod", {i2, i4}) == i4);
    CHECK_FALSE(typing::resolve_builtin_function("mod", {f8, i4}));
    CHECK(fn("upper", {vc}) == text);
    CHECK(fn("upper", {unknown}) == text);
    CHECK_FALSE(typing::resolve_builtin_function("upper", {i4}));
    CHECK(fn("length", {bp}) == i4);
    CHECK(fn("length", {unknown}) == i4);
    CHECK(fn("substring", {text, i4, i4}) == text);
    CHECK(fn("date_trunc", {unknown, ts}) == ts);
    CHECK(fn("date_trunc", {unknown, date}) == tstz);
    CHECK(fn("extract", {unknown, date}) == num);
    CHECK(fn("date_part", {text, tstz}) == f8);
    CHECK(fn("to_char", {date, unknown}) == text);
    CHECK(fn("concat", {i4, unknown, date}) == text);
    CHECK_FALSE(typing::resolve_builtin_function("concat", {}));
    CHECK(fn("nextval", {unknown}) == i8);
    CHECK_FALSE(typing::resolve_builtin_function("no_such_function", {}));
    CHECK_FALSE(typing::resolve_builtin_function("upper", {jsonb}));

    using pgt::ir::volatility;
    CHECK(typing::resolve_builtin_function("now", {})->vol == volatility::stable);
    CHECK(typing::resolve_builtin_function("concat", {text})->vol == volatility::stable);
    CHECK(typing::resolve_builtin_function("date_trunc", {text, tstz})->vol == volatility::stable);
    CHECK(typing::resolve_builtin_function("date_trunc", {text, ts})->vol == volatility::immutable);
    CHECK(typing::resolve_builtin_function("random", {})->vol == volatility::volatile_);
    CHECK(typing::resolve_builtin_function("gen_random_uuid", {})->result.name == "pg_catalog.uuid");
    CHECK(typing::is_builtin_function("concat_ws"));
    // An argument that already has the declared type keeps its modifier.
    auto sub = typing::resolve_builtin_function("substr", {pgt::parse_type_name("varchar(5)"), i4});
    CHECK(sub->args[0] == text);
    auto round = typing::resolve_builtin_function("round", {pgt::parse_type_name("numeric(10,2)"), i4});
    CHECK(round->args[0].name == "pg_catalog.numeric(10,2)");
}

TEST_CASE("typing: aggregates", "[typing]") {
    auto agg = [](const char* name, const sql_type& t) { return typing::resolve_aggregate(name, {t})->result; };
    CHECK(agg("count", unknown) == i8);
    CHECK(agg("count", jsonb) == i8);
    CHECK(agg("sum", i2) == i8);
    CHECK(agg("sum", i8) == num);
    CHECK(agg("sum", f4) == f4);
    CHECK(agg("sum", iv) == iv);
    CHECK(agg("avg", i4) == num);
    CHECK(agg("avg", f4) == f8);
    CHECK(agg("min", vc) == text);
    CHECK(agg("max", bp) == bp);
    CHECK(agg("min", unknown) == text);
    CHECK(agg("max", uuid) == uuid);
    CHECK(agg("bool_or", unknown) == boolean);
    CHECK(agg("stddev", i4) == num);
    CHECK(agg("variance", f4) == f8);
    CHECK(agg("bit_xor", i2) == i2);
    CHECK(agg("array_agg", i4).name == "pg_catalog.int4[]");
    CHECK(agg("jsonb_agg", text).name == "pg_catalog.jsonb");
    CHECK(typing::resolve_aggregate("string_agg", {text, unknown})->result == text);
    CHECK(typing::resolve_aggregate("corr", {i4, num})->result == f8);
    CHECK(typing::resolve_aggregate("percentile_cont", {num}, {iv})->result == iv);
    CHECK(typing::resolve_aggregate("percentile_disc", {unknown}, {text})->result == text);
    CHECK(typing::resolve_aggregate("mode", {}, {i8})->result == i8);
    CHECK_THROWS_AS(typing::resolve_aggregate("sum", {text}), pgt::error);
    CHECK_THROWS_AS(typing::resolve_aggregate("sum", {unknown}), pgt::error);
    CHECK_THROWS_AS(typing::resolve_aggregate("min", {boolean}), pgt::error);
    CHECK_THROWS_AS(typing::resolve_aggregate("stddev", {text}), pgt::error);
    CHECK_FALSE(typing::resolve_aggregate("sum", {jsonb}));
    CHECK_FALSE(typing::resolve_aggregate("no_such_aggregate", {i4}));
}

TEST_CASE("typing: which casts exist", "[typing]") {
    CHECK(typing::castable(f8, i2));
    CHECK(typing::castable(boolean, i4));
    CHECK(typing::castable(i4, boolean));
    CHECK_FALSE(typing::castable(i8, boolean));
    CHECK_FALSE(typing::castable(boolean, i2));
    CHECK_FALSE(typing::castable(num, date));
    CHECK_FALSE(typing::castable(iv, num));
    CHECK_FALSE(typing::castable(i4, iv));
    CHECK(typing::castable(tstz, date));
    CHECK(typing::castable(iv, text));
    CHECK(typing::castable(text, boolean));
    CHECK(typing::castable(uuid, text));
    CHECK(typing::castable(jsonb, i4));
}

TEST_CASE("typing: volatility of operators and casts", "[typing]") {
    using pgt::ir::volatility;
    CHECK(typing::resolve_operator("+", tstz, iv)->vol == volatility::stable);
    CHECK(typing::resolve_operator("-", tstz, iv)->vol == volatility::stable);
    CHECK(typing::resolve_operator("-", tstz, tstz)->vol == volatility::immutable);
    CHECK(typing::resolve_operator("+", ts, iv)->vol == volatility::immutable);
    CHECK(typing::resolve_operator("=", date, tstz)->vol == volatility::stable);
    CHECK(typing::resolve_operator("<", ts, tstz)->vol == volatility::stable);
    CHECK(typing::resolve_operator("<", date, ts)->vol == volatility::immutable);
    CHECK(typing::resolve_operator("<", tstz, tstz)->vol == volatility::immutable);
    CHECK(typing::cast_volatility(date, tstz) == volatility::stable);
    CHECK(typing::cast_volatility(tstz, ts) == volatility::stable);
    CHECK(typing::cast_volatility(text, date) == volatility::stable);
    CHECK(typing::cast_volatility(iv, text) == volatility::stable);
    CHECK(typing::cast_volatility(date, ts) == volatility::immutable);
    CHECK(typing::cast_volatility(i4, text) == volatility::immutable);
    CHECK(typing::cast_volatility(tstz, tstz) == volatility::immutable);
}

TEST_CASE("typing: common type of branches", "[typing]") {
    auto common = [](std::vector<sql_type> ts) { return *typing::common_type(ts, "CASE"); };
    CHECK(common({i4, i8}) == i8);
    CHECK(common({i8, i4}) == i8);
    CHECK(common({i4, num}) == num);
    CHECK(common({num, f8}) == f8);
    CHECK(common({f4, num}) == f4);
    CHECK(common({unknown, i2}) == i2);
    CHECK(common({unknown, unknown}) == text);
    CHECK(common({}) == text);
    CHECK(common({vc, text}) == vc);
    CHECK(common({text, vc}) == text);
    CHECK(common({date, tstz}) == tstz);
    CHECK(common({date, ts}) == ts);
    CHECK(common({uuid, unknown, uuid}) == uuid);
    CHECK(common({pgt::parse_type_name("numeric(10,2)"), pgt::parse_type_name("numeric(10,2)")}).name ==
          "pg_catalog.numeric(10,2)");
    CHECK(common({pgt::parse_type_name("numeric(10,2)"), pgt::parse_type_name("numeric(12,2)")}) == num);
    CHECK_FALSE(typing::common_type({uuid, text}, "CASE"));
    try {
        typing::common_type({i4, unknown, text}, "UNION", {1, 2, 3});
        FAIL("no error");
    } catch (const pgt::error& e) {
        CHECK(e.code() == "42804");
        CHECK(std::string(e.what()) == "UNION types integer and text cannot be matched");
        CHECK(e.position() == 3);
    }
}

TEST_CASE("typing: categories, coercions, names", "[typing]") {
    CHECK(typing::category(i2) == 'N');
    CHECK(typing::category(vc) == 'S');
    CHECK(typing::category(tstz) == 'D');
    CHECK(typing::category(iv) == 'T');
    CHECK(typing::category(unknown) == 'X');
    CHECK(typing::category(uuid) == 'U');
    CHECK(typing::is_preferred(f8));
    CHECK_FALSE(typing::is_preferred(num));
    CHECK(typing::implicitly_coercible(i2, f4));
    CHECK_FALSE(typing::implicitly_coercible(f8, num));
    CHECK(typing::implicitly_coercible(date, tstz));
    CHECK_FALSE(typing::implicitly_coercible(tstz, ts));
    CHECK(typing::implicitly_coercible(unknown, uuid));
    CHECK(typing::same_type(pgt::parse_type_name("varchar(3)"), vc));
    CHECK(typing::same_type(sql_type{type_kind::other, "pg_catalog.uuid"}, uuid));
    CHECK(typing::display_name(i4) == "integer");
    CHECK(typing::display_name(vc) == "character varying");
    CHECK(typing::display_name(tstz) == "timestamp with time zone");
    CHECK(typing::display_name(sql_type{type_kind::other, "pg_catalog.uuid"}) == "uuid");
}
