#include "pgt/ir/expr.hpp"
#include "pgt/ir/rel.hpp"

#include <algorithm>
#include <set>

namespace pgt::ir {

expr_ptr make_column(int index, sql_type type) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::column;
    e->index = index;
    e->type = std::move(type);
    return e;
}

expr_ptr make_constant(std::optional<std::string> literal, sql_type type) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::constant;
    e->literal = std::move(literal);
    e->type = std::move(type);
    return e;
}

expr_ptr make_node(expr_kind kind, sql_type type, std::vector<expr_ptr> args) {
    auto e = std::make_shared<expr>();
    e->kind = kind;
    e->type = std::move(type);
    e->args = std::move(args);
    return e;
}

expr_ptr make_call(expr_kind kind, std::string schema, std::string name, sql_type type,
                   std::vector<expr_ptr> args, volatility vol) {
    auto e = std::make_shared<expr>();
    e->kind = kind;
    e->schema = std::move(schema);
    e->name = std::move(name);
    e->type = std::move(type);
    e->args = std::move(args);
    e->vol = vol;
    return e;
}

volatility max_volatility(const expr& e) {
    volatility v = e.vol;
    for (const auto& a : e.args) v = std::max(v, max_volatility(*a));
    return v;
}

bool references_column(const expr& e, int index) {
    if (e.kind == expr_kind::column) return e.index == index;
    return std::ranges::any_of(e.args, [&](const expr_ptr& a) { return references_column(*a, index); });
}

namespace {
void collect_columns(const expr& e, std::set<int>& out) {
    if (e.kind == expr_kind::column) out.insert(e.index);
    for (const auto& a : e.args) collect_columns(*a, out);
}

template <class F>
expr_ptr rewrite_columns(const expr_ptr& e, F&& on_column) {
    if (e->kind == expr_kind::column) return on_column(*e);
    bool changed = false;
    std::vector<expr_ptr> args;
    args.reserve(e->args.size());
    for (const auto& a : e->args) {
        args.push_back(rewrite_columns(a, on_column));
        changed |= args.back() != a;
    }
    if (!changed) return e;
    auto copy = std::make_shared<expr>(*e);
    copy->args = std::move(args);
    return copy;
}
} // namespace

std::vector<int> referenced_columns(const expr& e) {
    std::set<int> s;
    collect_columns(e, s);
    return {s.begin(), s.end()};
}

expr_ptr substitute_columns(const expr_ptr& e, const std::vector<expr_ptr>& map) {
    return rewrite_columns(e, [&](const expr& c) { return map.at(static_cast<std::size_t>(c.index)); });
}

expr_ptr map_columns(const expr_ptr& e, const std::function<expr_ptr(const expr&)>& f) { return rewrite_columns(e, f); }

expr_ptr shift_columns(const expr_ptr& e, int delta) {
    if (delta == 0) return e;
    return rewrite_columns(e, [&](const expr& c) { return make_column(c.index + delta, c.type); });
}

std::vector<expr_ptr> conjuncts(const expr_ptr& e) {
    if (!e) return {};
    if (e->kind != expr_kind::and_) return {e};
    std::vector<expr_ptr> out;
    for (const auto& a : e->args) {
        auto sub = conjuncts(a);
        out.insert(out.end(), sub.begin(), sub.end());
    }
    return out;
}

std::vector<column_equality> column_equalities(const expr_ptr& condition) {
    std::vector<column_equality> out;
    for (const auto& c : conjuncts(condition)) {
        if (c->kind != expr_kind::op || c->name != "=" || (!c->schema.empty() && c->schema != "pg_catalog") ||
            c->args.size() != 2)
            continue;
        for (std::size_t side = 0; side < 2; ++side)
            if (c->args[side]->kind == expr_kind::column && c->args[side]->index >= 0)
                out.push_back({c->args[side]->index, c->args[1 - side]});
    }
    return out;
}

bool equates_column(const expr_ptr& condition, int column, const std::function<bool(const expr&)>& other) {
    for (const auto& c : conjuncts(condition)) {
        const bool equality = (c->kind == expr_kind::op && c->name == "=" && (c->schema.empty() || c->schema == "pg_catalog")) ||
                              (c->kind == expr_kind::is_distinct_from && c->negated);
        if (!equality || c->args.size() != 2) continue;
        for (std::size_t side = 0; side < 2; ++side) {
            const auto& a = *c->args[side];
            if (a.kind == expr_kind::column && a.index == column && other(*c->args[1 - side])) return true;
        }
    }
    return false;
}

expr_ptr make_and(std::vector<expr_ptr> parts) {
    if (parts.empty()) return nullptr;
    if (parts.size() == 1) return parts.front();
    return make_node(expr_kind::and_, make_type(type_kind::boolean), std::move(parts));
}

bool never_null(const expr& e, const std::vector<column>& input) {
    auto all_args = [&] { return std::ranges::all_of(e.args, [&](const expr_ptr& a) { return never_null(*a, input); }); };
    switch (e.kind) {
    case expr_kind::column:
        return e.index >= 0 && static_cast<std::size_t>(e.index) < input.size() &&
               input[static_cast<std::size_t>(e.index)].not_null;
    case expr_kind::constant: return e.literal.has_value();
    case expr_kind::is_null:
    case expr_kind::is_distinct_from: return true;
    // Built-in operators are strict and return a value for non-NULL operands.
    case expr_kind::op: return e.schema == "pg_catalog" && all_args();
    case expr_kind::and_:
    case expr_kind::or_:
    case expr_kind::not_:
    case expr_kind::cast: return all_args();
    case expr_kind::coalesce:
        return std::ranges::any_of(e.args, [&](const expr_ptr& a) { return never_null(*a, input); });
    default: return false;
    }
}

bool equivalent(const expr& a, const expr& b) {
    if (&a == &b) return true;
    if (a.kind != b.kind || a.type != b.type || a.index != b.index || a.literal != b.literal ||
        a.schema != b.schema || a.name != b.name || a.negated != b.negated ||
        a.has_else != b.has_else || a.vol != b.vol || a.args.size() != b.args.size())
        return false;
    for (std::size_t i = 0; i < a.args.size(); ++i)
        if (!equivalent(*a.args[i], *b.args[i])) return false;
    return true;
}

bool strict_builtin(const expr& e) {
    auto builtin = [](const sql_type& t) { return t.name.starts_with("pg_catalog."); };
    if (e.kind == expr_kind::op) return e.schema == "pg_catalog" && e.name != "||";
    return e.kind == expr_kind::cast && builtin(e.type) && builtin(e.args[0]->type);
}

} // namespace pgt::ir
