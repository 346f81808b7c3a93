#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dbsp/circuit/circuit.hpp"
#include "dbsp/circuit/io.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/operator/delay.hpp"
#include "dbsp/operator/differentiate.hpp"
#include "dbsp/operator/index.hpp"
#include "dbsp/operator/integrate.hpp"
#include "dbsp/operator/join.hpp"
#include "dbsp/operator/map.hpp"
#include "dbsp/operator/plus.hpp"
#include "drive.hpp"

using dbsp_test::izset;

TEST_CASE("circuit: nodes run in creation order within a tick", "[circuit]") {
    std::vector<std::string> log;
    auto [c, h] = dbsp::root_circuit::build([&](dbsp::circuit& c) {
        auto [s, in] = dbsp::add_input_zset<int>(c);
        auto a = c.lift(
            "a",
            [&](const izset& x) {
                log.push_back("a");
                return x.size();
            },
            s);
        auto b = c.lift(
            "b",
            [&](std::size_t n) {
                log.push_back("b");
                return n * 10;
            },
            a);
        return std::pair{in, dbsp::add_output(b)};
    });
    auto& [in, out] = h;
    in.push(izset{{1, 1}, {2, 1}});
    c.step();
    CHECK(out.value() == 20); // b saw a's value of the same tick
    c.step();
    CHECK(out.value() == 0);
    CHECK(log == std::vector<std::string>{"a", "b", "a", "b"});
    CHECK(c.ticks() == 2);
}

TEST_CASE("circuit: lift combines several streams of the same tick", "[circuit]") {
    auto out = dbsp_test::run(
        [](auto a, auto b) {
            return a.owner().lift(
                "sizes",
                [](const izset& x, const izset& y) {
                    return static_cast<int>(x.size() * 10 + y.size());
                },
                a, b);
        },
        std::vector<izset>{{{1, 1}}, {}}, std::vector<izset>{{{1, 1}, {2, 1}}, {{3, 1}}});
    CHECK(out == std::vector<int>{12, 1});
}

TEST_CASE("circuit: a feedback loop through z^-1 carries state between ticks", "[circuit]") {
    // sum = in + z⁻¹(sum): the integral, built by hand.
    auto out = dbsp_test::run(
        [](auto s) {
            auto [prev, connect] = s.owner().template feedback<izset>("sum_z1");
            auto sum = dbsp::plus(s, prev);
            connect(sum);
            return sum;
        },
        std::vector<izset>{{{1, 1}}, {{2, 1}}, {{1, -1}}, {}});
    CHECK(out == std::vector<izset>{{{1, 1}}, {{1, 1}, {2, 1}}, {{2, 1}}, {{2, 1}}});
}

TEST_CASE("circuit: a feedback that is never connected fails the step", "[circuit]") {
    auto [c, h] = dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [prev, connect] = c.feedback<izset>("dangling");
        return prev.id();
    });
    CHECK(h > 0);
    CHECK_THROWS_WITH(c.step(), Catch::Contains("dangling"));
}

TEST_CASE("circuit: region names prefix every node created inside", "[circuit]") {
    auto [c, names] = dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [s, in] = dbsp::add_input_zset<std::pair<int, int>>(c);
        c.region("outer", [&] {
            auto idx = dbsp::index_by(s, [](const auto& p) { return p.first; });
            c.region("inner", [&] {
                auto j = dbsp::join(idx, idx, [](int k, const auto&, const auto&) { return k; });
                dbsp::integrate(j);
            });
            dbsp::delay(s);
        });
        dbsp::map(s, [](const auto& p) { return p.second; });
        return c.node_names();
    });
    CHECK(names == std::vector<std::string>{"input", "outer/index_by", "outer/inner/join",
                                            "outer/inner/integrate", "outer/z1", "map"});
    CHECK(c.get().node_count() == 6);
}

TEST_CASE("circuit: region returns the value of its body", "[circuit]") {
    dbsp::circuit c;
    auto [s, in] = dbsp::add_input_zset<int>(c);
    auto m = c.region("r", [&] { return dbsp::map(s, [](int x) { return x + 1; }); });
    CHECK(m.name() == "r/map");
    CHECK(s.name() == "input");
    CHECK(&m.owner() == &c);
}

TEST_CASE("circuit: integrate and differentiate are memoized per stream", "[circuit]") {
    dbsp::circuit c;
    auto [s, in] = dbsp::add_input_zset<int>(c);
    auto i1 = dbsp::integrate(s);
    const auto nodes = c.node_count();
    auto i2 = dbsp::integrate(s);
    CHECK(i1.id() == i2.id());
    CHECK(dbsp::differentiate(i1).id() == s.id()); // D(I(s)) is s
    CHECK(c.node_count() == nodes);
    auto d = dbsp::differentiate(s);
    CHECK(dbsp::integrate(d).id() == s.id()); // I(D(s)) is s
    CHECK(dbsp::differentiate(s).id() == d.id());
    CHECK(c.node_count() == nodes + 1);
}

TEST_CASE("circuit: the memo cache is keyed by kind, stream and type", "[circuit]") {
    dbsp::circuit c;
    auto [s, in] = dbsp::add_input_zset<int>(c);
    CHECK(c.cached<izset>("custom", s.id()) == nullptr);
    auto m = dbsp::map(s, [](int x) { return x; });
    c.remember("custom", s.id(), m);
    REQUIRE(c.cached<izset>("custom", s.id()) != nullptr);
    CHECK(c.cached<izset>("custom", s.id())->id() == m.id());
    CHECK(c.cached<dbsp::zset<long>>("custom", s.id()) == nullptr);
    CHECK(c.cached<izset>("other", s.id()) == nullptr);
    CHECK(c.cached<izset>("custom", m.id()) == nullptr);
}

TEST_CASE("circuit: root_circuit owns the circuit its handles point into", "[circuit]") {
    auto built = dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [s, in] = dbsp::add_input_zset<int>(c);
        return std::pair{in, dbsp::add_output(dbsp::integrate(s))};
    });
    auto moved = std::move(built); // moving the owner keeps every stream valid
    auto& [c, h] = moved;
    h.first.push(3, 2);
    c.step();
    h.first.push(3, -1);
    c.step();
    CHECK(h.second.value() == izset{{3, 1}});
    CHECK(c.get().ticks() == 2);
    CHECK(std::as_const(c).get().node_count() == 3);
}
