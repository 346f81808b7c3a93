#include <catch2/catch.hpp>

#include "dbsp/zset.hpp"

TEST_CASE("zset never stores zero weights", "[zset]") {
    dbsp::zset<int> z;
    z.add(1, 2);
    z.add(1, -2);
    CHECK(z.empty());
    CHECK(z.weight(1) == 0);
}
