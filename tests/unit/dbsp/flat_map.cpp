#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dbsp/operator/flat_map.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("flat_map: every produced key inherits its source's weight", "[flat_map]") {
    const izset a{{2, 3}, {3, -1}};
    // x ↦ [0, x)
    auto range = [](int x) {
        std::vector<int> r;
        for (int i = 0; i < x; ++i) r.push_back(i);
        return r;
    };
    CHECK(dbsp::flat_map(a, range) == izset{{0, 2}, {1, 2}, {2, -1}});
}

TEST_CASE("flat_map: repeated outputs add up and empty ranges vanish", "[flat_map]") {
    const izset a{{1, 1}, {0, 5}};
    CHECK(dbsp::flat_map(a, [](int x) { return std::vector<int>(2, x * 7); }) ==
          izset{{0, 10}, {7, 2}});
    CHECK(dbsp::flat_map(a, [](int) { return std::vector<int>{}; }).empty());
}

TEST_CASE("flat_map: splits strings into words", "[flat_map]") {
    const dbsp::zset<std::string> lines{{"a b", 1}, {"b", 2}};
    auto words = [](const std::string& s) {
        std::vector<std::string> r;
        std::string w;
        for (char ch : s + ' ')
            if (ch == ' ') {
                r.push_back(w);
                w.clear();
            } else {
                w += ch;
            }
        return r;
    };
    CHECK(dbsp::flat_map(lines, words) == dbsp::zset<std::string>{{"a", 1}, {"b", 3}});
}

TEST_CASE("flat_map: on a stream expands each tick's value", "[flat_map]") {
    auto out = dbsp_test::run(
        [](auto s) { return dbsp::flat_map(s, [](int x) {
                         return std::vector<int>{x, -x};
                     }); },
        std::vector<izset>{{{1, 1}}, {{2, -2}}});
    CHECK(out == std::vector<izset>{{{1, 1}, {-1, 1}}, {{2, -2}, {-2, -2}}});
}
