// Delta rules of the linear operators: a change passes through them unchanged in kind.
//   σ(Δ), π(Δ), Δ₁ + Δ₂ + …; and a source's delta is its captured changes.
#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {

/// The one node reading node `id`'s change, or -1 (none, or several).
int single_user(const circuit& c, int id) {
    int user = -1;
    for (std::size_t n = 0; n < c.nodes.size(); ++n)
        for (int in : c.nodes[n].inputs)
            if (in == id) {
                if (user != -1) return -1;
                user = static_cast<int>(n);
            }
    return user;
}

bool linear(const circuit_node& n) { return n.op == circuit_op::filter || n.op == circuit_op::map; }

/// Whether node `id`'s change reaches only rules that add up its rows' weights before a row's
/// net weight matters: through filters, projections and joins used once (an inner join is
/// bilinear: each row's weight multiplies its matches; an outer join's unmatched rows change
/// by the preserved side's weights, and by the other side's only through their sum per
/// preserved row, delta_join.cpp), into an aggregate (its change per group is a sum of
/// weights) or into the net change per row the stream table merges (rows_delta groups equal
/// rows). Anything else — DISTINCT, a sublink, a set operation, a window — may read a row's
/// weight as its net weight.
bool summed_downstream(const circuit& c, int id) {
    const bool rows_merged = c.strategy != maintenance::aggregate;
    for (;;) {
        if (rows_merged && id == merged_node(c)) return true;
        const int user = single_user(c, id);
        if (user == -1) return false;
        const circuit_node& u = c.nodes[static_cast<std::size_t>(user)];
        if (u.op == circuit_op::aggregate) return true;
        if (!linear(u) && u.op != circuit_op::join) return false;
        id = user;
    }
}

/// The last of the filters and projections that node `id`'s change passes through alone (each
/// the only reader of the one before it), or `id` itself.
int linear_chain_end(const circuit& c, int id) {
    for (int user = single_user(c, id); user != -1 && linear(c.nodes[static_cast<std::size_t>(user)]); user = single_user(c, id))
        id = user;
    return id;
}

/// Whether source `s`'s change must be consolidated as it is read: a row changed several times
/// since the last refresh (inserted and deleted again, updated twice) cancels out or nets to
/// one row before a rule that needs net weights sees it. Where every read of it sums weights
/// anyway, grouping all its columns first only costs (a third of a large change's refresh);
/// where a read passes through filters and projections first, it is consolidated after them
/// (consolidated_chain): fewer rows, fewer columns.
bool needs_consolidation(const lowering& l, int s) {
    if (l.changes_of(s).single_row) return false;
    const circuit& c = l.graph();
    for (std::size_t n = 0; n < c.nodes.size(); ++n)
        if (c.nodes[n].op == circuit_op::source && c.nodes[n].source == s && linear_chain_end(c, static_cast<int>(n)) == static_cast<int>(n) &&
            !summed_downstream(c, static_cast<int>(n)))
            return true;
    return false;
}

/// Whether filter or projection `id` consolidates its change: it ends the filters and
/// projections a source's change passes through alone, that source's change is consolidated
/// nowhere before, and a rule after `id` reads net weights. (The same Z-set as the source's
/// change consolidated and then filtered and projected, with rows that became equal merged.)
bool consolidated_chain(const lowering& l, int id) {
    const circuit& c = l.graph();
    if (linear_chain_end(c, id) != id || summed_downstream(c, id)) return false;
    int start = id;
    while (linear(c.nodes[static_cast<std::size_t>(start)])) {
        const int in = c.nodes[static_cast<std::size_t>(start)].inputs[0];
        if (single_user(c, in) != start) return false;
        start = in;
    }
    const circuit_node& source = c.nodes[static_cast<std::size_t>(start)];
    return source.op == circuit_op::source && !l.changes_of(source.source).single_row && !needs_consolidation(l, source.source);
}

/// The CTE of linear node `id`'s change `body`, consolidated where consolidated_chain says.
std::string linear_cte(lowering& l, int id, const tree::select& body, const std::string& name, const std::string& description) {
    if (!consolidated_chain(l, id)) return l.add_cte(name, description, tree::render(body));
    return l.add_cte(name, description + ", consolidated", tree::render(l.consolidation(id, tree::parenthesised(body), "c")));
}
} // namespace

std::optional<std::string> delta_source(lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& t = *l.graph().sources[static_cast<std::size_t>(n.source)];
    // Unconsolidated, the rows of a row inserted and deleted again reach the filters and
    // projections on the way: an expression raising on such a row (100 / v on a v = 0 that no
    // longer exists) makes the refresh recompute instead (its subtransaction).
    const bool consolidate = needs_consolidation(l, n.source);
    const std::string& changes = l.changes_of(n.source).relation;
    tree::select body(l.columns(id, "c"));
    if (consolidate) {
        body = l.consolidation(id, changes, "c");
    } else {
        body.items.emplace_back(tree::col("c", weight));
        body.from(changes, "c");
    }
    // CTE names stay well under PostgreSQL's 63-byte identifier limit.
    return l.add_cte("s" + std::to_string(n.source) + "_changes_" + t.name.substr(0, 40),
                     "Δ" + t.schema + "." + t.name + (consolidate ? ": captured changes, consolidated" : ": captured changes"),
                     tree::render(body));
}

std::optional<std::string> delta_filter(lowering& l, int id) {
    const auto& n = l.node(id);
    auto in = l.delta(n.inputs[0]);
    if (!in) return std::nullopt;
    const auto& f = std::get<ir::filter>(n.rel->node);
    tree::select body({tree::all("")});
    body.from(*in, "s").where(l.value(*f.predicate, n.inputs[0], "s"));
    return linear_cte(l, id, body, "d" + std::to_string(id) + "_filter", "n" + std::to_string(id) + ": filter — σ(Δ)");
}

std::optional<std::string> delta_map(lowering& l, int id) {
    const auto& n = l.node(id);
    auto in = l.delta(n.inputs[0]);
    if (!in) return std::nullopt;
    const auto& p = std::get<ir::project>(n.rel->node);
    tree::select body;
    for (std::size_t i = 0; i < p.exprs.size(); ++i) body.items.push_back(tree::as(l.value(*p.exprs[i], n.inputs[0], "s"), l.names(id)[i]));
    body.items.emplace_back(tree::col("s", weight));
    body.from(*in, "s");
    return linear_cte(l, id, body, "d" + std::to_string(id) + "_map", "n" + std::to_string(id) + ": map — π(Δ)");
}

std::optional<std::string> delta_union(lowering& l, int id) {
    const auto& n = l.node(id);
    std::vector<tree::query> branches;
    for (int in : n.inputs) {
        auto d = l.delta(in);
        if (!d) continue;
        tree::select branch;
        for (std::size_t i = 0; i < l.names(id).size(); ++i)
            branch.items.push_back(tree::as(tree::cast(tree::col("s", l.names(in)[i]), n.rel->columns[i].type), l.names(id)[i]));
        branch.items.emplace_back(tree::col("s", weight));
        branches.push_back(branch.from(*d, "s"));
    }
    if (branches.empty()) return std::nullopt;
    return l.add_cte("d" + std::to_string(id) + "_union_all", "n" + std::to_string(id) + ": union all — Δ₁ + Δ₂ + …",
                     tree::render(tree::union_all(std::move(branches))));
}

} // namespace pgt::lower::detail
