#pragma once
/// \file
/// `dbsp::hash_value`: the hashing customization point used by Z-sets (XXH3, 64 bits).
///
/// Built in: arithmetic and enum types, `std::string`/`std::string_view`, `std::pair`,
/// `std::tuple`, `std::vector` and `std::optional` of hashable types. A user key type opts in
/// by providing `std::uint64_t dbsp_hash(const T&)`, found by argument-dependent lookup.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// Inlined: the library stays header-only and links nothing.
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace dbsp {

namespace detail {
inline std::uint64_t hash_bytes(const void* data, std::size_t len, std::uint64_t seed = 0) {
    return XXH3_64bits_withSeed(data, len, seed);
}
inline std::uint64_t hash_mix(std::uint64_t h, std::uint64_t v) {
    const std::uint64_t pair[2] = {h, v};
    return XXH3_64bits(pair, sizeof pair);
}

struct hash_value_fn;

/// Tuple-likes of numbers hash as one byte string: one XXH3 call instead of one per element.
template <class T>
concept packed_hashable =
    requires { std::tuple_size<T>::value; } && (std::tuple_size_v<T> > 0) &&
    []<std::size_t... I>(std::index_sequence<I...>) {
        return ((std::is_arithmetic_v<std::tuple_element_t<I, T>> ||
                 std::is_enum_v<std::tuple_element_t<I, T>>) &&
                ...);
    }(std::make_index_sequence<std::tuple_size_v<T>>{});

template <class T>
std::uint64_t hash_packed(const T& v) {
    return std::apply(
        [](const auto&... e) {
            unsigned char bytes[(sizeof(e) + ... + 0)];
            std::size_t at = 0;
            auto put = [&](auto x) {
                if constexpr (std::is_floating_point_v<decltype(x)>)
                    if (x == decltype(x){}) x = {}; // +0.0 and -0.0 hash alike
                std::memcpy(bytes + at, &x, sizeof x);
                at += sizeof x;
            };
            (put(e), ...);
            return hash_bytes(bytes, sizeof bytes);
        },
        v);
}
} // namespace detail

template <class T>
concept adl_hashable = requires(const T& t) {
    { dbsp_hash(t) } -> std::convertible_to<std::uint64_t>;
};

namespace detail {
struct hash_value_fn {
    template <class T>
    std::uint64_t operator()(const T& v) const {
        if constexpr (adl_hashable<T>) {
            return dbsp_hash(v);
        } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
            T copy = v;
            if constexpr (std::is_floating_point_v<T>) {
                if (copy == T{}) copy = T{}; // +0.0 and -0.0 compare equal: hash them alike
            }
            return hash_bytes(&copy, sizeof copy);
        } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
            std::string_view s = v;
            return hash_bytes(s.data(), s.size());
        } else if constexpr (detail::packed_hashable<T>) {
            return detail::hash_packed(v);
        } else if constexpr (requires { std::tuple_size<T>::value; }) {
            return std::apply(
                [this](const auto&... e) {
                    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
                    ((h = hash_mix(h, (*this)(e))), ...);
                    return h;
                },
                v);
        } else if constexpr (requires { v.has_value(); *v; }) {
            return v.has_value() ? hash_mix(1, (*this)(*v)) : 0;
        } else if constexpr (requires { v.begin(); v.end(); v.size(); }) {
            std::uint64_t h = v.size();
            for (const auto& e : v) h = hash_mix(h, (*this)(e));
            return h;
        } else {
            static_assert(sizeof(T) == 0,
                          "dbsp::hash_value(T) requires T to be arithmetic, a string, a tuple, "
                          "a range, or to provide dbsp_hash(const T&) found by ADL");
        }
    }
};
} // namespace detail

inline constexpr detail::hash_value_fn hash_value{};

/// A hasher for standard containers, forwarding to `dbsp::hash_value`.
template <class T>
struct hasher {
    std::size_t operator()(const T& v) const { return static_cast<std::size_t>(hash_value(v)); }
};

} // namespace dbsp
