// String functions. Positions and lengths count UTF-8 characters; case mapping is ASCII only,
// as under the C collation.

#include <algorithm>
#include <boost/uuid/detail/md5.hpp>
#include <cctype>
#include <cstdio>

#include "../value/text.hpp"
#include "internal.hpp"

namespace pgt::eval_detail {

namespace {

using args_t = std::vector<value>;
using detail::utf8_length;
using detail::utf8_offset;

// Characters [first, first + count) of `s`, clamped to the text (0-based).
std::string chars(std::string_view s, std::int64_t first, std::int64_t count) {
    first = std::max<std::int64_t>(first, 0);
    if (count <= 0) return {};
    std::size_t begin = utf8_offset(s, static_cast<std::size_t>(first));
    std::size_t end = utf8_offset(s.substr(begin), static_cast<std::size_t>(count));
    return std::string(s.substr(begin, end));
}

std::int64_t length_of(std::string_view s) { return static_cast<std::int64_t>(utf8_length(s)); }

// The characters of `s` as separate strings.
std::vector<std::string_view> split_chars(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        std::size_t n = utf8_offset(s, 1);
        out.push_back(s.substr(0, n));
        s.remove_prefix(n);
    }
    return out;
}

template <int (*Map)(int)>
value map_ascii(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x80) c = static_cast<char>(Map(c));
    return s;
}

value fn_length(const ir::expr& e, const args_t& a) { return length_of(text_arg(e, a, 0)); }

// text_substr: characters from position S (1-based) up to, excluding, S + L.
value fn_substr(const ir::expr& e, const args_t& a) {
    if (is_string(e.args[1]->type.kind)) throw_cannot_evaluate("substring with a pattern");
    std::string s = text_arg(e, a, 0);
    std::int64_t start = int_arg(e, a, 1);
    if (a.size() < 3) return chars(s, start - 1, length_of(s));
    std::int64_t len = int_arg(e, a, 2);
    if (len < 0) throw error("22011", "negative substring length not allowed");
    std::int64_t first = std::max<std::int64_t>(start, 1);
    return chars(s, first - 1, start + len - first);
}

value fn_left(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    std::int64_t n = int_arg(e, a, 1);
    return chars(s, 0, n >= 0 ? n : length_of(s) + n);
}

value fn_right(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    std::int64_t n = int_arg(e, a, 1), len = length_of(s);
    return n >= 0 ? chars(s, len - n, n) : chars(s, -n, len + n);
}

// concat: every non-NULL argument through its type's output function.
value fn_concat(const ir::expr& e, const args_t& a) {
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!is_null(a[i])) out += to_text(a[i], e.args[i]->type);
    return out;
}

template <bool Leading, bool Trailing>
value fn_trim(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    std::string set = a.size() > 1 ? text_arg(e, a, 1) : " ";
    std::vector<std::string_view> drop = split_chars(set);
    std::vector<std::string_view> cs = split_chars(s);
    auto in_set = [&](std::string_view c) { return std::ranges::find(drop, c) != drop.end(); };
    std::size_t begin = 0, end = cs.size();
    while (Leading && begin < end && in_set(cs[begin])) ++begin;
    while (Trailing && end > begin && in_set(cs[end - 1])) --end;
    std::string out;
    for (std::size_t i = begin; i < end; ++i) out += cs[i];
    return out;
}

value fn_replace(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0), from = text_arg(e, a, 1), to = text_arg(e, a, 2);
    if (from.empty()) return s;
    std::string out;
    std::size_t pos = 0;
    for (std::size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size())
        out += s.substr(pos, hit - pos) + to;
    return out + s.substr(pos);
}

// strpos(text, sub) and position(sub IN text), which PostgreSQL calls as position(text, sub).
value fn_strpos(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0), sub = text_arg(e, a, 1);
    std::size_t hit = s.find(sub);
    if (hit == std::string::npos) return std::int64_t{0};
    return length_of(std::string_view(s).substr(0, hit)) + 1;
}

// lpad/rpad: the text cut to `len` characters, filled up to `len` by repeating the fill.
template <bool Left>
value fn_pad(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    std::int64_t len = std::max<std::int64_t>(int_arg(e, a, 1), 0);
    std::string fill = a.size() > 2 ? text_arg(e, a, 2) : " ";
    std::string body = chars(s, 0, len);
    std::vector<std::string_view> fill_chars = split_chars(fill);
    if (fill_chars.empty()) return body;
    std::string pad;
    for (std::int64_t i = length_of(body); i < len; ++i)
        pad += fill_chars[static_cast<std::size_t>(i - length_of(body)) % fill_chars.size()];
    return Left ? pad + body : body + pad;
}

value fn_md5(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    boost::uuids::detail::md5 hash;
    hash.process_bytes(s.data(), s.size());
    boost::uuids::detail::md5::digest_type digest;
    hash.get_digest(digest);
    std::string hex;
    char buf[3];
    for (auto word : digest) {
        // Boost 1.74 yields four 32-bit words, each big-endian relative to the digest's byte
        // order; Boost 1.86 on, the 16 bytes in order.
        for (int shift = 8 * (static_cast<int>(sizeof word) - 1); shift >= 0; shift -= 8) {
            std::snprintf(buf, sizeof buf, "%02x", (word >> shift) & 0xffu);
            hex += buf;
        }
    }
    return hex;
}

// octet_length counts the stored bytes: a bpchar(n) with its padding.
value fn_octet_length(const ir::expr& e, const args_t& a) {
    if (e.args[0]->type.kind == type_kind::bpchar) return static_cast<std::int64_t>(to_text(a[0], e.args[0]->type).size());
    return static_cast<std::int64_t>(text_arg(e, a, 0).size());
}

value fn_reverse(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    std::vector<std::string_view> cs = split_chars(s);
    std::string out;
    for (auto it = cs.rbegin(); it != cs.rend(); ++it) out += *it;
    return out;
}

value fn_repeat(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0), out;
    for (std::int64_t i = int_arg(e, a, 1); i > 0; --i) out += s;
    return out;
}

// split_part: field n (1-based; negative counts from the end) of text cut at each delimiter.
value fn_split_part(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0), delim = text_arg(e, a, 1);
    std::int64_t n = int_arg(e, a, 2);
    if (n == 0) throw error(sqlstate::invalid_parameter_value, "field position must not be zero");
    if (s.empty()) return s; // an empty text has no fields at all
    std::vector<std::string> fields;
    if (delim.empty()) {
        fields.push_back(s);
    } else {
        std::size_t pos = 0;
        for (std::size_t hit; (hit = s.find(delim, pos)) != std::string::npos; pos = hit + delim.size())
            fields.push_back(s.substr(pos, hit - pos));
        fields.push_back(s.substr(pos));
    }
    auto count = static_cast<std::int64_t>(fields.size());
    std::int64_t index = n > 0 ? n - 1 : count + n;
    if (index < 0 || index >= count) return std::string{};
    return fields[static_cast<std::size_t>(index)];
}

// initcap under C: ASCII letters after an alphanumeric byte go lower case, others upper.
value fn_initcap(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    bool after_alnum = false;
    for (char& c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x80) c = static_cast<char>(after_alnum ? std::tolower(u) : std::toupper(u));
        after_alnum = u < 0x80 && std::isalnum(u);
    }
    return s;
}

// The code point of the first character (0 for empty text).
value fn_ascii(const ir::expr& e, const args_t& a) {
    std::string s = text_arg(e, a, 0);
    if (s.empty()) return std::int64_t{0};
    auto b = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])); };
    std::size_t len = utf8_offset(s, 1);
    std::uint32_t cp = len == 1 ? b(0) : b(0) & (0xFFu >> (len + 1));
    for (std::size_t i = 1; i < len; ++i) cp = (cp << 6) | (b(i) & 0x3F);
    return static_cast<std::int64_t>(cp);
}

value fn_chr(const ir::expr& e, const args_t& a) {
    std::int64_t cp = int_arg(e, a, 0);
    if (cp < 0) throw error("54000", "character number must be positive");
    if (cp == 0) throw error("54000", "null character not permitted");
    if (cp > 0x10FFFF)
        throw error("54000", "requested character too large for encoding: " + std::to_string(cp));
    if (cp >= 0xD800 && cp <= 0xDFFF)
        throw error("54000", "requested character not valid for encoding: " + std::to_string(cp));
    // UTF-8: a lead byte marking the length, then six bits per continuation byte.
    static constexpr unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    auto c = static_cast<std::uint32_t>(cp);
    int len = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    std::string out(1, static_cast<char>(lead[len] | (c >> (6 * (len - 1)))));
    for (int i = len - 2; i >= 0; --i) out += static_cast<char>(0x80 | ((c >> (6 * i)) & 0x3F));
    return out;
}

// like_escape(pattern, escape): the pattern rewritten for LIKE's backslash escape.
value fn_like_escape(const ir::expr& e, const args_t& a) {
    std::string p = text_arg(e, a, 0), esc = text_arg(e, a, 1), out;
    if (esc.empty()) {
        // No escape character: every backslash is an ordinary character.
        for (char c : p) out += c == '\\' ? std::string("\\\\") : std::string(1, c);
        return out;
    }
    if (utf8_length(esc) != 1)
        throw error(detail::invalid_escape_sequence, "invalid escape string", {}, "Escape string must be empty or one character.");
    if (esc == "\\") return p;
    bool after_escape = false;
    for (std::string_view c : split_chars(p)) {
        if (c == esc && !after_escape) {
            out += '\\';
            after_escape = true;
        } else {
            if (c == "\\" && !after_escape) out += '\\';
            out += c;
            after_escape = false;
        }
    }
    return out;
}

constexpr function_def table[] = {
    {"upper", 1, 1, true, map_ascii<std::toupper>},
    {"lower", 1, 1, true, map_ascii<std::tolower>},
    {"length", 1, 1, true, fn_length},
    {"char_length", 1, 1, true, fn_length},
    {"character_length", 1, 1, true, fn_length},
    {"substr", 2, 3, true, fn_substr},
    {"substring", 2, 3, true, fn_substr},
    {"left", 2, 2, true, fn_left},
    {"right", 2, 2, true, fn_right},
    {"concat", 0, 100, false, fn_concat},
    {"btrim", 1, 2, true, fn_trim<true, true>},
    {"ltrim", 1, 2, true, fn_trim<true, false>},
    {"rtrim", 1, 2, true, fn_trim<false, true>},
    {"replace", 3, 3, true, fn_replace},
    {"strpos", 2, 2, true, fn_strpos},
    {"position", 2, 2, true, fn_strpos},
    {"lpad", 2, 3, true, fn_pad<true>},
    {"rpad", 2, 3, true, fn_pad<false>},
    {"md5", 1, 1, true, fn_md5},
    {"octet_length", 1, 1, true, fn_octet_length},
    {"reverse", 1, 1, true, fn_reverse},
    {"repeat", 2, 2, true, fn_repeat},
    {"split_part", 3, 3, true, fn_split_part},
    {"initcap", 1, 1, true, fn_initcap},
    {"ascii", 1, 1, true, fn_ascii},
    {"chr", 1, 1, true, fn_chr},
    {"like_escape", 2, 2, true, fn_like_escape},
};

} // namespace

std::span<const function_def> string_functions() { return table; }

} // namespace pgt::eval_detail
