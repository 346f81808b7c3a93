// JSON_TABLE spelled back from the IR: column definitions, PATH, NESTED, ON EMPTY / ON ERROR.
#include "pgt/sql/json_table.hpp"

#include "pgt/sql/builder.hpp"

namespace pgt::sql {

namespace {

using value_fn = std::function<std::string(const ir::expr&)>;

/// An ON EMPTY / ON ERROR clause, ` DEFAULT x ON EMPTY`.
std::string behavior(const value_fn& value, const std::optional<ir::json_behavior>& b, const char* on) {
    if (!b) return {};
    return " " + b->keyword + (b->value ? " " + value(*b->value) : "") + " " + on;
}

std::string words(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& w : items)
        if (!w.empty()) out += " " + w;
    return out;
}

std::string columns(const value_fn& value, const std::vector<ir::json_table_column>& cols) {
    std::vector<std::string> items;
    for (const auto& c : cols) {
        const std::string path = c.path.empty() ? "" : "PATH " + literal(c.path);
        switch (c.what) {
        case ir::json_table_column::kind::ordinality: items.push_back(ident(c.name) + " FOR ORDINALITY"); break;
        case ir::json_table_column::kind::nested:
            items.push_back("NESTED " + path + (c.name.empty() ? "" : " AS " + ident(c.name)) + " COLUMNS (" + columns(value, c.columns) + ")");
            break;
        default:
            items.push_back(ident(c.name) + " " + c.type.name +
                            words({c.format, c.what == ir::json_table_column::kind::exists ? "EXISTS" : "", path, c.wrapper, c.quotes}) +
                            behavior(value, c.on_empty, "ON EMPTY") + behavior(value, c.on_error, "ON ERROR"));
        }
    }
    return join(items);
}

} // namespace

std::string json_table(const ir::table_call& call, const value_fn& value) {
    const ir::json_table& j = *call.json;
    std::string text = "JSON_TABLE(" + value(*call.args[0]) + words({j.context_format}) + ", " + literal(j.path) +
                       (j.path_name.empty() ? "" : " AS " + ident(j.path_name));
    std::vector<std::string> passing;
    for (std::size_t i = 0; i < j.passing_names.size(); ++i)
        passing.push_back(value(*call.args[i + 1]) + words({j.passing_formats[i]}) + " AS " + ident(j.passing_names[i]));
    if (!passing.empty()) text += " PASSING " + join(passing);
    return text + " COLUMNS (" + columns(value, j.columns) + ")" + behavior(value, j.on_error, "ON ERROR") + ")";
}

} // namespace pgt::sql
