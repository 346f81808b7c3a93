// Grouping equality, hashing and sort order of values, and rows as Z-set keys.

#include <catch2/catch.hpp>
#include <cmath>

#include "dbsp/zset.hpp"
#include "eval_builders.hpp"

namespace {

using pgt::numeric;
using pgt::row;
using pgt::value;

value N(const char* text) { return numeric::parse(text); }
value S(const char* text) { return std::string(text); }
value I(std::int64_t v) { return v; }

// compare_values as -1, 0 or 1.
int cmp(const value& a, const value& b) {
    auto c = pgt::compare_values(a, b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

} // namespace

TEST_CASE("grouping equality follows GROUP BY", "[value]") {
    using pgt::same_value;
    CHECK(same_value(value{}, value{}));                        // NULLs group together
    CHECK_FALSE(same_value(value{}, I(0)));
    CHECK(same_value(N("1.5"), N("1.50")));                     // numerics by value
    CHECK_FALSE(same_value(N("1.5"), N("1.05")));
    CHECK(same_value(value{NAN}, value{-NAN}));                 // every NaN is one group
    CHECK(same_value(value{-0.0}, value{0.0}));                 // -0 = 0
    CHECK_FALSE(same_value(value{0.1}, value{0.1f * 1.0}));
    CHECK(same_value(S("a"), S("a")));
    CHECK_FALSE(same_value(S("a"), S("a ")));                   // text keeps trailing blanks
    CHECK_FALSE(same_value(I(1), N("1")));                      // different alternatives
    CHECK(same_value(pgt::date_value{3}, pgt::date_value{3}));
    CHECK(same_value(pgt::opaque_value{"x"}, pgt::opaque_value{"x"}));
}

TEST_CASE("value hashes agree with grouping equality", "[value]") {
    using pgt::hash_value;
    CHECK(hash_value(N("1.5")) == hash_value(N("1.500")));
    CHECK(hash_value(N("0")) == hash_value(N("0.00")));
    CHECK(hash_value(value{NAN}) == hash_value(value{-NAN}));
    CHECK(hash_value(value{-0.0}) == hash_value(value{0.0}));
    CHECK(hash_value(value{}) == hash_value(value{}));
    CHECK(hash_value(I(1)) != hash_value(I(2)));
    CHECK(hash_value(S("ab")) != hash_value(S("ba")));
}

TEST_CASE("value order is PostgreSQL's ORDER BY order under C collation", "[value]") {
    CHECK(cmp(I(-1), I(2)) == -1);
    CHECK(cmp(N("2.0"), N("2")) == 0);
    CHECK(cmp(value{NAN}, value{HUGE_VAL}) == 1);     // NaN sorts above Infinity
    CHECK(cmp(N("nan"), N("inf")) == 1);
    CHECK(cmp(value{-0.0}, value{0.0}) == 0);
    CHECK(cmp(S("B"), S("a")) == -1);                  // bytewise: 'B' < 'a'
    CHECK(cmp(S("a"), S("ab")) == -1);
    CHECK(cmp(S("z"), S("\xc3\xa9")) == -1);           // UTF-8 bytes above ASCII
    CHECK(cmp(value{false}, value{true}) == -1);
    CHECK(cmp(pgt::date_value{-1}, pgt::date_value{0}) == -1);
    // Mixed numeric kinds compare by value, through float8 when one side is a float.
    CHECK(cmp(I(2), N("1.5")) == 1);
    CHECK(cmp(I(2), value{2.0}) == 0);
    CHECK(cmp(N("0.1"), value{0.1}) == 0);
    // A date is its midnight next to a timestamp.
    CHECK(cmp(pgt::date_value{1}, pgt::timestamp_value{86400000000}) == 0);
    CHECK(cmp(pgt::date_value{1}, pgt::timestamp_value{86400000001}) == -1);
    // NULL sorts last.
    CHECK(cmp(value{}, I(5)) == 1);
    CHECK(cmp(value{}, value{}) == 0);
}

TEST_CASE("rows are Z-set keys under grouping equality", "[value]") {
    dbsp::zset<row, std::int64_t> z;
    z.add(row{{I(1), N("1.5"), value{}}});
    z.add(row{{I(1), N("1.50"), value{}}}, 2);
    z.add(row{{I(1), N("1.5"), S("x")}});
    z.add(row{{value{NAN}}});
    z.add(row{{value{-NAN}}}, -1);
    CHECK(z.size() == 2);
    CHECK(z.weight(row{{I(1), N("1.500"), value{}}}) == 3);
    CHECK(z.weight(row{{I(1), N("1.5"), S("x")}}) == 1);
    CHECK(z.weight(row{{value{NAN}}}) == 0);
    CHECK(row{{I(1)}} != row{{I(1), I(2)}});
}
