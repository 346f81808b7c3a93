// Delta rules of the linear operators: a change passes through them unchanged in kind.
//   σ(Δ), π(Δ), Δ₁ + Δ₂ + …; and a source's delta is its captured changes.
#include "lowering.hpp"

namespace pgt::lower::detail {

namespace {
std::string weight_col(const std::string& alias) { return sql::column(alias, weight); }
} // namespace

std::optional<std::string> delta_source(lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& t = *l.graph().sources[static_cast<std::size_t>(n.source)];
    // Consolidated, so that a row inserted and deleted again cancels out before any expression
    // sees it (100 / v must not fail on a v = 0 that no longer exists): identical rows
    // together. One row (single_row) is consolidated already.
    const bool consolidate = !l.changes_of(n.source).single_row;
    const std::string body =
        consolidate ? "SELECT " + l.grouped_column_list(id, "c") + ", pg_catalog.sum(" + weight_col("c") +
                          ")::pg_catalog.int8 AS " + sql::ident(weight) + " FROM " + l.changes_of(n.source).relation +
                          " c GROUP BY " + l.image_list(id, "c") + " HAVING pg_catalog.sum(" + weight_col("c") +
                          ") OPERATOR(pg_catalog.<>) 0"
                    : "SELECT " + l.column_list(id, "c") + ", " + weight_col("c") + " FROM " + l.changes_of(n.source).relation + " c";
    // CTE names stay well under PostgreSQL's 63-byte identifier limit.
    return l.add_cte("s" + std::to_string(n.source) + "_changes_" + t.name.substr(0, 40),
                     "Δ" + t.schema + "." + t.name + (consolidate ? ": captured changes, consolidated" : ": captured changes"), body);
}

std::optional<std::string> delta_filter(lowering& l, int id) {
    const auto& n = l.node(id);
    auto in = l.delta(n.inputs[0]);
    if (!in) return std::nullopt;
    const auto& f = std::get<ir::filter>(n.rel->node);
    return l.add_cte("d" + std::to_string(id) + "_filter", "n" + std::to_string(id) + ": filter — σ(Δ)",
                     "SELECT * FROM " + *in + " s WHERE " + l.expr(*f.predicate, n.inputs[0], "s"));
}

std::optional<std::string> delta_map(lowering& l, int id) {
    const auto& n = l.node(id);
    auto in = l.delta(n.inputs[0]);
    if (!in) return std::nullopt;
    const auto& p = std::get<ir::project>(n.rel->node);
    std::vector<std::string> items;
    for (std::size_t i = 0; i < p.exprs.size(); ++i)
        items.push_back(l.expr(*p.exprs[i], n.inputs[0], "s") + " AS " + sql::ident(l.names(id)[i]));
    items.push_back(weight_col("s"));
    return l.add_cte("d" + std::to_string(id) + "_map", "n" + std::to_string(id) + ": map — π(Δ)",
                     "SELECT " + sql::join(items) + " FROM " + *in + " s");
}

std::optional<std::string> delta_union(lowering& l, int id) {
    const auto& n = l.node(id);
    std::vector<std::string> branches;
    for (int in : n.inputs) {
        auto d = l.delta(in);
        if (!d) continue;
        std::vector<std::string> items;
        for (std::size_t i = 0; i < l.names(id).size(); ++i)
            items.push_back(sql::cast(sql::column("s", l.names(in)[i]), n.rel->columns[i].type) + " AS " +
                            sql::ident(l.names(id)[i]));
        items.push_back(weight_col("s"));
        branches.push_back("SELECT " + sql::join(items) + " FROM " + *d + " s");
    }
    if (branches.empty()) return std::nullopt;
    return l.add_cte("d" + std::to_string(id) + "_union_all",
                     "n" + std::to_string(id) + ": union all — Δ₁ + Δ₂ + …",
                     sql::join(branches, "\nUNION ALL\n"));
}

} // namespace pgt::lower::detail
