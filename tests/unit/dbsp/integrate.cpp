#include <catch2/catch.hpp>

#include <vector>

#include "dbsp/operator/index.hpp"
#include "dbsp/operator/integrate.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("integrate: the running sum of a stream", "[integrate]") {
    const std::vector<izset> in{{{1, 1}}, {{2, 2}}, {}, {{1, -1}, {3, 1}}};
    auto out = dbsp_test::run([](auto s) { return dbsp::integrate(s); }, in);
    CHECK(out ==
          std::vector<izset>{{{1, 1}}, {{1, 1}, {2, 2}}, {{1, 1}, {2, 2}}, {{2, 2}, {3, 1}}});
}

TEST_CASE("integrate: indexed Z-sets integrate group by group", "[integrate]") {
    const std::vector<dbsp_test::pair_zset> in{{{{1, 1}, 1}}, {{{1, 2}, 1}, {{1, 1}, -1}}};
    auto out = dbsp_test::run(
        [](auto s) {
            return dbsp::integrate(dbsp::index_by(s, [](const auto& p) { return p.first; }));
        },
        in);
    REQUIRE(out.size() == 2);
    CHECK(*out[1].find(1) == dbsp_test::pair_zset{{{1, 2}, 1}});
    CHECK(out[1].key_count() == 1);
}

TEST_CASE("integrate: integrating twice sums the sums", "[integrate]") {
    const std::vector<izset> in{{{1, 1}}, {}, {}};
    auto out = dbsp_test::run(
        [](auto s) {
            auto once = dbsp::integrate(s);
            return dbsp::integrate(once);
        },
        in);
    CHECK(out == std::vector<izset>{{{1, 1}}, {{1, 2}}, {{1, 3}}});
}
