#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "dbsp/operator/project.hpp"
#include "drive.hpp"

using row = std::tuple<int, std::string, int>;
using rows = dbsp::zset<row>;

TEST_CASE("project: keeps the listed fields and merges equal projections", "[project]") {
    const rows a{{{1, "a", 10}, 1}, {{1, "b", 10}, 2}, {{2, "a", 20}, -1}};
    CHECK(dbsp::project<0, 2>(a) == dbsp::zset<std::tuple<int, int>>{{{1, 10}, 3}, {{2, 20}, -1}});
    // ("a") has weight 1 - 1 = 0, so it is gone.
    CHECK(dbsp::project<1>(a) == dbsp::zset<std::tuple<std::string>>{{{"b"}, 2}});
}

TEST_CASE("project: reorders and repeats fields", "[project]") {
    const rows a{{{1, "a", 10}, 1}};
    CHECK(dbsp::project<2, 0, 0>(a) == dbsp::zset<std::tuple<int, int, int>>{{{10, 1, 1}, 1}});
}

TEST_CASE("project: works on pairs", "[project]") {
    const dbsp_test::pair_zset a{{{1, 2}, 1}, {{1, 3}, 1}};
    CHECK(dbsp::project<0>(a) == dbsp::zset<std::tuple<int>>{{{1}, 2}});
}

TEST_CASE("project: on a stream projects each tick's value", "[project]") {
    auto out = dbsp_test::run([](auto s) { return dbsp::project<1>(s); },
                              std::vector<rows>{{{{1, "a", 1}, 1}}, {{{2, "a", 1}, -1}}});
    using want = dbsp::zset<std::tuple<std::string>>;
    CHECK(out == std::vector<want>{{{{"a"}, 1}}, {{{"a"}, -1}}});
}
