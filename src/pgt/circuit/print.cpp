// Renders a circuit: one line per node with the delta rule that maintains it.
#include <algorithm>
#include <sstream>

#include "pgt/circuit.hpp"
#include "pgt/lower.hpp"

namespace pgt {

namespace {

std::string rule(const circuit& c, int id) {
    const auto& n = c.nodes[static_cast<std::size_t>(id)];
    const bool stateful_top = id == c.state_node;
    switch (n.op) {
    case circuit_op::source: {
        const auto& t = *c.sources[static_cast<std::size_t>(n.source)];
        return "Δ" + t.schema + "." + t.name + "  (changes captured from the source)";
    }
    case circuit_op::filter: return "filter   linear: σ(Δ)";
    case circuit_op::map: return "map      linear: π(Δ)";
    case circuit_op::union_all: return "plus     linear: Δ₁ + Δ₂ + …";
    case circuit_op::join: {
        const auto& j = std::get<ir::join>(n.rel->node);
        std::string r = "join     bilinear: ΔL⋈R + L⋈ΔR − ΔL⋈ΔR";
        if (j.kind != ir::join_kind::inner)
            r += std::string(" + anti-join change of the preserved side") +
                 (j.kind == ir::join_kind::full ? "s" : "");
        return r;
    }
    case circuit_op::aggregate: {
        const auto& a = std::get<ir::aggregate>(n.rel->node);
        std::string r = stateful_top ? "aggregate  integrated state in the stream table:"
                                     : "aggregate  integrated state in a state table of its own:";
        for (const auto& call : a.aggs) {
            r += " " + ir::agg_name(call);
            switch (ir::maintenance_of(call)) {
            case ir::agg_maintenance::linear: r += "[linear]"; break;
            case ir::agg_maintenance::extremum: r += "[rescan group on delete]"; break;
            case ir::agg_maintenance::algebraic: r += "[algebraic: running sums]"; break;
            case ir::agg_maintenance::rescan: r += "[recompute touched groups]"; break;
            }
        }
        return r;
    }
    case circuit_op::sublink:
        return "sublink    per row of L: ΔL with R, plus rows of L whose subquery ΔR touches: v(R) − v(R−ΔR)";
    case circuit_op::set_operation:
        return std::string("setop      ") + ir::set_op_name(std::get<ir::set_operation>(n.rel->node)) +
               ": f(a, b) − f(a−Δa, b−Δb) per affected row";
    case circuit_op::table_function: return "flat_map linear: each row of Δ with its function rows";
    case circuit_op::window: {
        const auto& w = std::get<ir::window>(n.rel->node);
        const bool partitioned = std::ranges::all_of(w.calls, [](const ir::window_call& c) { return !c.partition_by.empty(); });
        return partitioned ? "window     recompute touched partitions: W(I(in))[p] − W(I(in)−Δ)[p]"
                           : "window     recompute the whole input (a window without PARTITION BY) on any change";
    }
    case circuit_op::recursive:
        if (std::get<ir::recursive>(n.rel->node).distinct)
            return "recursive  UNION, delete and rederive over its rows in a state table: D = rows that lost a derivation "
                   "and what they derive, N = rows of D still derived and rows newly reached; Δ = N − D";
        return "recursive  UNION ALL, counting: rows with their derivations in a state table; Δ = seeds + S'(seeds) + …, "
               "seeds = ΔB + S(I, Δsources)";
    case circuit_op::recursive_ref: return "working table of n" + std::to_string(n.recursion) + " (no change of its own)";
    case circuit_op::constant: return "constant   rows that never change: Δ = 0";
    case circuit_op::distinct:
        return stateful_top ? "distinct   multiplicity stored: Δcount, visible while > 0"
                            : "distinct   [I(in)>0] − [I(in)−Δ>0] on affected rows";
    }
    return "?";
}

} // namespace

std::string to_string(const circuit& c) {
    std::ostringstream out;
    for (std::size_t i = 0; i < c.nodes.size(); ++i) {
        const auto& n = c.nodes[i];
        out << "n" << i << " = " << rule(c, static_cast<int>(i));
        if (!n.inputs.empty()) {
            out << "   ← ";
            for (std::size_t k = 0; k < n.inputs.size(); ++k) out << (k ? ", " : "") << "n" << n.inputs[k];
        }
        if (n.same_as >= 0) out << "   (same rows as n" << n.same_as << ", whose change it shares)";
        out << "\n";
    }
    out << "output n" << c.output << "; stream table maintenance: " << to_string(c.strategy);
    if (c.strategy == maintenance::keyed) {
        out << " on (";
        for (std::size_t i = 0; i < c.key.size(); ++i)
            out << (i ? ", " : "") << c.query.root->columns[static_cast<std::size_t>(c.key[i])].name;
        out << ")";
    }
    out << "\n";
    if (const auto& t = c.query.topk) {
        out << "TopK: the stream table holds rows " << t->offset + 1 << " to " << t->offset + t->limit
            << (t->with_ties ? " (and ties)" : "") << " ORDER BY ";
        for (std::size_t i = 0; i < t->keys.size(); ++i)
            out << (i ? ", " : "") << c.query.root->columns[static_cast<std::size_t>(t->keys[i].expr->index)].name
                << (t->keys[i].descending ? " DESC" : "") << (t->keys[i].nulls_first != t->keys[i].descending ? (t->keys[i].nulls_first ? " NULLS FIRST" : " NULLS LAST") : "");
        if (lower::topk_keeps_prefix(c))
            out << " of the result above, whose first " << lower::topk_prefix_rows(c)
                << " rows are kept in a state table (changes beyond them dropped, refilled from the sources when "
                   "deletions leave fewer than the stream table's rows)\n";
        else
            out << " of the result above, kept in a state table and re-read through an index on these keys when it changes\n";
    }
    return out.str();
}

} // namespace pgt
