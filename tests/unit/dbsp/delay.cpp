#include <catch2/catch.hpp>

#include <vector>

#include "dbsp/operator/delay.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("delay: shifts the stream by one tick, starting from zero", "[delay]") {
    const std::vector<izset> in{{{1, 1}}, {{2, 1}}, {{3, -1}}};
    auto out = dbsp_test::run([](auto s) { return dbsp::delay(s); }, in);
    CHECK(out == std::vector<izset>{{}, {{1, 1}}, {{2, 1}}});
}

TEST_CASE("delay: two delays shift by two ticks", "[delay]") {
    const std::vector<izset> in{{{1, 1}}, {{2, 1}}, {{3, -1}}};
    auto out = dbsp_test::run([](auto s) { return dbsp::delay(dbsp::delay(s)); }, in);
    CHECK(out == std::vector<izset>{{}, {}, {{1, 1}}});
}

TEST_CASE("delay: the delayed value is a copy, unaffected by later ticks", "[delay]") {
    auto [c, h] = dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [s, in] = dbsp::add_input_zset<int>(c);
        return std::pair{in, dbsp::add_output(dbsp::delay(s))};
    });
    auto& [in, out] = h;
    in.push(7, 1);
    c.step();
    c.step();
    CHECK(out.value() == izset{{7, 1}});
    c.step();
    CHECK(out.value().empty());
}
