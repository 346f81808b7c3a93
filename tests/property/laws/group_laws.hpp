#pragma once
/// \file
/// The abelian group laws, checked on sample elements (Hana's `TestGroup`, for Z-sets).
///
/// `Z{}` is the zero; `+`, binary and unary `-`, `+=` and `-=` must agree with each other.

#include <catch2/catch.hpp>

namespace pgt_laws {

template <class Z>
void check_group_laws(const Z& a, const Z& b, const Z& c) {
    const Z zero{};
    CHECK((a + b) + c == a + (b + c)); // associative
    CHECK(a + b == b + a);             // commutative
    CHECK(a + zero == a);              // identity
    CHECK(zero + a == a);
    CHECK(a + (-a) == zero); // inverse
    CHECK(-(-a) == a);
    CHECK(-zero == zero);
    CHECK(a - b == a + (-b));
    CHECK(-(a + b) == -a + -b);
    Z x = a;
    x += b;
    CHECK(x == a + b);
    x -= b;
    CHECK(x == a);
}

} // namespace pgt_laws
