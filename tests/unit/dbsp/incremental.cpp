#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "dbsp/incremental.hpp"
#include "dbsp/operator/distinct.hpp"
#include "dbsp/operator/filter.hpp"
#include "dbsp/operator/map.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("incremental: D(Q(I(changes))) turns a per-tick query into an incremental one",
          "[incremental]") {
    const std::vector<izset> in{{{1, 1}}, {{1, 1}}, {{1, -3}}, {{1, 2}, {2, -1}}};
    auto out = dbsp_test::run(
        [](auto s) {
            return dbsp::incremental(s, [](auto x) { return dbsp::stream_distinct(x); });
        },
        in);
    CHECK(out == std::vector<izset>{{{1, 1}}, {}, {{1, -1}}, {{1, 1}}});
}

TEST_CASE("incremental: of the identity is the input stream itself", "[incremental]") {
    dbsp::circuit c;
    auto [s, in] = dbsp::add_input_zset<int>(c);
    auto r = dbsp::incremental(s, [](auto x) { return x; });
    CHECK(r.id() == s.id());
    CHECK(c.node_count() == 2); // the input and one integrate node, nothing else
}

TEST_CASE("incremental: nested incremental queries do not stack I and D", "[incremental]") {
    dbsp::circuit c;
    auto [s, in] = dbsp::add_input_zset<int>(c);
    auto q1 = [](auto x) { return dbsp::stream_distinct(x); };
    auto q2 = [](auto x) { return dbsp::map(x, [](int v) { return v / 2; }); };
    auto inner = dbsp::incremental(s, q1);
    const auto nodes = c.node_count(); // input, I, distinct, D
    dbsp::incremental(inner, q2);      // I(D(…)) is memoized away: only map and D are new
    CHECK(nodes == 4);
    CHECK(c.node_count() == nodes + 2);
}

TEST_CASE("incremental: compose applies the first function, then the second", "[incremental]") {
    auto f = dbsp::compose([](int x) { return x + 1; }, [](int x) { return x * 10; });
    CHECK(f(1) == 20);
    auto g = dbsp::compose([](const izset& z) { return z.size(); },
                           [](std::size_t n) { return std::to_string(n); });
    CHECK(g(izset{{1, 1}, {2, 1}}) == "2");
}

TEST_CASE("incremental: parallel applies two functions side by side", "[incremental]") {
    auto p =
        dbsp::parallel([](int x) { return x + 1; }, [](const std::string& s) { return s + "!"; });
    CHECK(p(1, std::string("a")) == std::pair{2, std::string("a!")});
}

TEST_CASE("incremental: compose of stream functions builds a pipeline", "[incremental]") {
    const std::vector<izset> in{{{1, 1}, {2, 1}}, {{3, 1}}};
    auto pipeline =
        dbsp::compose([](auto s) { return dbsp::filter(s, [](int x) { return x != 2; }); },
                      [](auto s) { return dbsp::map(s, [](int x) { return -x; }); });
    CHECK(dbsp_test::run(pipeline, in) == std::vector<izset>{{{-1, 1}}, {{-3, 1}}});
}
