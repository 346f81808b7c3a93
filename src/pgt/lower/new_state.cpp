// The current contents of a circuit node as plain SQL: the query itself, re-spelled with our
// column names. PostgreSQL flattens these nested subqueries when planning. A restriction to
// some values of one column is pushed through filters, projections and GROUP BY keys down to
// the table, where PostgreSQL cannot push it itself (a join against a grouped subquery).
#include "lowering.hpp"

#include <algorithm>

namespace pgt::lower::detail {

namespace {

tree::join_kind join_kind_of(ir::join_kind k) {
    switch (k) {
    case ir::join_kind::inner: return tree::join_kind::inner;
    case ir::join_kind::left: return tree::join_kind::left;
    case ir::join_kind::right: return tree::join_kind::right;
    case ir::join_kind::full: return tree::join_kind::full;
    }
    return tree::join_kind::inner;
}

/// `SELECT a AS "n1", b AS "n2"` for a node's output names.
tree::select select_as(const std::vector<tree::expr>& values, const std::vector<std::string>& names) {
    tree::select s;
    for (std::size_t i = 0; i < values.size(); ++i) s.items.push_back(tree::as(values[i], names[i]));
    return s;
}

/// The distinct rows of `input`, a relation with node `child`'s columns: by their images where
/// a column's type has no equality (SELECT DISTINCT would need its `=`).
std::string distinct_sql(const lowering& l, int child, const std::string& input) {
    if (l.image_list(child, "s") == l.column_list(child, "s")) {
        tree::select rows({tree::all("")});
        rows.distinct = true;
        return tree::parenthesised(rows.from(input, "s"));
    }
    tree::select grouped(l.grouped_columns(child, "s"));
    return tree::parenthesised(grouped.from(input, "s").group_by(l.images(child, "s")));
}

/// A filter, map, aggregate, DISTINCT, window or sublink node over `input`, a relation with its
/// (first) input's columns.
std::string unary_sql(const lowering& l, int id, const std::string& input, bool input_restricted = false) {
    const auto& n = l.node(id);
    const int in = n.inputs[0];
    if (n.op == circuit_op::sublink) return sublink_sql(l, id, input, input_restricted);
    if (n.op == circuit_op::distinct) return distinct_sql(l, in, input);
    if (n.op == circuit_op::window) return window_new_sql(l, id, input);
    if (n.op == circuit_op::filter) {
        tree::select s({tree::all("")});
        return tree::parenthesised(s.from(input, "s").where(l.value(*std::get<ir::filter>(n.rel->node).predicate, in, "s")));
    }
    std::vector<tree::expr> values;
    if (n.op == circuit_op::map) {
        for (const auto& e : std::get<ir::project>(n.rel->node).exprs) values.push_back(l.value(*e, in, "s"));
        return tree::parenthesised(select_as(values, l.names(id)).from(input, "s"));
    }
    const auto& a = std::get<ir::aggregate>(n.rel->node);
    const auto keys = l.aggregate_keys(id, "s");
    values = keys.values;
    for (const auto& call : a.aggs) values.push_back(tree::rendered(aggregate_call(l, call, in, "s")));
    tree::select s = select_as(values, l.names(id));
    s.from(input, "s");
    if (!keys.by.empty()) s.group_by(keys.by);
    // (Without keys or calls, the one group of `GROUP BY ()`: a row even over no rows.)
    else if (a.aggs.empty()) s.group_by({tree::rendered("()")});
    return tree::parenthesised(s);
}

/// A join node over the relations `left` and `right` with its inputs' columns.
std::string join_sql(const lowering& l, int id, const std::string& left_rel, const std::string& right_rel) {
    const auto& n = l.node(id);
    const auto& j = std::get<ir::join>(n.rel->node);
    const int left = n.inputs[0], right = n.inputs[1];
    std::vector<tree::expr> values;
    for (const auto& c : l.names(left)) values.push_back(tree::col("l", c));
    for (const auto& c : l.names(right)) values.push_back(tree::col("r", c));
    const tree::expr cond = j.condition ? tree::rendered(l.join_condition(*j.condition, left, "l", right, "r")) : tree::boolean(true);
    tree::select s = select_as(values, l.names(id));
    s.from(tree::join(tree::from(left_rel, "l"), join_kind_of(j.kind), tree::from(right_rel, "r"), cond));
    return tree::parenthesised(s);
}

} // namespace

std::optional<passage> passed_through(const lowering& l, int id, int column) {
    const auto& n = l.node(id);
    auto plain = [](const ir::expr& e) -> std::optional<passage> {
        if (e.kind == ir::expr_kind::column && e.index >= 0) return passage{0, e.index};
        return std::nullopt;
    };
    const auto c = static_cast<std::size_t>(column);
    switch (n.op) {
    case circuit_op::filter:
    case circuit_op::distinct: return passage{0, column};
    case circuit_op::sublink: // L's columns, then the subquery's value
        if (c + 1 < l.names(id).size()) return passage{0, column};
        return std::nullopt;
    case circuit_op::map: return plain(*std::get<ir::project>(n.rel->node).exprs.at(c));
    case circuit_op::aggregate: {
        if (l.state_table(id)) return std::nullopt; // read from its state table
        const auto& keys = std::get<ir::aggregate>(n.rel->node).group_by;
        if (c < keys.size()) return plain(*keys[c]);
        return std::nullopt;
    }
    case circuit_op::window: {
        // An input column every call partitions by: whole partitions are kept or dropped.
        const auto& w = std::get<ir::window>(n.rel->node);
        auto partitions_by = [&](const ir::window_call& call) {
            return std::ranges::any_of(call.partition_by, [&](const ir::expr_ptr& p) {
                return p->kind == ir::expr_kind::column && p->index == column;
            });
        };
        if (c < l.names(n.inputs[0]).size() && std::ranges::all_of(w.calls, partitions_by)) return passage{0, column};
        return std::nullopt;
    }
    case circuit_op::join: {
        // A side's NULL-padded rows (the other side's unmatched ones) have NULL there: not kept.
        const auto kind = std::get<ir::join>(n.rel->node).kind;
        const int width = static_cast<int>(l.names(n.inputs[0]).size());
        if (column < width && (kind == ir::join_kind::inner || kind == ir::join_kind::left)) return passage{0, column};
        if (column >= width && (kind == ir::join_kind::inner || kind == ir::join_kind::right))
            return passage{1, column - width};
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}


std::string restricted_sql(const lowering& l, int id, int column, const std::string& values) {
    const auto& n = l.node(id);
    if (const auto p = passed_through(l, id, column)) {
        const std::string input = restricted_sql(l, n.inputs[p->input], p->column, values);
        if (n.op != circuit_op::join) return unary_sql(l, id, input, true);
        return p->input == 0 ? join_sql(l, id, input, l.new_sql(n.inputs[1])) : join_sql(l, id, l.new_sql(n.inputs[0]), input);
    }
    const std::string& name = l.names(id).at(static_cast<std::size_t>(column));
    tree::select rows({tree::all("")});
    rows.from(l.new_sql(id), "s");
    // A table (a source, a stored aggregate's state): = ANY of an array, not IN, so that
    // PostgreSQL expects a few keys (it cannot see how many rows a CTE of changes holds, and
    // guesses thousands) and reads them through an index, once (OFFSET 0: not again for each
    // row of a nested loop, which would re-sort the array each time).
    if (l.node(id).op == circuit_op::source || l.node(id).op == circuit_op::recursive_ref || l.state_table(id)) {
        const sql_type& type = n.rel->columns.at(static_cast<std::size_t>(column)).type;
        return tree::parenthesised(rows.where(tree::rendered(sql::among(sql::column("s", name), values, type))).offset(0));
    }
    return tree::parenthesised(rows.where(tree::in(tree::col("s", name), tree::rendered_query(values))));
}

bool restriction_helps(const lowering& l, int id, int column) {
    for (;;) {
        const auto op = l.node(id).op;
        if (op == circuit_op::distinct || op == circuit_op::sublink || op == circuit_op::aggregate ||
            op == circuit_op::window || op == circuit_op::recursive_ref)
            return true;
        const auto p = passed_through(l, id, column);
        if (!p) return false;
        id = l.node(id).inputs[p->input];
        column = p->column;
    }
}

/// A constant node's rows: `(SELECT v."c₁", … FROM (VALUES …) v(c₁, …))`, each value cast to its
/// column's type; the one row without columns `(SELECT )`.
std::string constant_sql(const lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& out = l.names(id);
    if (out.empty()) return tree::parenthesised(tree::select());
    std::vector<std::vector<tree::expr>> rows;
    for (const auto& row : std::get<ir::values>(n.rel->node).rows) {
        auto& values = rows.emplace_back();
        for (std::size_t i = 0; i < row.size(); ++i) values.push_back(tree::cast(l.value(*row[i], id, "v"), n.rel->columns[i].type));
    }
    return tree::parenthesised(tree::select(l.columns(id, "v")).from(tree::from_values(std::move(rows), "v", out)));
}

std::string new_sql(const lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& out = l.names(id);
    if (n.op == circuit_op::recursive) return recursive_new_sql(l, id);
    if (n.op == circuit_op::recursive_ref) return recursive_ref_sql(l, id);
    if (const auto* t = l.state_table(id)) {
        if (const auto& now = l.stored_new(id)) return *now;
        return tree::parenthesised(tree::select(l.columns(id, "t")).from(*t, "t"));
    }
    switch (n.op) {
    case circuit_op::source: {
        const auto& t = *l.graph().sources[static_cast<std::size_t>(n.source)];
        return sql::qualified(t.schema, t.name);
    }
    case circuit_op::filter:
    case circuit_op::map:
    case circuit_op::aggregate: return unary_sql(l, id, l.new_sql(n.inputs[0]));
    case circuit_op::join: return join_sql(l, id, l.new_sql(n.inputs[0]), l.new_sql(n.inputs[1]));
    case circuit_op::distinct: return distinct_sql(l, n.inputs[0], l.new_sql(n.inputs[0]));
    case circuit_op::sublink: return sublink_sql(l, id, l.new_sql(n.inputs[0]));
    case circuit_op::set_operation: return set_operation_new_sql(l, id);
    case circuit_op::table_function: return table_function_new_sql(l, id);
    case circuit_op::window: return window_new_sql(l, id, l.new_sql(n.inputs[0]));
    case circuit_op::constant: return constant_sql(l, id);
    case circuit_op::recursive:
    case circuit_op::recursive_ref: break; // above
    case circuit_op::union_all: {
        std::vector<tree::query> branches;
        for (std::size_t b = 0; b < n.inputs.size(); ++b) {
            const int in = n.inputs[b];
            std::vector<tree::expr> values;
            for (std::size_t i = 0; i < out.size(); ++i)
                values.push_back(tree::cast(tree::col("s", l.names(in)[i]), n.rel->columns[i].type));
            branches.push_back(select_as(values, out).from(l.new_sql(in), "s"));
        }
        return tree::parenthesised(tree::union_all(std::move(branches)));
    }
    }
    return {};
}

} // namespace pgt::lower::detail
