#include "pg/parser.hpp"

#include "pg/guard.hpp"
#include "pgt/error.hpp"

extern "C" {
#include <parser/parser.h>
}

namespace pgt::server {

const void* parse(const std::string& sql) {
    return pg::call([&] { return static_cast<const void*>(raw_parser(sql.c_str(), RAW_PARSE_DEFAULT)); });
}

std::string statement_text(const std::string& sql) {
    const List* stmts = nullptr;
    try {
        stmts = static_cast<const List*>(parse(sql));
    } catch (const pgt::error&) {
        return sql;
    }
    if (list_length(stmts) != 1) return sql;
    const auto* raw = static_cast<const RawStmt*>(linitial(stmts));
    const auto from = static_cast<std::size_t>(raw->stmt_location);
    std::string text = raw->stmt_len == 0 ? sql.substr(from) : sql.substr(from, static_cast<std::size_t>(raw->stmt_len));
    text.erase(text.find_last_not_of(" \t\r\n") + 1);
    const std::size_t line = text.rfind('\n');
    if (text.find("--", line == std::string::npos ? 0 : line) != std::string::npos) text += '\n';
    return text;
}

} // namespace pgt::server
