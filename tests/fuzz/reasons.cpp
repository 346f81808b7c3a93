#include "reasons.hpp"

#include <regex>

namespace pgt::fuzz {

std::string normalized_message(const std::string& message) {
    static const std::regex severity(R"(^(ERROR|FATAL|PANIC|WARNING):\s+)");
    static const std::regex quoted_literal(R"('[^']*')");
    static const std::regex alias(R"(\b(ref|subq|sample|jennifer)_\d+\b)");
    static const std::regex output_column(R"(\bc\d+\b)");
    static const std::regex stream_table(R"(\bfz_q\d+_\w+)");
    static const std::regex number(R"(\b\d+(\.\d+)?\b)");
    std::string m = message.substr(0, message.find('\n'));
    m = std::regex_replace(m, severity, "");
    m = std::regex_replace(m, quoted_literal, "'…'");
    m = std::regex_replace(m, alias, "$1_N");
    m = std::regex_replace(m, output_column, "cN");
    m = std::regex_replace(m, stream_table, "<stream table>");
    m = std::regex_replace(m, number, "N");
    constexpr std::size_t longest = 200;
    return m.size() > longest ? m.substr(0, longest) + "…" : m;
}

std::string reason_of(const testing::server_error& e) {
    return (e.sqlstate.empty() ? "?????" : e.sqlstate) + " " + normalized_message(e.what());
}

bool is_timeout(const std::string& reason) { return reason.find("57014 ") != std::string::npos; }

bool is_connection_loss(const testing::server_error& e) {
    // libpq reports a closed socket without a SQLSTATE; a server going down sends 57P01-57P03.
    return e.sqlstate.empty() || e.sqlstate.starts_with("08") || e.sqlstate.starts_with("57P");
}

} // namespace pgt::fuzz
