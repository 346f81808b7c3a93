#include <catch2/catch.hpp>

#include <vector>

#include "dbsp/operator/delay.hpp"
#include "dbsp/operator/differentiate.hpp"
#include "dbsp/operator/integrate.hpp"
#include "dbsp/operator/plus.hpp"
#include "property/random.hpp"
#include "unit/dbsp/drive.hpp"

using namespace pgt_prop;
using z = dbsp::zset<int>;

namespace {
// An identity node: I and D are memoized inverses, so D(I(s)) would return s itself without
// running anything. Going through a copy makes the circuit compute both.
auto copy(const dbsp::stream<z>& s) {
    return s.owner().lift(
        "copy", [](const z& v) { return v; }, s);
}
std::vector<z> running_sums(const std::vector<z>& s) {
    std::vector<z> r;
    z sum;
    for (const auto& v : s) r.push_back(sum += v);
    return r;
}
} // namespace

TEST_CASE("integrate and differentiate: I computes running sums", "[property][integrate]") {
    for_each_seed([&](rng& r) {
        const auto s = changes_of(r, small_int());
        CHECK(dbsp_test::run([](auto x) { return dbsp::integrate(x); }, s) == running_sums(s));
    });
}

TEST_CASE("integrate and differentiate: D(I(s)) = s and I(D(s)) = s", "[property][integrate]") {
    for_each_seed([&](rng& r) {
        const auto s = changes_of(r, small_int());
        CHECK(dbsp_test::run([](auto x) { return dbsp::differentiate(copy(dbsp::integrate(x))); },
                             s) == s);
        CHECK(dbsp_test::run([](auto x) { return dbsp::integrate(copy(dbsp::differentiate(x))); },
                             s) == s);
        CHECK(dbsp_test::run([](auto x) { return dbsp::differentiate(dbsp::integrate(x)); }, s) ==
              s);
    });
}

TEST_CASE("integrate and differentiate: I(s) = s + z^-1(I(s)) and D(s) = s - z^-1(s)",
          "[property][integrate]") {
    for_each_seed([&](rng& r) {
        const auto s = changes_of(r, small_int());
        auto by_delay = [](auto x) {
            auto i = dbsp::integrate(x);
            return dbsp::minus(dbsp::plus(x, dbsp::delay(i)), i); // must be all zero
        };
        for (const auto& v : dbsp_test::run(by_delay, s)) CHECK(v.empty());
        auto d_by_delay = [](auto x) {
            return dbsp::minus(dbsp::minus(x, dbsp::delay(x)), dbsp::differentiate(x));
        };
        for (const auto& v : dbsp_test::run(d_by_delay, s)) CHECK(v.empty());
    });
}
