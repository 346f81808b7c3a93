// Column and range lookup with PostgreSQL's rules and messages (parse_relation.c).
#include "frontend/scope.hpp"

#include "frontend/correlation.hpp"
#include "frontend/type_names.hpp"

#include <algorithm>
#include <array>

namespace pgt::frontend {

namespace {

bool is_system_column(std::string_view name) {
    static constexpr std::array<std::string_view, 6> names = {"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"};
    return std::ranges::find(names, name) != names.end();
}

std::string joined(const std::vector<std::string>& parts) {
    std::string r;
    for (std::size_t i = 0; i < parts.size(); ++i) r += (i ? "." : "") + parts[i];
    return r;
}

// Every match of `name` in one scope level's column-visible items; two or more → 42702.
const ir::expr_ptr* find_unqualified(context& ctx, const select_scope& s, const std::string& name,
                                     int location) {
    if (!s.items) return nullptr;
    const ir::expr_ptr* found = nullptr;
    for (const auto& item : *s.items) {
        if (!item.cols_visible) continue;
        for (std::size_t i = 0; i < item.names.size(); ++i) {
            if (item.names[i] != name) continue;
            if (found)
                ctx.fail(sqlstate::ambiguous_column, "column reference \"" + name + "\" is ambiguous",
                         location);
            found = &item.values[i];
        }
    }
    return found;
}

// The rel-visible item a qualifier names at one level; two of them → 42P09.
const range_item* find_range(context& ctx, const select_scope& s, const std::string& schema,
                             const std::string& refname, int location) {
    if (!s.items) return nullptr;
    const range_item* found = nullptr;
    for (const auto& item : *s.items) {
        if (!item.rel_visible || item.refname != refname) continue;
        if (!schema.empty() && item.schema != schema) continue;
        if (found)
            ctx.fail("42P09", "table reference \"" + refname + "\" is ambiguous", location);
        found = &item;
    }
    return found;
}

bool any_table(const select_scope& s) {
    return s.items && std::ranges::any_of(*s.items, [](const range_item& i) { return i.is_table; });
}

// `value`, over the row of the enclosing level `found`, as seen from `scope`: passed down
// through the correlation of every level in between. A level without one cannot read it (the
// reference is unsupported): a stand-in of its type, unique to the value, is passed on
// instead, so that the levels below import the same sequence of values as when their
// correlation was discovered (their decisions are positional).
ir::expr_ptr outer_reference(context& ctx, const select_scope& scope, const select_scope* found,
                             const ir::expr_ptr& value, int location) {
    ++ctx.references.outer;
    std::vector<const select_scope*> chain;
    for (const select_scope* s = &scope; s != found; s = s->outer) chain.push_back(s);
    ir::expr_ptr v = reference(ctx, value, location);
    for (std::size_t i = chain.size(); i-- > 0;) {
        if (chain[i]->corr) {
            v = chain[i]->corr->import(ctx, v, i > 0, location);
            continue;
        }
        ctx.unsupported("correlated reference from a subquery in FROM or WITH", location);
        auto stand_in = std::make_shared<ir::expr>(*placeholder(value->type));
        stand_in->name = "unreadable " + ir::to_string(*value);
        v = stand_in;
    }
    return v;
}

// A base table's whole-row reference (`t`, `t.*`): its columns as a value of its row type,
// NULL where an outer join null-extended the row (told by a NOT NULL column, which a row of
// the table never has NULL), as PostgreSQL's whole-row Var. Over the FROM row of `s`; nullopt
// (unsupported) for other items, and for a table without a NOT NULL column.
std::optional<ir::expr_ptr> whole_row(context& ctx, const select_scope& s, const range_item& item, int location) {
    if (!item.is_table || !s.origins || item.values.empty()) return std::nullopt;
    const auto origin = [&](const ir::expr_ptr& v) -> const column_origin* {
        if (v->kind != ir::expr_kind::column || v->index < 0 || static_cast<std::size_t>(v->index) >= s.origins->size()) return nullptr;
        return &(*s.origins)[static_cast<std::size_t>(v->index)];
    };
    const column_origin* first = origin(item.values.front());
    if (!first || !first->table) return std::nullopt;
    const ir::table& t = *first->table;
    for (std::size_t i = 0; i < item.values.size(); ++i) {
        const column_origin* o = origin(item.values[i]);
        if (!o || o->table != first->table || o->table_column != static_cast<int>(i)) return std::nullopt;
    }
    if (item.values.size() != t.columns.size()) return std::nullopt;
    // (A primary key column first: its NOT NULL is always validated.)
    std::optional<ir::expr_ptr> present;
    if (!t.primary_key.empty()) present = item.values[static_cast<std::size_t>(t.primary_key.front())];
    for (std::size_t i = 0; i < t.columns.size() && !present; ++i)
        if (t.columns[i].not_null) present = item.values[i];
    if (!present) return std::nullopt;
    auto type = row_type_of(ctx, t, location);
    if (!type) return std::nullopt;
    type->equality = std::ranges::all_of(t.columns, [](const ir::column& c) { return c.type.equality; });
    // (IS DISTINCT FROM NULL, not IS NOT NULL: a key of a composite type may be ROW(NULL, …),
    // which IS NOT NULL calls absent.)
    const sql_type boolean = make_type(type_kind::boolean);
    auto is_present = ir::make_node(ir::expr_kind::is_distinct_from, boolean,
                                    {*present, ir::make_constant(std::nullopt, make_type(type_kind::unknown))});
    return ir::make_node(ir::expr_kind::case_, *type, {is_present, ir::make_node(ir::expr_kind::row, *type, item.values)});
}

// Item `item` of level `s`'s whole-row reference as seen from `scope`: a function's scalar
// result, or a base table's row (whole_row); nullopt when it has none the IR holds.
std::optional<ir::expr_ptr> whole_row_reference(context& ctx, const select_scope& scope, const select_scope* s,
                                                const range_item& item, int location) {
    std::optional<ir::expr_ptr> row;
    if (item.whole_row >= 0) row = reference(ctx, item.values[static_cast<std::size_t>(item.whole_row)], location);
    else row = whole_row(ctx, *s, item, location);
    if (!row || s == &scope) return row;
    return outer_reference(ctx, scope, s, *row, location);
}

} // namespace

std::optional<ir::expr_ptr> whole_row_presence(const ir::expr& e) {
    if (e.kind != ir::expr_kind::case_ || e.args.size() != 2 || e.args[1]->kind != ir::expr_kind::row) return std::nullopt;
    const ir::expr& test = *e.args[0];
    const bool distinct_from_null = test.kind == ir::expr_kind::is_distinct_from && !test.negated && test.args.size() == 2 &&
                                    test.args[1]->kind == ir::expr_kind::constant && !test.args[1]->literal;
    if (!distinct_from_null) return std::nullopt;
    return test.args[0];
}

namespace {

ir::expr_ptr resolve_unqualified(context& ctx, const select_scope& scope, const std::string& name,
                                 int location) {
    for (const select_scope* s = &scope; s; s = s->outer) {
        if (const ir::expr_ptr* v = find_unqualified(ctx, *s, name, location))
            return s == &scope ? reference(ctx, *v, location) : outer_reference(ctx, scope, s, *v, location);
    }
    for (const select_scope* s = &scope; s; s = s->outer) {
        if (const range_item* item = find_range(ctx, *s, {}, name, location)) {
            if (const auto row = whole_row_reference(ctx, scope, s, *item, location)) return *row;
            ctx.unsupported("whole-row reference " + name, location);
            return placeholder(opaque_type());
        }
        if (is_system_column(name) && any_table(*s)) {
            ctx.unsupported("system column " + name, location);
            return placeholder(opaque_type());
        }
    }
    ctx.fail(sqlstate::undefined_column, "column \"" + name + "\" does not exist", location);
}

ir::expr_ptr resolve_qualified(context& ctx, const select_scope& scope,
                               const std::vector<std::string>& parts, int location) {
    const std::string& name = parts.back();
    const std::string& refname = parts[parts.size() - 2];
    const std::string schema = parts.size() >= 3 ? parts[parts.size() - 3] : std::string{};
    for (const select_scope* s = &scope; s; s = s->outer) {
        const range_item* item = find_range(ctx, *s, schema, refname, location);
        if (!item) continue;
        const ir::expr_ptr* found = nullptr;
        for (std::size_t i = 0; i < item->names.size(); ++i) {
            if (item->names[i] != name) continue;
            if (found)
                ctx.fail(sqlstate::ambiguous_column, "column reference \"" + name + "\" is ambiguous",
                         location);
            found = &item->values[i];
        }
        if (!found) {
            if (is_system_column(name) && item->is_table) {
                ctx.unsupported("system column " + name, location);
                return placeholder(opaque_type());
            }
            ctx.fail(sqlstate::undefined_column, "column " + refname + "." + name + " does not exist",
                     location);
        }
        return s == &scope ? reference(ctx, *found, location) : outer_reference(ctx, scope, s, *found, location);
    }
    ctx.fail(sqlstate::undefined_table, "missing FROM-clause entry for table \"" + refname + "\"",
             location);
}

} // namespace

// Not a type PostgreSQL has: a real `record` (cast(NULL AS record)) is not a stand-in.
sql_type opaque_type() { return {type_kind::other, "(unknown to the compiler)"}; }

ir::expr_ptr placeholder(sql_type type) { return ir::make_constant(std::nullopt, std::move(type)); }

ir::expr_ptr reference(context& ctx, const ir::expr_ptr& value, int location) {
    ++ctx.references.all;
    if (value->kind != ir::expr_kind::column) return value;
    auto fresh = ir::make_column(value->index, value->type);
    ctx.note_location(fresh, location);
    return fresh;
}

std::vector<std::string> name_parts(const ColumnRef* ref) {
    std::vector<std::string> parts;
    for (const Node* f : nodes(ref->fields))
        if (IsA(f, String)) parts.push_back(str(f));
    return parts;
}

bool ends_with_star(const ColumnRef* ref) {
    return list_length(ref->fields) > 0 && IsA(llast(ref->fields), A_Star);
}

ir::expr_ptr resolve_column(context& ctx, const select_scope& scope, const ColumnRef* ref) {
    std::vector<std::string> parts = name_parts(ref);
    if (ends_with_star(ref)) {
        // `t.*` in an expression: t's whole-row reference.
        if (!parts.empty() && parts.size() <= 3) {
            const std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : std::string{};
            for (const select_scope* s = &scope; s; s = s->outer)
                if (const range_item* item = find_range(ctx, *s, schema, parts.back(), ref->location)) {
                    if (const auto row = whole_row_reference(ctx, scope, s, *item, ref->location)) return *row;
                    break;
                }
        }
        ctx.unsupported("whole-row reference " + (parts.empty() ? "*" : joined(parts) + ".*"),
                        ref->location);
        return placeholder(opaque_type());
    }
    if (parts.size() > 4 || parts.empty())
        ctx.fail(sqlstate::syntax_error,
                 "improper qualified name (too many dotted names): " + joined(parts), ref->location);
    if (parts.size() == 1) return resolve_unqualified(ctx, scope, parts[0], ref->location);
    return resolve_qualified(ctx, scope, parts, ref->location);
}

bool has_local_column(const select_scope& scope, const std::string& name) {
    return scope.items && std::ranges::any_of(*scope.items, [&](const range_item& item) {
               return item.cols_visible && std::ranges::find(item.names, name) != item.names.end();
           });
}

std::vector<range_item> star_items(context& ctx, const select_scope& scope,
                                   const std::vector<std::string>& qualifier, int location) {
    std::vector<range_item> out;
    if (qualifier.empty()) {
        if (scope.items)
            for (const auto& item : *scope.items)
                if (item.cols_visible) out.push_back(item);
        if (out.empty())
            ctx.fail(sqlstate::syntax_error, "SELECT * with no tables specified is not valid", location);
        return out;
    }
    if (qualifier.size() > 3)
        ctx.fail(sqlstate::syntax_error,
                 "improper qualified name (too many dotted names): " + joined(qualifier), location);
    const std::string schema = qualifier.size() >= 2 ? qualifier[qualifier.size() - 2] : std::string{};
    for (const select_scope* s = &scope; s; s = s->outer) {
        if (const range_item* item = find_range(ctx, *s, schema, qualifier.back(), location)) {
            out.push_back(*item);
            if (s != &scope) {
                ctx.unsupported("correlated subquery", location);
                for (auto& v : out.back().values) v = placeholder(v->type);
            }
            return out;
        }
    }
    ctx.fail(sqlstate::undefined_table, "missing FROM-clause entry for table \"" + qualifier.back() + "\"",
             location);
}

} // namespace pgt::frontend
