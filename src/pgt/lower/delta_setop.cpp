// INTERSECT [ALL] and EXCEPT [ALL]: a row's copies in the result are a function f of its
// copies a, b in the two inputs (min(a, b), max(a − b, 0), [a > 0 ∧ b > 0], [a > 0 ∧ b = 0]).
// For every row a change touches, with Δa, Δb its net change in each input:
//     Δ = f(a, b) − f(a − Δa, b − Δb)
// where a and b are counted in the inputs' current contents. Cost: two counts per changed row.
#include <algorithm>
#include <array>

#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

/// f(a, b): the copies of a row the operation keeps of a copies in A and b in B.
tree::expr copies(const ir::set_operation& s, const tree::expr& a, const tree::expr& b) {
    const tree::expr zero = tree::integer(0);
    const bool intersect = s.kind == ir::set_op_kind::intersect;
    if (s.all) return intersect ? tree::greatest({tree::least({a, b}), zero}) : tree::greatest({tree::minus(a, tree::greatest({b, zero})), zero});
    const tree::expr kept = tree::all_of({tree::gt(a, zero), intersect ? tree::gt(b, zero) : tree::le(b, zero)});
    return tree::case_when({{kept, tree::integer(1)}}, zero);
}

tree::set_kind kind_of(const ir::set_operation& s) { return s.kind == ir::set_op_kind::intersect ? tree::set_kind::intersect : tree::set_kind::except; }

/// Row `alias`, whose columns are `names`, is the changed row c of set operation `id`: column by
/// column, NULLs alike.
tree::expr same_row(const lowering& l, int id, const std::string& alias, const std::vector<std::string>& names) {
    const auto& out = l.names(id);
    const auto& cols = l.node(id).rel->columns;
    std::vector<tree::expr> same;
    for (std::size_t i = 0; i < out.size(); ++i)
        same.push_back(tree::rendered(sql::not_distinct(sql::column(alias, names[i]), sql::column("c", out[i]), cols[i].type)));
    return tree::all_of(std::move(same));
}

/// The changed rows (`changed`, alias c) with their copies in each input (`__pgt_a`, `__pgt_b`),
/// counted by one grouped pass over each input's rows whose first column is one of theirs,
/// joined back (options::uncorrelated_rescans): Citus runs no subquery per row over a
/// distributed table.
tree::select uncorrelated_counts(const lowering& l, int id, const std::string& changed) {
    const auto& n = l.node(id);
    const auto& out = l.names(id);
    const auto& cols = n.rel->columns;
    const sql_type& first = cols[0].type;
    auto counted = [&](int input, const std::string& alias) {
        const auto& names = l.names(input);
        std::vector<tree::select_item> items;
        std::vector<tree::expr> keys;
        for (std::size_t i = 0; i < out.size(); ++i) {
            items.push_back(tree::as(tree::col("s", names[i]), out[i]));
            keys.push_back(tree::col("s", names[i]));
        }
        items.push_back(tree::as(tree::count_all(), "__pgt_n"));
        tree::select firsts({tree::col("c", out[0])}), null_first({tree::integer(1)});
        firsts.from(changed, "c");
        null_first.from(changed, "c").where(tree::is_null(tree::col("c", out[0]), first));
        const tree::expr k = keys[0];
        const tree::expr among = sql::catalog_operators(first) ? tree::quantified("=", k, true, firsts) : tree::in(k, firsts);
        tree::select rows(std::move(items));
        rows.from(l.new_sql(input), "s").where(tree::any_of({among, tree::all_of({tree::is_null(k, first), tree::exists(null_first)})})).group_by(keys);
        return std::pair{tree::from(rows, alias), same_row(l, id, alias, out)};
    };
    const auto [a, on_a] = counted(n.inputs[0], "a");
    const auto [b, on_b] = counted(n.inputs[1], "b");
    tree::select counts({tree::all("c"), tree::as(tree::coalesce({tree::col("a", "__pgt_n"), tree::integer(0)}), "__pgt_a"),
                         tree::as(tree::coalesce({tree::col("b", "__pgt_n"), tree::integer(0)}), "__pgt_b")});
    counts.from(tree::join(tree::join(tree::from(changed, "c"), tree::join_kind::left, a, on_a), tree::join_kind::left, b, on_b));
    return counts;
}

/// The rows of `relation` (input `input`'s columns, alias "s") as set operation `id`'s, each
/// counting `count` in its side's column (`counts[0]` for the first input, else `counts[1]`)
/// and 0 in the other's: summed per row, the row's copies (or their change) in each input.
tree::select side_rows(const lowering& l, int id, int input, const std::string& relation, bool first, const tree::expr& count,
                       const std::array<const char*, 2>& counts) {
    tree::select rows(l.columns_as(input, "s", id));
    rows.items.push_back(tree::as(first ? count : tree::integer(0), counts[0]));
    rows.items.push_back(tree::as(first ? tree::integer(0) : count, counts[1]));
    return rows.from(relation, "s");
}

bool all_have_equality(const std::vector<ir::column>& cols) {
    return std::ranges::all_of(cols, [](const ir::column& c) { return c.type.equality; });
}

} // namespace

std::string set_operation_new_sql(const lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& s = std::get<ir::set_operation>(n.rel->node);
    if (all_have_equality(n.rel->columns)) {
        tree::select a(l.columns_as(n.inputs[0], "a", id)), b(l.columns(n.inputs[1], "b"));
        a.from(l.new_sql(n.inputs[0]), "a");
        b.from(l.new_sql(n.inputs[1]), "b");
        return tree::parenthesised(tree::set_operation(kind_of(s), s.all, {a, b}));
    }
    // INTERSECT and EXCEPT compare rows by their columns' equality: rows with a column without
    // one (a lifted subquery's json D) are counted per image in each input instead, and each
    // kept f(a, b) times.
    auto side = [&](int input, bool first) {
        return side_rows(l, id, input, l.new_sql(input), first, tree::integer(1), {"__pgt_a", "__pgt_b"});
    };
    tree::select counted(l.grouped_columns(id, "c"));
    counted.items.push_back(tree::as(tree::fn("sum", {tree::col("c", "__pgt_a")}), "__pgt_a"));
    counted.items.push_back(tree::as(tree::fn("sum", {tree::col("c", "__pgt_b")}), "__pgt_b"));
    counted.from(tree::from(tree::union_all({side(n.inputs[0], true), side(n.inputs[1], false)}), "c")).group_by(l.images(id, "c"));
    const tree::expr series = tree::fn("generate_series", {tree::integer(1), copies(s, tree::col("t", "__pgt_a"), tree::col("t", "__pgt_b"))});
    tree::select kept(l.columns(id, "t"));
    kept.from(tree::cross_join(tree::from(counted, "t"), tree::from_function(series, "copies", true)));
    return tree::parenthesised(kept);
}

std::optional<std::string> delta_set_operation(lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& s = std::get<ir::set_operation>(n.rel->node);
    const auto da = l.delta(n.inputs[0]);
    const auto db = l.delta(n.inputs[1]);
    if (!da && !db) return std::nullopt;
    const auto& cols = n.rel->columns;

    auto side = [&](int input, const std::string& d, bool first) {
        return side_rows(l, id, input, d, first, tree::col("s", weight), {"__pgt_da", "__pgt_db"});
    };
    std::vector<tree::query> parts;
    if (da) parts.push_back(side(n.inputs[0], *da, true));
    if (db) parts.push_back(side(n.inputs[1], *db, false));
    // (A column without equality is grouped by its image.)
    const bool equality = all_have_equality(cols);
    tree::select per_row(equality ? l.columns(id, "c") : l.grouped_columns(id, "c"));
    per_row.items.push_back(tree::as(tree::fn("sum", {tree::col("c", "__pgt_da")}), "__pgt_da"));
    per_row.items.push_back(tree::as(tree::fn("sum", {tree::col("c", "__pgt_db")}), "__pgt_db"));
    per_row.from(tree::from(tree::union_all(std::move(parts)), "c")).group_by(equality ? l.column_values(id, "c") : l.images(id, "c"));
    const std::string changed = l.add_cte("d" + std::to_string(id) + "_rows",
                                          "n" + std::to_string(id) + ": rows whose copies change, with their change per input", tree::render(per_row));

    auto correlated_counts = [&] {
        auto count_in = [&](int input, const std::string& alias) {
            return tree::scalar(tree::select({tree::count_all()}).from(l.new_sql(input), alias).where(same_row(l, id, alias, l.names(input))));
        };
        tree::select counts({tree::all("c"), tree::as(count_in(n.inputs[0], "a"), "__pgt_a"), tree::as(count_in(n.inputs[1], "b"), "__pgt_b")});
        return counts.from(changed, "c");
    };
    const bool uncorrelated = l.opts().uncorrelated_rescans && equality;
    const tree::select counts = uncorrelated ? uncorrelated_counts(l, id, changed) : correlated_counts();
    const tree::expr a = tree::col("t", "__pgt_a"), b = tree::col("t", "__pgt_b");
    const tree::expr change =
        tree::minus(copies(s, a, b), copies(s, tree::minus(a, tree::col("t", "__pgt_da")), tree::minus(b, tree::col("t", "__pgt_db"))));
    tree::select changes(l.columns(id, "t"));
    changes.items.push_back(tree::as(tree::cast(change, tree::type_name::catalog("int8")), weight));
    changes.from(tree::from(counts, "t"));
    return l.add_cte("d" + std::to_string(id) + "_setop",
                     "n" + std::to_string(id) + ": " + ir::set_op_name(s) + " — f(a, b) − f(a − Δa, b − Δb) per changed row",
                     tree::render(tree::select({tree::all("")}).from(tree::from(changes, "x")).where(tree::ne(tree::col("x", weight), tree::integer(0)))));
}

} // namespace pgt::lower::detail
