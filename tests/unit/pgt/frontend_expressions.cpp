// Front end: scalar expressions — their IR and PostgreSQL's result types (the types were
// checked against a PostgreSQL 15 server with \gdesc).
#include "frontend_fixture.hpp"

using namespace frontend_test;

namespace {
// The one output expression of `SELECT <expr>` over orders and customers (its id renamed
// cid), printed over its input.
std::string expr(const std::string& e) {
    auto q = query("SELECT " + e + " AS x FROM orders, customers AS c (cid)");
    const auto& project = std::get<pgt::ir::project>(q.root->node);
    return pgt::ir::to_string(*project.exprs[0], &q.root->inputs[0]->columns);
}
std::string type_of(const std::string& e) { return types("SELECT " + e + " AS x FROM orders, customers AS c (cid)"); }
} // namespace

TEST_CASE("frontend: arithmetic types", "[frontend]") {
    CHECK(type_of("quantity + quantity") == "pg_catalog.int2");
    CHECK(type_of("quantity + 1") == "pg_catalog.int4");
    CHECK(type_of("quantity * id") == "pg_catalog.int8");
    CHECK(type_of("id / 2") == "pg_catalog.int8");
    CHECK(type_of("quantity + amount") == "pg_catalog.numeric");
    CHECK(type_of("amount * discount") == "pg_catalog.float8");
    CHECK(type_of("1::float4 + 1::float4") == "pg_catalog.float4");
    CHECK(type_of("1::float4 + 1") == "pg_catalog.float8");
    CHECK(type_of("1::float4 * 2.5") == "pg_catalog.float8");
    CHECK(type_of("amount % 2") == "pg_catalog.numeric");
    CHECK(type_of("10 % 3::int8") == "pg_catalog.int8");
    CHECK(type_of("2 ^ 3") == "pg_catalog.float8");
    CHECK(type_of("2.0 ^ 2") == "pg_catalog.numeric");
    CHECK(type_of("-quantity") == "pg_catalog.int2");
    CHECK(type_of("1 + '2'") == "pg_catalog.int4");
    CHECK(expr("quantity / 2") == "(quantity / '2')");
    CHECK(expr("-quantity") == "(- quantity)");
}

TEST_CASE("frontend: literals", "[frontend]") {
    CHECK(type_of("1") == "pg_catalog.int4");
    CHECK(type_of("2147483648") == "pg_catalog.int8");
    CHECK(type_of("-2147483648") == "pg_catalog.int4");
    CHECK(type_of("9223372036854775808") == "pg_catalog.numeric");
    CHECK(type_of("1.5") == "pg_catalog.numeric");
    CHECK(type_of("1e3") == "pg_catalog.numeric");
    CHECK(type_of("true") == "pg_catalog.bool");
    CHECK(type_of("'x'") == "pg_catalog.text");
    CHECK(type_of("NULL") == "pg_catalog.text");
    CHECK(expr("-5") == "'-5'");
    auto q = query("SELECT NULL AS x, true AS y FROM orders");
    const auto& p = std::get<pgt::ir::project>(q.root->node);
    CHECK_FALSE(p.exprs[0]->literal);
    CHECK(*p.exprs[1]->literal == "true");
}

#if PGT_PG_MAJOR >= 16
// Types and values checked against a PostgreSQL 18 server.
TEST_CASE("frontend: hexadecimal, octal, binary and underscored integer literals (PostgreSQL 16)", "[frontend]") {
    CHECK(type_of("0x7FFFFFFF") == "pg_catalog.int4");
    CHECK(type_of("0x80000000") == "pg_catalog.int8");
    CHECK(expr("0x80000000") == "'2147483648'");
    CHECK(expr("-0x8000000000000000") == "'-9223372036854775808'");
    CHECK(type_of("-0x8000000000000000") == "pg_catalog.int8");
    CHECK(type_of("0xFFFFFFFFFFFFFFFF") == "pg_catalog.numeric");
    CHECK(expr("0xFFFFFFFFFFFFFFFF") == "'18446744073709551615'");
    CHECK(expr("0o1_777_777_777_777") == "'137438953471'");
    CHECK(expr("0B1_0000_0000_0000_0000_0000_0000_0000_0000") == "'4294967296'");
    CHECK(type_of("1_000_000_000_000") == "pg_catalog.int8");
    CHECK(expr("1_000.000_5") == "'1000.0005'");
    CHECK(type_of("1_000.000_5") == "pg_catalog.numeric");
}
#endif

TEST_CASE("frontend: date and time arithmetic", "[frontend]") {
    CHECK(type_of("ordered_on + 1") == "pg_catalog.date");
    CHECK(type_of("1 + ordered_on") == "pg_catalog.date");
    CHECK(type_of("ordered_on - 1") == "pg_catalog.date");
    CHECK(type_of("ordered_on - ordered_on") == "pg_catalog.int4");
    CHECK(type_of("ordered_on - '2020-01-01'") == "pg_catalog.int4");
    CHECK(type_of("ordered_on + interval '1 day'") == "pg_catalog.timestamp");
    CHECK(type_of("shipped_at - ordered_on") == "pg_catalog.interval");
    CHECK(type_of("now() - shipped_at") == "pg_catalog.interval");
    CHECK(type_of("created_at - interval '1 day'") == "pg_catalog.timestamptz");
    CHECK(type_of("interval '1 day' * 2") == "pg_catalog.interval");
    CHECK(type_of("shipped_at < created_at") == "pg_catalog.bool");
    CHECK(expr("date '2024-01-01'") == "'2024-01-01'");
    CHECK(type_of("date '2024-01-01'") == "pg_catalog.date");
    CHECK(type_of("timestamp '2024-01-01 10:00'") == "pg_catalog.timestamp");
    // Field qualifiers keep the keyword spelling, which reads the literal as PostgreSQL does.
    CHECK(type_of("interval '90' day") == "interval day");
    CHECK(type_of("interval '1-2' year to month") == "interval year to month");
    CHECK(type_of("interval '1.5' second(3)") == "interval second(3)");
    CHECK(type_of("CAST('1 day' AS interval(2))") == "interval(2)");
    CHECK(type_of("date '1998-12-01' - interval '90' day") == "pg_catalog.timestamp");
}

TEST_CASE("frontend: comparisons and boolean logic", "[frontend]") {
    CHECK(expr("quantity <> 1 AND NOT express OR amount >= 2") ==
          "(((quantity <> '1') AND (NOT express)) OR (amount >= '2'))");
    CHECK(expr("quantity != 1") == "(quantity <> '1')");
    CHECK(expr("quantity BETWEEN 1 AND 5") == "((quantity >= '1') AND (quantity <= '5'))");
    CHECK(expr("quantity NOT BETWEEN 1 AND 5") == "((quantity < '1') OR (quantity > '5'))");
    CHECK(expr("quantity BETWEEN SYMMETRIC 5 AND 1") ==
          "(((quantity >= '5') AND (quantity <= '1')) OR ((quantity >= '1') AND (quantity <= '5')))");
    CHECK(expr("quantity IN (1, 2, 3)") == "(quantity IN ('1', '2', '3'))");
    CHECK(expr("sku NOT IN ('a', 'b')") == "(sku NOT IN ('a', 'b'))");
    CHECK(expr("express IS TRUE") == "(express IS NOT DISTINCT FROM 'true')");
    CHECK(expr("express IS NOT TRUE") == "(express IS DISTINCT FROM 'true')");
    CHECK(expr("express IS FALSE") == "(express IS NOT DISTINCT FROM 'false')");
    CHECK(expr("express IS NOT FALSE") == "(express IS DISTINCT FROM 'false')");
    CHECK(expr("express IS UNKNOWN") == "(express IS NULL)");
    CHECK(expr("amount IS NOT NULL") == "(amount IS NOT NULL)");
    CHECK(expr("sku IS DISTINCT FROM name") == "(sku IS DISTINCT FROM name)");
    CHECK(expr("sku IS NOT DISTINCT FROM 'a'") == "(sku IS NOT DISTINCT FROM 'a')");
    CHECK(expr("name LIKE 'a%'") == "(name ~~ 'a%')");
    CHECK(expr("name NOT LIKE 'a%'") == "(name !~~ 'a%')");
    CHECK(expr("name ILIKE 'a%'") == "(name ~~* 'a%')");
    CHECK(expr("name NOT ILIKE 'a%'") == "(name !~~* 'a%')");
    // An unknown literal compared with a column takes the column's type.
    auto q = query("SELECT id FROM orders WHERE ordered_on = '2024-01-01' AND id IN (1, '2')");
    const auto& filter = std::get<pgt::ir::filter>(q.root->inputs[0]->node);
    CHECK(filter.predicate->args[0]->args[1]->type.name == "pg_catalog.date");
    CHECK(filter.predicate->args[1]->args[2]->type.name == "pg_catalog.int8");
}

TEST_CASE("frontend: CASE, COALESCE, NULLIF, GREATEST, LEAST", "[frontend]") {
    CHECK(expr("CASE WHEN amount > 10 THEN 'big' ELSE 'small' END") ==
          "CASE WHEN (amount > '10') THEN 'big' ELSE 'small' END");
    CHECK(type_of("CASE WHEN amount > 10 THEN 'big' ELSE 'small' END") == "pg_catalog.text");
    // Simple CASE compares the subject with each value.
    CHECK(expr("CASE country WHEN 'DE' THEN 1 WHEN 'FR' THEN 2.5 END") ==
          "CASE WHEN (country = 'DE') THEN '1' WHEN (country = 'FR') THEN '2.5' END");
    CHECK(type_of("CASE country WHEN 'DE' THEN 1 WHEN 'FR' THEN 2.5 END") == "pg_catalog.numeric");
    CHECK(type_of("CASE WHEN express THEN amount ELSE discount END") == "pg_catalog.float8");
    // The ELSE branch is unified first, as PostgreSQL does.
    CHECK(type_of("CASE WHEN express THEN 'a'::varchar ELSE 'b'::text END") == "pg_catalog.text");
    CHECK(type_of("CASE WHEN express THEN 1 END") == "pg_catalog.int4");
    CHECK(expr("coalesce(discount, 0)") == "COALESCE(discount, '0')");
    CHECK(type_of("coalesce(discount, 0)") == "pg_catalog.float8");
    CHECK(type_of("coalesce(email, name)") == "pg_catalog.varchar");
    CHECK(type_of("coalesce(shipped_at, created_at)") == "pg_catalog.timestamptz");
    CHECK(expr("nullif(sku, '')") == "NULLIF(sku, '')");
    CHECK(type_of("nullif(quantity, 1)") == "pg_catalog.int2");
    CHECK(expr("greatest(quantity, 1)") == "GREATEST(quantity, '1')");
    CHECK(type_of("greatest(quantity, 1)") == "pg_catalog.int4");
    CHECK(type_of("least(amount, discount)") == "pg_catalog.float8");
    CHECK(type_of("greatest(ordered_on, shipped_at)") == "pg_catalog.timestamp");
}

TEST_CASE("frontend: casts", "[frontend]") {
    CHECK(expr("amount::int") == "CAST(amount AS pg_catalog.int4)");
    CHECK(expr("CAST(id AS text)") == "CAST(id AS pg_catalog.text)");
    CHECK(type_of("amount::numeric(6, 1)") == "pg_catalog.numeric(6,1)");
    CHECK(type_of("sku::varchar(3)") == "pg_catalog.varchar(3)");
    CHECK(type_of("sku::character varying") == "pg_catalog.varchar");
    CHECK(type_of("shipped_at::timestamp with time zone") == "pg_catalog.timestamptz");
    CHECK(type_of("1::double precision") == "pg_catalog.float8");
    CHECK(type_of("'5'::int") == "pg_catalog.int4");
    CHECK(expr("'5'::int") == "'5'");
    // Types the compiler does not know keep their spelling.
    CHECK(type_of("sku::uuid") == "uuid");
    CHECK(type_of("sku::public.mood") == "public.mood");
    CHECK(type_of("quantity::int[]") == "pg_catalog.int4[]");
}

TEST_CASE("frontend: string functions and concatenation", "[frontend]") {
    CHECK(expr("name || 'x'") == "(name || 'x')");
    CHECK(type_of("id || name") == "pg_catalog.text");
    CHECK(type_of("email || 'x'") == "pg_catalog.text");
    CHECK(expr("substring(name from 1 for 3)") == "substring(name, '1', '3')");
    CHECK(expr("substring(name, 2)") == "substring(name, '2')");
    CHECK(expr("trim(name)") == "btrim(name)");
    CHECK(expr("trim(leading 'x' from name)") == "ltrim(name, 'x')");
    CHECK(expr("position('a' in name)") == "position(name, 'a')");
    for (const char* f : {"upper(name)", "lower(name)", "substr(sku, 2)", "left(sku, 2)", "right(sku, 2)",
                          "replace(sku, 'a', 'b')", "lpad(sku, 5)", "rpad(sku, 5, '*')", "md5(sku)",
                          "btrim(sku, 'x')", "ltrim(sku)", "rtrim(sku)", "concat(name, id)"})
        CHECK(type_of(f) == "pg_catalog.text");
    for (const char* f : {"length(email)", "char_length(sku)", "strpos(sku, 'a')", "length(country)"})
        CHECK(type_of(f) == "pg_catalog.int4");
    CHECK(query("SELECT concat(name, id) AS x FROM customers").max_volatility == pgt::ir::volatility::stable);
}

TEST_CASE("frontend: math functions", "[frontend]") {
    CHECK(type_of("abs(quantity)") == "pg_catalog.int2");
    CHECK(type_of("abs('1')") == "pg_catalog.float8");
    CHECK(type_of("round(discount)") == "pg_catalog.float8");
    CHECK(type_of("round(quantity)") == "pg_catalog.float8");
    CHECK(type_of("round(amount)") == "pg_catalog.numeric");
    CHECK(type_of("round(amount, 1)") == "pg_catalog.numeric");
    CHECK(type_of("round(quantity, 1)") == "pg_catalog.numeric");
    CHECK(type_of("trunc(amount, 0)") == "pg_catalog.numeric");
    CHECK(type_of("floor(amount)") == "pg_catalog.numeric");
    CHECK(type_of("ceil(discount)") == "pg_catalog.float8");
    CHECK(type_of("ceiling(amount)") == "pg_catalog.numeric");
    CHECK(type_of("sqrt(quantity)") == "pg_catalog.float8");
    CHECK(type_of("power(quantity, 2)") == "pg_catalog.float8");
    CHECK(type_of("power(2, 3.5)") == "pg_catalog.numeric");
    CHECK(type_of("mod(quantity, 3)") == "pg_catalog.int4");
    CHECK(type_of("mod(1, 2.5)") == "pg_catalog.numeric");
    CHECK(type_of("sign(discount)") == "pg_catalog.float8");
    CHECK(expr("round(amount, 2)") == "round(amount, '2')");
    auto q = query("SELECT round(amount, 2) AS x FROM orders");
    const auto& call = *std::get<pgt::ir::project>(q.root->node).exprs[0];
    CHECK(call.kind == pgt::ir::expr_kind::func);
    CHECK(call.schema == "pg_catalog");
    CHECK(call.vol == pgt::ir::volatility::immutable);
}

TEST_CASE("frontend: date/time functions and their volatility", "[frontend]") {
    CHECK(type_of("date_trunc('day', shipped_at)") == "pg_catalog.timestamp");
    CHECK(type_of("date_trunc('day', created_at)") == "pg_catalog.timestamptz");
    CHECK(type_of("date_trunc('day', ordered_on)") == "pg_catalog.timestamptz");
    CHECK(type_of("extract(year from ordered_on)") == "pg_catalog.numeric");
    CHECK(expr("extract(year from ordered_on)") == "extract('year', ordered_on)");
    CHECK(type_of("date_part('year', ordered_on)") == "pg_catalog.float8");
    CHECK(type_of("to_char(created_at, 'YYYY')") == "pg_catalog.text");
    CHECK(type_of("now()") == "pg_catalog.timestamptz");
    CHECK(expr("current_timestamp") == "now()");
    CHECK(expr("current_date") == "CAST(now() AS pg_catalog.date)");
    CHECK(expr("localtimestamp") == "CAST(now() AS pg_catalog.timestamp)");
    CHECK(type_of("current_timestamp(3)") == "pg_catalog.timestamptz(3)");
    auto vol = [](const std::string& e) { return query("SELECT " + e + " AS x FROM orders").max_volatility; };
    using pgt::ir::volatility;
    CHECK(vol("date_trunc('day', shipped_at)") == volatility::immutable);
    CHECK(vol("date_trunc('day', ordered_on)") == volatility::stable);
    CHECK(vol("extract(year from ordered_on)") == volatility::immutable);
    CHECK(vol("to_char(ordered_on, 'YYYY')") == volatility::stable);
    CHECK(vol("current_date") == volatility::stable);
    // Operators and casts that depend on the session's time zone or date style are stable.
    CHECK(vol("shipped_at + interval '1 day'") == volatility::immutable);
    CHECK(vol("now() + interval '1 day'") == volatility::stable);
    CHECK(vol("ordered_on < shipped_at") == volatility::immutable);
    CHECK(vol("ordered_on < now()") == volatility::stable);
    CHECK(vol("ordered_on::timestamp") == volatility::immutable);
    CHECK(vol("ordered_on::text") == volatility::stable);
    CHECK(vol("sku::date") == volatility::stable);
    CHECK(vol("amount::int") == volatility::immutable);
    auto q = query("SELECT shipped_at::timestamptz AS x FROM orders");
    CHECK(std::get<pgt::ir::project>(q.root->node).exprs[0]->vol == volatility::stable);
}
