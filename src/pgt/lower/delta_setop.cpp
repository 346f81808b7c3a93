// INTERSECT [ALL] and EXCEPT [ALL]: a row's copies in the result are a function f of its
// copies a, b in the two inputs (min(a, b), max(a − b, 0), [a > 0 ∧ b > 0], [a > 0 ∧ b = 0]).
// For every row a change touches, with Δa, Δb its net change in each input:
//     Δ = f(a, b) − f(a − Δa, b − Δb)
// where a and b are counted in the inputs' current contents. Cost: two counts per changed row.
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

} // namespace

std::string set_operation_new_sql(const lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& s = std::get<ir::set_operation>(n.rel->node);
    tree::select a(l.columns_as(n.inputs[0], "a", id)), b(l.columns(n.inputs[1], "b"));
    a.from(l.new_sql(n.inputs[0]), "a");
    b.from(l.new_sql(n.inputs[1]), "b");
    return tree::parenthesised(tree::set_operation(kind_of(s), s.all, {a, b}));
}

std::optional<std::string> delta_set_operation(lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& s = std::get<ir::set_operation>(n.rel->node);
    const auto da = l.delta(n.inputs[0]);
    const auto db = l.delta(n.inputs[1]);
    if (!da && !db) return std::nullopt;
    const auto& out = l.names(id);
    const auto& cols = n.rel->columns;

    auto side = [&](int input, const std::string& d, bool is_a) {
        tree::select rows(l.columns_as(input, "s", id));
        rows.items.push_back(tree::as(is_a ? tree::col("s", weight) : tree::integer(0), "__pgt_da"));
        rows.items.push_back(tree::as(is_a ? tree::integer(0) : tree::col("s", weight), "__pgt_db"));
        return rows.from(d, "s");
    };
    std::vector<tree::query> parts;
    if (da) parts.push_back(side(n.inputs[0], *da, true));
    if (db) parts.push_back(side(n.inputs[1], *db, false));
    tree::select per_row(l.columns(id, "c"));
    per_row.items.push_back(tree::as(tree::fn("sum", {tree::col("c", "__pgt_da")}), "__pgt_da"));
    per_row.items.push_back(tree::as(tree::fn("sum", {tree::col("c", "__pgt_db")}), "__pgt_db"));
    per_row.from(tree::from(tree::union_all(std::move(parts)), "c")).group_by(l.column_values(id, "c"));
    const std::string changed = l.add_cte("d" + std::to_string(id) + "_rows",
                                          "n" + std::to_string(id) + ": rows whose copies change, with their change per input", tree::render(per_row));

    auto count_in = [&](int input, const std::string& alias) {
        std::vector<tree::expr> same;
        for (std::size_t i = 0; i < out.size(); ++i)
            same.push_back(tree::rendered(sql::not_distinct(sql::column(alias, l.names(input)[i]), sql::column("c", out[i]), cols[i].type)));
        return tree::scalar(tree::select({tree::count_all()}).from(l.new_sql(input), alias).where(tree::all_of(std::move(same))));
    };
    tree::select counts({tree::all("c"), tree::as(count_in(n.inputs[0], "a"), "__pgt_a"), tree::as(count_in(n.inputs[1], "b"), "__pgt_b")});
    counts.from(changed, "c");
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
