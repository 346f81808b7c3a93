#include "rewrite.hpp"

#include <regex>

namespace pgt::fuzz {

namespace {

/// `text` with every match of `pattern` replaced by `replace(match)`; counts the matches.
std::string replace_all(const std::string& text, const std::regex& pattern,
                        const std::function<std::string(const std::smatch&)>& replace, int& count) {
    std::string out;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.cbegin(), text.cend(), pattern), end; it != end; ++it) {
        out.append(last, (*it)[0].first);
        out += replace(*it);
        last = (*it)[0].second;
        ++count;
    }
    out.append(last, text.cend());
    return out;
}

std::string scalar_subquery(const std::smatch& m, const column_lookup& columns) {
    const std::string column = m[1], relation = m[2];
    const bool odd_offset = (m[3].str().back() - '0') % 2 == 1;
    const std::string aggregate = odd_offset ? "pg_catalog.max" : "pg_catalog.min";
    const auto dot = relation.find('.');
    const auto info = columns(dot == std::string::npos ? relation : relation.substr(dot + 1), column);
    if (!info) return m[0];
    if (info->has_min_max) return "(select " + aggregate + "(" + column + ") from " + relation + ")";
    return "(select cast(" + aggregate + "(cast(" + column + " as text)) as " + info->type + ") from " + relation + ")";
}

} // namespace

rewritten make_deterministic(const std::string& statement, const column_lookup& columns) {
    static const std::regex query_start(R"(^\s*(select|with)\b)", std::regex::icase);
    static const std::regex tablesample(R"(\s+tablesample\s+\w+\s*\(\s*[0-9.]+\s*\))", std::regex::icase);
    static const std::regex limit(R"(\s+limit\s+\d+\b(?!\s+offset))", std::regex::icase);
    static const std::regex scalar(R"(\(select (\w+) from ([\w.]+) limit 1 offset (\d+)\))", std::regex::icase);
    rewritten r;
    if (!std::regex_search(statement, query_start)) return r;
    std::string q = replace_all(statement, tablesample, [](const std::smatch&) { return std::string(); }, r.tablesamples);
    q = replace_all(q, limit, [](const std::smatch&) { return std::string(); }, r.limits);
    q = replace_all(q, scalar, [&](const std::smatch& m) { return scalar_subquery(m, columns); }, r.scalar_subqueries);
    r.query = q;
    return r;
}

} // namespace pgt::fuzz
