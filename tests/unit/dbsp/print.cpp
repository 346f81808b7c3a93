#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "dbsp/print.hpp"

namespace {
template <class T>
std::string str(const T& v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// A key type without an order: printed through its operator<<, listed in text order.
struct color {
    std::string name;
    friend bool operator==(const color&, const color&) = default;
    friend std::ostream& operator<<(std::ostream& os, const color& c) {
        return os << '#' << c.name;
    }
    friend std::uint64_t dbsp_hash(const color& c) { return dbsp::hash_value(c.name); }
};
} // namespace

TEST_CASE("print: a Z-set lists its entries in key order", "[print]") {
    CHECK(str(dbsp::zset<int>{{3, 1}, {1, -2}, {10, 4}}) == "{1: -2, 3: 1, 10: 4}");
    CHECK(str(dbsp::zset<int>{}) == "{}");
}

TEST_CASE("print: strings are quoted, tuples parenthesised, ranges bracketed", "[print]") {
    CHECK(str(dbsp::zset<std::string>{{"b", 1}, {"a", 2}}) == R"({"a": 2, "b": 1})");
    CHECK(str(dbsp::zset<std::tuple<int, std::string>>{{{1, "x"}, 1}}) == R"({(1, "x"): 1})");
    CHECK(str(dbsp::zset<std::vector<int>>{{{1, 2}, -1}, {{}, 1}}) == "{[]: 1, [1, 2]: -1}");
}

TEST_CASE("print: an indexed Z-set prints a Z-set per key", "[print]") {
    dbsp::indexed_zset<int, std::string> z;
    z.add(2, "b");
    z.add(1, "a", 2);
    z.add(1, "c");
    CHECK(str(z) == R"({1: {"a": 2, "c": 1}, 2: {"b": 1}})");
}

TEST_CASE("print: keys without an order print in the order of their text", "[print]") {
    CHECK(str(dbsp::zset<color>{{{"red"}, 1}, {{"blue"}, 2}, {{"green"}, -1}}) ==
          "{#blue: 2, #green: -1, #red: 1}");
}
