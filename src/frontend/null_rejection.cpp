// Strictness as PostgreSQL's find_nonnullable_vars reads it. Built-in operators and casts are
// strict (every one but `||` on arrays); functions are not assumed to be.
#include "frontend/null_rejection.hpp"

#include <algorithm>

namespace pgt::frontend {

namespace {

using columns = std::set<int>;

bool builtin(const sql_type& t) { return t.name.starts_with("pg_catalog."); }

// The columns whose being NULL makes `e` NULL or false. Below the top level a conjunct or IS
// NOT NULL proves nothing: NOT (a AND b) is true when b is false and a NULL.
columns null_making(const ir::expr& e, bool top) {
    columns out;
    auto all_args = [&] {
        for (const auto& a : e.args) out.merge(null_making(*a, false));
    };
    auto common_to_args = [&](bool args_top) {
        for (std::size_t i = 0; i < e.args.size(); ++i) {
            columns each = null_making(*e.args[i], args_top);
            if (i == 0) out = std::move(each);
            else std::erase_if(out, [&](int c) { return !each.contains(c); });
        }
    };
    switch (e.kind) {
    case ir::expr_kind::column: out.insert(e.index); break;
    case ir::expr_kind::op:
    case ir::expr_kind::cast:
        if (ir::strict_builtin(e)) all_args();
        break;
    case ir::expr_kind::not_: all_args(); break;
    case ir::expr_kind::in_list:
        // x [NOT] IN (…) is NULL when x is, with the built-in equality of a built-in type.
        if (builtin(e.args[0]->type)) out = null_making(*e.args[0], false);
        break;
    case ir::expr_kind::op_any:
        // x op ANY (array) is NULL when x is, or false for an empty array: at the top level alone.
        if (top && e.schema == "pg_catalog") out = null_making(*e.args[0], false);
        break;
    case ir::expr_kind::is_null:
        if (top && e.negated) all_args();
        break;
    case ir::expr_kind::and_:
        if (!top) common_to_args(false);
        else
            for (const auto& a : e.args) out.merge(null_making(*a, true));
        break;
    case ir::expr_kind::or_: common_to_args(top); break;
    default: break;
    }
    return out;
}

// A top-level conjunct as a requirement: one set per arm of an OR (a padded row fails the OR
// when it fails every arm), none when some arm rejects nothing.
std::vector<columns> requirement(const ir::expr& e) {
    if (e.kind != ir::expr_kind::or_) {
        columns c = null_making(e, true);
        if (c.empty()) return {};
        return {std::move(c)};
    }
    std::vector<columns> arms;
    for (const auto& a : e.args) {
        auto more = requirement(*a);
        if (more.empty()) return {};
        arms.insert(arms.end(), more.begin(), more.end());
    }
    return arms;
}

} // namespace

void null_rejection::add(const ir::expr_ptr& condition) {
    if (!condition) return;
    for (const auto& c : ir::conjuncts(condition))
        if (auto r = requirement(*c); !r.empty()) requirements_.push_back(std::move(r));
}

void null_rejection::add(const null_rejection& other) {
    requirements_.insert(requirements_.end(), other.requirements_.begin(), other.requirements_.end());
}

bool null_rejection::rejects_padding(int from, int to) const {
    return std::ranges::any_of(requirements_, [&](const auto& r) {
        return std::ranges::all_of(r, [&](const columns& s) {
            return std::ranges::any_of(s, [&](int c) { return c >= from && c < to; });
        });
    });
}

null_rejection null_rejection::mapped(const std::function<std::optional<int>(int)>& to) const {
    null_rejection out;
    for (const auto& r : requirements_) {
        std::vector<columns> sets;
        for (const auto& s : r) {
            columns in;
            for (int c : s)
                if (auto m = to(c)) in.insert(*m);
            if (in.empty()) break; // this arm can meet no range of the new row
            sets.push_back(std::move(in));
        }
        if (sets.size() == r.size()) out.requirements_.push_back(std::move(sets));
    }
    return out;
}

null_rejection null_rejection::part(int from, int width) const {
    return mapped([&](int c) { return c >= from && c < from + width ? std::optional(c - from) : std::nullopt; });
}

null_rejection null_rejection::below(const std::vector<ir::expr_ptr>& projected) const {
    return mapped([&](int c) {
        const auto& e = projected[static_cast<std::size_t>(c)];
        return e->kind == ir::expr_kind::column ? std::optional(e->index) : std::nullopt;
    });
}

} // namespace pgt::frontend
