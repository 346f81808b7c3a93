#include <catch2/catch.hpp>

#include <string>

#include "dbsp/circuit/io.hpp"
#include "dbsp/indexed_zset.hpp"
#include "dbsp/operator/index.hpp"
#include "dbsp/print.hpp"

using z = dbsp::zset<std::string>;

namespace {
// A circuit whose output is its input: it shows exactly what the handles do.
auto passthrough() {
    return dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [s, in] = dbsp::add_input_zset<std::string>(c);
        return std::pair{in, dbsp::add_output(s)};
    });
}
} // namespace

TEST_CASE("io: pushes before a step are summed into that tick's input", "[io]") {
    auto [c, h] = passthrough();
    auto& [in, out] = h;
    in.push("a");
    in.push("b", 2);
    in.push(z{{"a", -1}, {"c", 1}});
    c.step();
    CHECK(out.value() == z{{"b", 2}, {"c", 1}});
    c.step(); // nothing pushed: the input is empty on this tick
    CHECK(out.value().empty());
}

TEST_CASE("io: consolidate sums every tick since the previous call", "[io]") {
    auto [c, h] = passthrough();
    auto& [in, out] = h;
    in.push("a");
    c.step();
    in.push("a", -1);
    in.push("b");
    c.step();
    in.push("c");
    c.step();
    CHECK(out.value() == z{{"c", 1}});
    CHECK(out.consolidate() == z{{"b", 1}, {"c", 1}});
    CHECK(out.consolidate().empty());
    in.push("d");
    c.step();
    CHECK(out.consolidate() == z{{"d", 1}});
}

TEST_CASE("io: outputs of indexed Z-sets and of plain values", "[io]") {
    auto [c, h] = dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [s, in] = dbsp::add_input_zset<int>(c);
        auto idx = dbsp::index_by(s, [](int x) { return x % 2; });
        auto n = c.lift(
            "size", [](const dbsp::zset<int>& x) { return x.size(); }, s);
        return std::tuple{in, dbsp::add_output(idx), dbsp::add_output(n, "count")};
    });
    auto& [in, idx, n] = h;
    in.push(dbsp::zset<int>{{1, 1}, {2, 1}, {3, 1}});
    c.step();
    dbsp::indexed_zset<int, int> want;
    want.add(1, 1);
    want.add(1, 3);
    want.add(0, 2);
    CHECK(idx.value() == want);
    CHECK(idx.consolidate() == want);
    CHECK(n.value() == 3);
    CHECK(n.consolidate() == 3); // any type with += accumulates
    CHECK(c.get().node_names() ==
          std::vector<std::string>{"input", "index_by", "size", "output", "count"});
}

TEST_CASE("io: inputs are independent and named", "[io]") {
    auto [c, h] = dbsp::root_circuit::build([](dbsp::circuit& c) {
        auto [a, ina] = dbsp::add_input_zset<int, int>(c, "a");
        auto [b, inb] = dbsp::add_input_zset<int, int>(c, "b");
        CHECK(a.name() == "a");
        CHECK(b.name() == "b");
        return std::tuple{ina, inb, dbsp::add_output(a), dbsp::add_output(b)};
    });
    auto& [ina, inb, outa, outb] = h;
    ina.push(1, 5);
    c.step();
    CHECK(outa.value() == dbsp::zset<int, int>{{1, 5}});
    CHECK(outb.value().empty());
}
