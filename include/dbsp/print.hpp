#pragma once
/// \file
/// `operator<<` for Z-sets and indexed Z-sets, for examples and test diagnostics.
///
/// A Z-set prints as `{key: weight, …}` and an indexed Z-set as `{key: {value: weight, …}, …}`,
/// in key order when keys are totally ordered and in the order of the printed text otherwise,
/// so that equal Z-sets always print alike. Keys print as numbers, quoted strings, `(a, b)`
/// for pairs and tuples, `[a, b]` for other ranges, and through their own `operator<<`.

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "dbsp/indexed_zset.hpp"
#include "dbsp/zset.hpp"

namespace dbsp {

namespace detail {

template <class T>
void print_key(std::ostream& os, const T& v) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        os << '"' << std::string_view(v) << '"';
    } else if constexpr (requires { os << v; }) {
        os << v;
    } else if constexpr (requires { std::tuple_size<T>::value; }) {
        os << '(';
        std::apply(
            [&os](const auto&... e) {
                std::size_t i = 0;
                ((os << (i++ ? ", " : ""), print_key(os, e)), ...);
            },
            v);
        os << ')';
    } else {
        static_assert(requires { v.begin(); v.end(); },
                      "dbsp: print a key type with operator<<, or make it a tuple or a range");
        os << '[';
        const char* sep = "";
        for (const auto& e : v) {
            os << sep;
            print_key(os, e);
            sep = ", ";
        }
        os << ']';
    }
}

/// Prints `{k: f(v), …}` for the entries of a key → value map, in a deterministic order.
template <class Map, class PrintValue>
void print_map(std::ostream& os, const Map& m, PrintValue print_value) {
    using entry = std::remove_cvref_t<decltype(*m.begin())>;
    std::vector<const entry*> entries;
    for (const auto& e : m) entries.push_back(&e);
    auto text = [&](const entry* e) {
        std::ostringstream s;
        print_key(s, e->first);
        s << ": ";
        print_value(s, e->second);
        return std::move(s).str();
    };
    std::vector<std::string> lines;
    if constexpr (std::totally_ordered<typename Map::key_type>) {
        std::ranges::sort(entries, {}, [](const entry* e) -> const auto& { return e->first; });
        for (const auto* e : entries) lines.push_back(text(e));
    } else {
        for (const auto* e : entries) lines.push_back(text(e));
        std::ranges::sort(lines);
    }
    os << '{';
    for (std::size_t i = 0; i < lines.size(); ++i) os << (i ? ", " : "") << lines[i];
    os << '}';
}

} // namespace detail

template <class K, class W>
std::ostream& operator<<(std::ostream& os, const zset<K, W>& z) {
    detail::print_map(os, z, [](std::ostream& s, const W& w) { s << w; });
    return os;
}

template <class K, class V, class W>
std::ostream& operator<<(std::ostream& os, const indexed_zset<K, V, W>& z) {
    detail::print_map(os, z, [](std::ostream& s, const zset<V, W>& g) { s << g; });
    return os;
}

} // namespace dbsp
