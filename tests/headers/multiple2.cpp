// See multiple1.cpp.
#include "dbsp/all.hpp"

dbsp::zset<int> make_set_2() { return {{2, 1}}; }
