#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dbsp/operator/filter.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("filter: keeps the keys satisfying the predicate with their weights", "[filter]") {
    const izset a{{1, 2}, {2, -1}, {3, 1}, {4, 5}};
    CHECK(dbsp::filter(a, [](int x) { return x % 2 == 0; }) == izset{{2, -1}, {4, 5}});
    CHECK(dbsp::filter(a, [](int) { return false; }).empty());
    CHECK(dbsp::filter(a, [](int) { return true; }) == a);
}

TEST_CASE("filter: string keys", "[filter]") {
    const dbsp::zset<std::string> a{{"apple", 1}, {"avocado", 2}, {"banana", 3}};
    CHECK(dbsp::filter(a, [](const std::string& s) { return s[0] == 'a'; }) ==
          dbsp::zset<std::string>{{"apple", 1}, {"avocado", 2}});
}

TEST_CASE("filter: on a stream filters each tick's value", "[filter]") {
    auto out = dbsp_test::run([](auto s) { return dbsp::filter(s, [](int x) { return x > 2; }); },
                              std::vector<izset>{{{1, 1}, {3, 1}}, {{3, -1}, {2, 1}}});
    CHECK(out == std::vector<izset>{{{3, 1}}, {{3, -1}}});
}
