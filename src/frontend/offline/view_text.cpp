// A small scanner over CREATE VIEW statements: the parse tree has no location for the
// SELECT, so its text is found between the first top-level AS and any trailing option.
#include "frontend/offline/view_text.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "pgt/error.hpp"

namespace pgt::offline {

namespace {

std::string lower(std::string s) {
    std::ranges::transform(s, s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// The top-level words of a statement (outside quotes, comments and parentheses), enough to
// find where the SELECT of CREATE VIEW … AS starts and where a trailing option starts.
struct word {
    std::size_t begin, end;
    std::string text; // lower case
};

std::vector<word> top_level_words(std::string_view sql) {
    std::vector<word> words;
    int depth = 0;
    std::size_t i = 0;
    auto skip_to = [&](std::string_view end) {
        auto at = sql.find(end, i);
        i = at == std::string_view::npos ? sql.size() : at + end.size();
    };
    while (i < sql.size()) {
        char c = sql[i];
        if (sql.substr(i, 2) == "--") {
            skip_to("\n");
        } else if (sql.substr(i, 2) == "/*") {
            i += 2;
            skip_to("*/");
        } else if (c == '\'' || c == '"') {
            // Quoted text; a doubled quote stays inside. (Backslashes only matter in E'' strings,
            // which cannot stand before AS in CREATE VIEW.)
            for (++i; i < sql.size(); ++i)
                if (sql[i] == c && (i + 1 >= sql.size() || sql[i + 1] != c)) break;
                else if (sql[i] == c) ++i;
            ++i;
        } else if (c == '$') {
            auto close = sql.find('$', i + 1);
            if (close == std::string_view::npos) break;
            std::string_view tag = sql.substr(i, close - i + 1);
            i = close + 1;
            skip_to(tag);
        } else if (c == '(' || c == ')') {
            depth += c == '(' ? 1 : -1;
            ++i;
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::size_t begin = i;
            while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' || sql[i] == '$')) ++i;
            if (depth == 0) words.push_back({begin, i, lower(std::string(sql.substr(begin, i - begin)))});
        } else {
            ++i;
        }
    }
    return words;
}

} // namespace

std::string_view view_query(std::string_view stmt) {
    auto words = top_level_words(stmt);
    auto as_word = std::ranges::find_if(words, [](const word& w) { return w.text == "as"; });
    if (as_word == words.end()) throw error(sqlstate::syntax_error, "CREATE VIEW without AS");
    std::size_t end = stmt.size();
    auto ends_with = [&](std::initializer_list<std::string_view> tail) {
        if (words.size() < tail.size()) return false;
        return std::ranges::equal(tail, std::vector<word>(words.end() - static_cast<long>(tail.size()), words.end()),
                                  [](std::string_view t, const word& w) { return t == w.text; });
    };
    for (auto tail : {std::initializer_list<std::string_view>{"with", "check", "option"},
                      {"with", "local", "check", "option"}, {"with", "cascaded", "check", "option"},
                      {"with", "data"}, {"with", "no", "data"}})
        if (ends_with(tail)) end = words[words.size() - tail.size()].begin;
    return stmt.substr(as_word->end, end - as_word->end);
}

} // namespace pgt::offline
