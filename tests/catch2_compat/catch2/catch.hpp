#pragma once
// Catch2 3 behind Catch2 2's single header, which the tests include: Catch2 3 has no
// <catch2/catch.hpp>, and spells Catch2 2's string matcher Catch::Contains ContainsSubstring.
#include <catch2/catch_all.hpp>

namespace Catch {
using Matchers::Matches;
inline Matchers::StringContainsMatcher Contains(const std::string& s, CaseSensitive cs = CaseSensitive::Yes) {
    return Matchers::ContainsSubstring(s, cs);
}
} // namespace Catch
