// Aggregates over weighted groups against PostgreSQL 15: the SQL aggregates the same rows, each
// repeated as often as its multiplicity.

#include <catch2/catch.hpp>

#include "eval_builders.hpp"
#include "pgt/ir/rel.hpp"

using namespace pgt::test;
using pgt::ir::agg_func;

namespace {

using pgt::row;
using pgt::value;

// A one-column group: each value with its multiplicity.
struct group_data {
    std::vector<row> rows;
    std::vector<std::int64_t> times;

    std::vector<pgt::weighted_row> weighted() const {
        std::vector<pgt::weighted_row> g;
        for (std::size_t i = 0; i < rows.size(); ++i) g.emplace_back(&rows[i], times[i]);
        return g;
    }
};

// The column's values parsed as `type`; "NULL" is NULL.
group_data group(const char* type, std::vector<std::pair<const char*, std::int64_t>> values) {
    group_data g;
    for (auto [text, times] : values) {
        g.rows.push_back(row{{std::string_view(text) == "NULL" ? value{} : pgt::parse_value(text, ty(type))}});
        g.times.push_back(times);
    }
    return g;
}

const char* sql_name(agg_func f) {
    switch (f) {
    case agg_func::count_star:
    case agg_func::count: return "count";
    case agg_func::sum: return "sum";
    case agg_func::avg: return "avg";
    case agg_func::min: return "min";
    case agg_func::max: return "max";
    case agg_func::bool_and: return "bool_and";
    case agg_func::bool_or: return "bool_or";
    default: return "?";
    }
}

// agg(col0 :: arg_type) returning `result`, optionally FILTER (WHERE filter).
std::string agg(agg_func f, const char* arg_type, const char* result, const group_data& g, expr_ptr filter = nullptr) {
    pgt::ir::agg_call call;
    call.func = f;
    call.name = sql_name(f);
    if (f != agg_func::count_star) call.args = {col(0, arg_type)};
    call.filter = std::move(filter);
    call.type = ty(result);
    try {
        return show_value(pgt::eval_aggregate(call, g.weighted()), call.type);
    } catch (const pgt::error& e) {
        return error_text(e);
    }
}

struct agg_case {
    const char* sql;
    std::string actual;
    const char* expected;
};

void check_all(const std::vector<agg_case>& cases) {
    for (const auto& c : cases) {
        INFO(c.sql);
        CHECK(c.actual == c.expected);
    }
}

} // namespace

TEST_CASE("COUNT counts rows and non-NULL values, with multiplicities", "[eval]") {
    auto g = group("int4", {{"1", 2}, {"NULL", 3}, {"5", 1}});
    group_data none;
    check_all({
        {"(select count(*) from (values (1),(1),(null::int4),(null),(null),(5)) v(x))", agg(agg_func::count_star, "int4", "int8", g), "6"},
        {"(select count(x) from (values (1),(1),(null::int4),(null),(null),(5)) v(x))", agg(agg_func::count, "int4", "int8", g), "3"},
        {"(select count(*) from (values (1)) v(x) where false)", agg(agg_func::count_star, "int4", "int8", none), "0"},
        {"(select count(x) filter (where x > 1) from (values (1),(1),(null::int4),(null),(null),(5)) v(x))", agg(agg_func::count, "int4", "int8", g, op(">", "bool", {col(0, "int4"), i4("1")})), "1"},
        {"(select count(*) filter (where x > 1) from (values (1),(1),(null::int4),(null),(null),(5)) v(x))", agg(agg_func::count_star, "int4", "int8", g, op(">", "bool", {col(0, "int4"), i4("1")})), "1"},
    });
}

TEST_CASE("SUM keeps PostgreSQL's result types", "[eval]") {
    check_all({
        {"(select sum(x) from (values (1),(1),(2),(null::int4)) v(x))", agg(agg_func::sum, "int4", "int8", group("int4", {{"1", 2}, {"2", 1}, {"NULL", 1}})), "4"},
        {"(select sum(x) from (values (2147483647),(2147483647),(2147483647)) v(x))", agg(agg_func::sum, "int4", "int8", group("int4", {{"2147483647", 3}})), "6442450941"},
        {"(select sum(x::int2) from (values (30000),(30000)) v(x))", agg(agg_func::sum, "int2", "int8", group("int2", {{"30000", 2}})), "60000"},
        {"(select sum(x::int8) from (values (9223372036854775807),(9223372036854775807)) v(x))", agg(agg_func::sum, "int8", "numeric", group("int8", {{"9223372036854775807", 2}})), "18446744073709551614"},
        {"(select sum(x) from (values (1.5),(2.25),(-0.005)) v(x))", agg(agg_func::sum, "numeric", "numeric", group("numeric", {{"1.5", 1}, {"2.25", 1}, {"-0.005", 1}})), "3.745"},
        {"(select sum(x) from (values (1.50),('nan'::numeric)) v(x))", agg(agg_func::sum, "numeric", "numeric", group("numeric", {{"1.50", 1}, {"nan", 1}})), "NaN"},
        {"(select sum(x) from (values ('inf'::numeric),('-inf')) v(x))", agg(agg_func::sum, "numeric", "numeric", group("numeric", {{"inf", 1}, {"-inf", 1}})), "NaN"},
        {"(select sum(x) from (values (0.1::float8),(0.1),(0.1)) v(x))", agg(agg_func::sum, "float8", "float8", group("float8", {{"0.1", 3}})), "0.30000000000000004"},
        {"(select sum(x) from (values (0.1::float4),(0.1),(0.1)) v(x))", agg(agg_func::sum, "float4", "float4", group("float4", {{"0.1", 3}})), "0.3"},
        {"(select sum(x) from (values (1e308::float8),(1e308)) v(x))", agg(agg_func::sum, "float8", "float8", group("float8", {{"1e308", 2}})), "ERROR 22003: value out of range: overflow"},
        {"(select sum(x) from (values ('-0'::float8)) v(x))", agg(agg_func::sum, "float8", "float8", group("float8", {{"-0", 1}})), "-0"},
        {"(select sum(x) from (values (null::int4)) v(x))", agg(agg_func::sum, "int4", "int8", group("int4", {{"NULL", 2}})), "NULL"},
    });
}

TEST_CASE("AVG divides the exact sum by the count as numeric_div does", "[eval]") {
    check_all({
        {"(select avg(x) from (values (1),(2)) v(x))", agg(agg_func::avg, "int4", "numeric", group("int4", {{"1", 1}, {"2", 1}})), "1.5000000000000000"},
        {"(select avg(x) from (values (1),(2),(2)) v(x))", agg(agg_func::avg, "int4", "numeric", group("int4", {{"1", 1}, {"2", 2}})), "1.6666666666666667"},
        {"(select avg(x::int8) from (values (9223372036854775807),(9223372036854775806)) v(x))", agg(agg_func::avg, "int8", "numeric", group("int8", {{"9223372036854775807", 1}, {"9223372036854775806", 1}})), "9223372036854775807"},
        {"(select avg(x) from (values (1.5),(2.25)) v(x))", agg(agg_func::avg, "numeric", "numeric", group("numeric", {{"1.5", 1}, {"2.25", 1}})), "1.8750000000000000"},
        {"(select avg(x) from (values (0.001),(0.002),(0.002)) v(x))", agg(agg_func::avg, "numeric", "numeric", group("numeric", {{"0.001", 1}, {"0.002", 2}})), "0.00166666666666666667"},
        {"(select avg(x) from (values (1.5),('nan'::numeric)) v(x))", agg(agg_func::avg, "numeric", "numeric", group("numeric", {{"1.5", 1}, {"nan", 1}})), "NaN"},
        {"(select avg(x) from (values ('inf'::numeric),(1)) v(x))", agg(agg_func::avg, "numeric", "numeric", group("numeric", {{"inf", 1}, {"1", 1}})), "Infinity"},
        {"(select avg(x) from (values (0.1::float8),(0.2)) v(x))", agg(agg_func::avg, "float8", "float8", group("float8", {{"0.1", 1}, {"0.2", 1}})), "0.15000000000000002"},
        {"(select avg(x) from (values (0.1::float4),(0.2::float4)) v(x))", agg(agg_func::avg, "float4", "float8", group("float4", {{"0.1", 1}, {"0.2", 1}})), "0.15000000223517418"},
        {"(select avg(x) from (values (1e200::float8),(-1e200)) v(x))", agg(agg_func::avg, "float8", "float8", group("float8", {{"1e200", 1}, {"-1e200", 1}})), "ERROR 22003: value out of range: overflow"},
        {"(select avg(x) from (values ('inf'::float8),(1)) v(x))", agg(agg_func::avg, "float8", "float8", group("float8", {{"inf", 1}, {"1", 1}})), "Infinity"},
        {"(select avg(x) from (values (null::int4)) v(x))", agg(agg_func::avg, "int4", "numeric", group("int4", {{"NULL", 1}})), "NULL"},
    });
}

TEST_CASE("MIN and MAX use the type's order", "[eval]") {
    check_all({
        {"(select min(x) from (values ('b'),('B'),('a')) v(x))", agg(agg_func::min, "text", "text", group("text", {{"b", 1}, {"B", 1}, {"a", 1}})), "B"},
        {"(select max(x) from (values ('b'),('B'),('ab')) v(x))", agg(agg_func::max, "text", "text", group("text", {{"b", 1}, {"B", 1}, {"ab", 1}})), "b"},
        {"(select max(x) from (values (1.5::float8),('nan'),('inf')) v(x))", agg(agg_func::max, "float8", "float8", group("float8", {{"1.5", 1}, {"nan", 1}, {"inf", 1}})), "NaN"},
        {"(select min(x) from (values (1.50),(2),(null)) v(x))", agg(agg_func::min, "numeric", "numeric", group("numeric", {{"1.50", 1}, {"2", 1}, {"NULL", 1}})), "1.50"},
        {"(select max(x) from (values (date '2024-01-05'),('infinity')) v(x))", agg(agg_func::max, "date", "date", group("date", {{"2024-01-05", 1}, {"infinity", 1}})), "infinity"},
        {"(select min(x) from (values (null::int4)) v(x))", agg(agg_func::min, "int4", "int4", group("int4", {{"NULL", 3}})), "NULL"},
        {"(select max(x) filter (where x < 5) from (values (1),(7),(3)) v(x))", agg(agg_func::max, "int4", "int4", group("int4", {{"1", 1}, {"7", 1}, {"3", 1}}), op("<", "bool", {col(0, "int4"), i4("5")})), "3"},
    });
}

TEST_CASE("aggregates over types without known arithmetic or order are refused", "[eval]") {
    auto g = group("interval", {{"1 day", 1}, {"24:00:00", 1}});
    CHECK(agg(agg_func::sum, "interval", "interval", g) == "ERROR 0A000: oracle cannot evaluate sum(pg_catalog.interval)");
    CHECK(agg(agg_func::max, "interval", "interval", g) == "ERROR 0A000: oracle cannot evaluate the order of pg_catalog.interval");
    CHECK(agg(agg_func::count, "interval", "int8", g) == "2");
}

TEST_CASE("BOOL_AND and BOOL_OR skip NULLs", "[eval]") {
    auto g = group("bool", {{"t", 2}, {"NULL", 1}, {"f", 1}});
    auto all_true = group("bool", {{"t", 2}, {"NULL", 1}});
    check_all({
        {"(select bool_and(x) from (values (true),(true),(null::bool),(false)) v(x))", agg(agg_func::bool_and, "bool", "bool", g), "f"},
        {"(select bool_or(x) from (values (true),(true),(null::bool),(false)) v(x))", agg(agg_func::bool_or, "bool", "bool", g), "t"},
        {"(select bool_and(x) from (values (true),(true),(null::bool)) v(x))", agg(agg_func::bool_and, "bool", "bool", all_true), "t"},
        {"(select bool_or(x) from (values (null::bool)) v(x))", agg(agg_func::bool_or, "bool", "bool", group("bool", {{"NULL", 1}})), "NULL"},
    });
}
