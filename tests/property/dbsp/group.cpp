#include <catch2/catch.hpp>

#include "dbsp/indexed_zset.hpp"
#include "dbsp/operator/index.hpp"
#include "property/laws/group_laws.hpp"
#include "property/random.hpp"

using namespace pgt_prop;

namespace {
template <class Gen>
void check_zset_group(Gen key) {
    for_each_seed([&](rng& r) {
        pgt_laws::check_group_laws(zset_of(r, key), zset_of(r, key), zset_of(r, key));
    });
}
} // namespace

TEST_CASE("group laws: Z-sets of integers", "[property][group]") { check_zset_group(small_int()); }

TEST_CASE("group laws: Z-sets of (id, name, amount) rows", "[property][group]") {
    check_zset_group(rows());
}

TEST_CASE("group laws: indexed Z-sets", "[property][group]") {
    auto index = [](const auto& z) {
        return dbsp::index_by(z, [](const auto& p) { return p.first; });
    };
    for_each_seed([&](rng& r) {
        pgt_laws::check_group_laws(index(zset_of(r, int_pair())), index(zset_of(r, int_pair())),
                                   index(zset_of(r, int_pair())));
    });
}

TEST_CASE("group laws: a Z-set never holds a zero weight, whatever the order of additions",
          "[property][group]") {
    for_each_seed([&](rng& r) {
        const auto parts = changes_of(r, small_int(5), 6);
        dbsp::zset<int> forward, backward;
        for (const auto& p : parts) forward += p;
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) backward += *it;
        CHECK(forward == backward);
        for (const auto& [k, w] : forward) CHECK(w != 0);
        long long total = 0, expected = 0;
        for (const auto& [k, w] : forward) total += w;
        for (const auto& p : parts)
            for (const auto& [k, w] : p) expected += w;
        CHECK(total == expected);
    });
}
