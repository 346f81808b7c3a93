#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dbsp/operator/filter.hpp"
#include "dbsp/operator/flat_map.hpp"
#include "dbsp/operator/index.hpp"
#include "dbsp/operator/map.hpp"
#include "dbsp/operator/plus.hpp"
#include "dbsp/operator/project.hpp"
#include "property/laws/incremental_laws.hpp"
#include "property/laws/linear_operator_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

namespace {
// A linear operator is a group homomorphism on values, and on streams of changes it is its
// own incremental form: Q = D∘Q∘I.
template <class Q, class Gen>
void check_linear_operator(Q q, Gen key) {
    for_each_seed([&](rng& r) {
        pgt_laws::check_linear(q, zset_of(r, key), zset_of(r, key));
        pgt_laws::check_incremental(q, q, changes_of(r, key));
    });
}
} // namespace

TEST_CASE("linear: map", "[property][linear]") {
    check_linear_operator([](const auto& x) { return dbsp::map(x, [](int v) { return v / 3; }); },
                          small_int());
    check_linear_operator(
        [](const auto& x) {
            return dbsp::map(x, [](const row& v) {
                return std::get<1>(v) + std::to_string(std::get<2>(v) % 2);
            });
        },
        rows());
}

TEST_CASE("linear: filter", "[property][linear]") {
    check_linear_operator(
        [](const auto& x) {
            return dbsp::filter(x, [](const row& v) { return std::get<2>(v) > 0; });
        },
        rows());
}

TEST_CASE("linear: flat_map", "[property][linear]") {
    auto divisors = [](int v) {
        std::vector<int> r;
        for (int d = 1; d <= v; ++d)
            if (v % d == 0) r.push_back(d);
        return r;
    };
    check_linear_operator([&](const auto& x) { return dbsp::flat_map(x, divisors); }, small_int());
}

TEST_CASE("linear: project", "[property][linear]") {
    check_linear_operator([](const auto& x) { return dbsp::project<1, 2>(x); }, rows());
    check_linear_operator([](const auto& x) { return dbsp::project<0>(x); }, int_pair());
}

TEST_CASE("linear: neg", "[property][linear]") {
    check_linear_operator([](const auto& x) { return dbsp::neg(x); }, rows());
}

TEST_CASE("linear: index_by", "[property][linear]") {
    check_linear_operator(
        [](const auto& x) {
            return dbsp::index_by(
                x, [](const row& v) { return std::get<1>(v); },
                [](const row& v) { return std::get<2>(v); });
        },
        rows());
}

TEST_CASE("linear: plus and minus are linear in both arguments together", "[property][linear]") {
    for_each_seed([&](rng& r) {
        const auto a1 = zset_of(r, small_int()), a2 = zset_of(r, small_int());
        const auto b1 = zset_of(r, small_int()), b2 = zset_of(r, small_int());
        CHECK(dbsp::plus(a1 + a2, b1 + b2) == dbsp::plus(a1, b1) + dbsp::plus(a2, b2));
        CHECK(dbsp::minus(a1 + a2, b1 + b2) == dbsp::minus(a1, b1) + dbsp::minus(a2, b2));
        const auto da = changes_of(r, small_int()), db = changes_of(r, small_int());
        auto plus = [](const auto& x, const auto& y) { return dbsp::plus(x, y); };
        auto minus = [](const auto& x, const auto& y) { return dbsp::minus(x, y); };
        pgt_laws::check_incremental(plus, plus, da, db);
        pgt_laws::check_incremental(minus, minus, da, db);
    });
}
