#include <catch2/catch.hpp>

#include <vector>

#include "dbsp/operator/differentiate.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("differentiate: the change between consecutive values", "[differentiate]") {
    const std::vector<izset> in{{{1, 1}}, {{1, 1}}, {{1, 1}, {2, 1}}, {}};
    auto out = dbsp_test::run([](auto s) { return dbsp::differentiate(s); }, in);
    CHECK(out == std::vector<izset>{{{1, 1}}, {}, {{2, 1}}, {{1, -1}, {2, -1}}});
}

TEST_CASE("differentiate: of a plain value stream", "[differentiate]") {
    const std::vector<izset> in{{{1, 1}}, {{1, 2}, {2, 1}}, {{1, 3}}};
    auto out = dbsp_test::run(
        [](auto s) {
            auto n = s.owner().lift(
                "size", [](const izset& z) { return static_cast<int>(z.size()); }, s);
            return dbsp::differentiate(n);
        },
        in);
    CHECK(out == std::vector<int>{1, 1, -1});
}
