#pragma once
/// \file
/// Private: small text helpers of the input functions and string functions. Text is UTF-8 (the
/// database encoding the oracle assumes): lengths, substrings and padding count characters.

#include <cctype>
#include <cstddef>
#include <string_view>

namespace pgt::detail {

/// isspace in the C locale, as PostgreSQL's input functions skip blanks.
inline bool is_blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

inline std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

/// `s` equals `lower` (lower case) ignoring the ASCII case of `s`.
inline bool equals_nocase(std::string_view s, std::string_view lower) {
    if (s.size() != lower.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != lower[i]) return false;
    return true;
}

inline bool starts_with_nocase(std::string_view s, std::string_view lower_prefix) {
    return s.size() >= lower_prefix.size() && equals_nocase(s.substr(0, lower_prefix.size()), lower_prefix);
}

inline bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

inline std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += !is_utf8_continuation(c);
    return n;
}

/// Byte offset of character `chars` (the size when the text is shorter).
inline std::size_t utf8_offset(std::string_view s, std::size_t chars) {
    std::size_t i = 0;
    for (; i < s.size(); ++i) {
        if (!is_utf8_continuation(s[i])) {
            if (chars == 0) return i;
            --chars;
        }
    }
    return s.size();
}

} // namespace pgt::detail
