#include "frontend/context.hpp"

#include <algorithm>

#include "pgt/interrupts.hpp"

namespace pgt::frontend {

std::string context::line_and_column(int location) const {
    if (location < 0 || static_cast<std::size_t>(location) > text_.size()) return "an unknown position";
    std::string_view before = text_.substr(0, static_cast<std::size_t>(location));
    auto line = 1 + std::ranges::count(before, '\n');
    auto last_newline = before.rfind('\n');
    auto column = last_newline == std::string_view::npos ? before.size() + 1 : before.size() - last_newline;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

void context::fail(const char* code, const std::string& message, int location, std::string hint) const {
    throw error(code, message, {}, std::move(hint), position(location));
}

void context::unsupported(const std::string& construct, int location) {
    if (!unsupported_) unsupported_.emplace(construct, position(location));
}

void context::add_source(const ir::table_ptr& t) {
    bool seen = std::ranges::any_of(sources_, [&](const ir::table_ptr& s) {
        return s->schema == t->schema && s->name == t->name;
    });
    if (!seen) sources_.push_back(t);
}

int context::location_of(const ir::expr* e) const {
    auto it = locations_.find(e);
    return it == locations_.end() ? -1 : it->second.second;
}

context::depth_guard::depth_guard(context& c, int location) : c_(c) {
    check_interrupts(); // (each nested SELECT and expression)
    if (c_.depth_ >= c_.opts.max_depth)
        c_.fail(sqlstate::program_limit_exceeded,
                "query too complex: nesting depth exceeds " + std::to_string(c_.opts.max_depth),
                location);
    ++c_.depth_;
}

} // namespace pgt::frontend
