// With multiple2.cpp: two translation units including the whole library must link (no
// non-inline definitions in headers).
#include "dbsp/all.hpp"

dbsp::zset<int> make_set_1() { return {{1, 1}}; }
dbsp::zset<int> make_set_2();

int main() { return (make_set_1() + make_set_2()).size() == 2 ? 0 : 1; }
