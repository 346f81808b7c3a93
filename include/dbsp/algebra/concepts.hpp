#pragma once
/// \file
/// Weight algebra as C++20 concepts: semigroup → monoid → abelian_group → ring.
///
/// A Z-set maps keys to weights drawn from an abelian group; joins multiply weights, so
/// weights used by bilinear operators must form a ring. The concepts state the syntax; the
/// laws below are what models promise and what tests/property/laws checks.
///
/// - semigroup:      `(a + b) + c == a + (b + c)`
/// - monoid:         `a + zero == zero + a == a`, where `zero == W{}`; `dbsp::is_zero(w)`
/// - abelian_group:  `a + (-a) == zero`, `a + b == b + a`, `a - b == a + (-b)`
/// - ring:           `(a * b) * c == a * (b * c)`, `a * (b + c) == a*b + a*c`, `one * a == a`
///
/// Models: every signed arithmetic type except `bool`; `int64_t` is the default weight.
/// Structure-preserving maps between groups (`f(a + b) == f(a) + f(b)`) are exactly DBSP's
/// *linear operators*, which is why they need no state when incrementalised.

#include <concepts>
#include <type_traits>

namespace dbsp {

/// Customization point: is `w` the additive identity? Defaults to `w == W{}`; a weight type
/// with a cheaper test may provide `bool dbsp_is_zero(const W&)`, found by ADL (like
/// `dbsp_hash`).
namespace detail {
struct is_zero_fn {
    template <class W>
    constexpr bool operator()(const W& w) const {
        if constexpr (requires { { dbsp_is_zero(w) } -> std::convertible_to<bool>; })
            return dbsp_is_zero(w);
        else
            return w == W{};
    }
};
} // namespace detail
inline constexpr detail::is_zero_fn is_zero{};

template <class T>
concept semigroup = std::regular<T> && requires(const T& a, const T& b) {
    { a + b } -> std::convertible_to<T>;
};

template <class T>
concept monoid = semigroup<T> && std::default_initializable<T>;

template <class T>
concept abelian_group = monoid<T> && requires(const T& a, const T& b) {
    { -a } -> std::convertible_to<T>;
    { a - b } -> std::convertible_to<T>;
} && !std::same_as<T, bool>;

template <class T>
concept ring = abelian_group<T> && requires(const T& a, const T& b) {
    { a * b } -> std::convertible_to<T>;
    T{1};
};

/// Weights in DBSP's sense: a ring whose elements can be ordered against zero, so that
/// `distinct` and `positive` can ask "is this weight positive?". Unsigned integers form a
/// ring, but one where `-w > 0`, so they are not weights.
template <class T>
concept zring = ring<T> && std::totally_ordered<T> && !std::unsigned_integral<T>;

/// The default weight type.
using zweight = long long;
static_assert(zring<zweight>);

} // namespace dbsp
