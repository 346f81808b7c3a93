#pragma once
/// \file
/// Private: character positions in UTF-8 text (the database encoding the oracle assumes).
/// Lengths, substrings and padding count characters, never bytes.

#include <cstddef>
#include <string_view>

namespace pgt::detail {

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
