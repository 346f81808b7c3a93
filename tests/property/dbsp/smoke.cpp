#include <catch2/catch.hpp>

#include "dbsp/zset.hpp"

TEST_CASE("placeholder", "[zset]") { CHECK(dbsp::zset<int>{{1, 1}}.size() == 1); }
