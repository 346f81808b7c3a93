#include "typmod.hpp"

#include <cstdlib>
#include <string>
#include <vector>

namespace pgt::detail {

namespace {
// The comma-separated integers between the last parentheses of the spelling.
std::vector<int> modifiers(const sql_type& t) {
    std::vector<int> out;
    auto open = t.name.rfind('(');
    auto close = t.name.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return out;
    std::string inside = t.name.substr(open + 1, close - open - 1);
    const char* p = inside.c_str();
    while (*p) {
        char* end = nullptr;
        out.push_back(static_cast<int>(std::strtol(p, &end, 10)));
        if (end == p) return {};
        p = end;
        while (*p == ' ' || *p == ',') ++p;
    }
    return out;
}
} // namespace

std::optional<std::pair<int, int>> numeric_typmod(const sql_type& t) {
    std::vector<int> m = modifiers(t);
    if (m.empty()) return std::nullopt;
    return std::pair{m[0], m.size() > 1 ? m[1] : 0};
}

std::optional<int> single_typmod(const sql_type& t) {
    std::vector<int> m = modifiers(t);
    if (m.size() != 1) return std::nullopt;
    return m[0];
}

} // namespace pgt::detail
