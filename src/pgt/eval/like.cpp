// LIKE and ILIKE as PostgreSQL's MatchText does them, including when a dangling escape is an
// error: only when the matcher reaches it.

#include <cctype>
#include <string>

#include "../value/text.hpp"
#include "internal.hpp"

namespace pgt::eval_detail {

namespace {

enum class outcome { match, no_match, abort }; // abort: no later start position can match

[[noreturn]] void throw_dangling_escape() {
    throw error(detail::invalid_escape_sequence, "LIKE pattern must not end with escape character");
}

// Steps over one whole UTF-8 character.
void next_char(std::string_view& s) {
    std::size_t n = 1;
    while (n < s.size() && detail::is_utf8_continuation(s[n])) ++n;
    s.remove_prefix(n);
}

outcome match(std::string_view t, std::string_view p) {
    if (p == "%") return outcome::match;
    while (!t.empty() && !p.empty()) {
        if (p.front() == '\\') {
            p.remove_prefix(1);
            if (p.empty()) throw_dangling_escape();
            if (p.front() != t.front()) return outcome::no_match;
        } else if (p.front() == '%') {
            // Collapse the run of wildcards: N '_' and any '%' match at least N characters.
            p.remove_prefix(1);
            while (!p.empty() && (p.front() == '%' || p.front() == '_')) {
                if (p.front() == '_') {
                    if (t.empty()) return outcome::abort;
                    next_char(t);
                }
                p.remove_prefix(1);
            }
            if (p.empty()) return outcome::match;
            char first = p.front();
            if (first == '\\') {
                if (p.size() < 2) throw_dangling_escape();
                first = p[1];
            }
            // Try every text position starting with the next literal character.
            for (; !t.empty(); next_char(t)) {
                if (t.front() == first) {
                    outcome o = match(t, p);
                    if (o != outcome::no_match) return o;
                }
            }
            return outcome::abort;
        } else if (p.front() == '_') {
            next_char(t);
            p.remove_prefix(1);
            continue;
        } else if (p.front() != t.front()) {
            return outcome::no_match;
        }
        // Literal bytes match; text and pattern stay aligned on character boundaries.
        t.remove_prefix(1);
        p.remove_prefix(1);
    }
    if (!t.empty()) return outcome::no_match;
    while (!p.empty() && p.front() == '%') p.remove_prefix(1);
    return p.empty() ? outcome::match : outcome::abort;
}

std::string ascii_lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

} // namespace

bool like_match(std::string_view text, std::string_view pattern, bool case_insensitive) {
    // ILIKE in a multi-byte encoding lower-cases both sides first (ASCII only under C).
    if (case_insensitive) return match(ascii_lower(text), ascii_lower(pattern)) == outcome::match;
    return match(text, pattern) == outcome::match;
}

} // namespace pgt::eval_detail
