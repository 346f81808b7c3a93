// Delta rule of joins.
//
// Inner join is bilinear; with L, R the inputs' current contents and ΔL, ΔR their changes,
//     Δ(L ⋈ R) = ΔL ⋈ R + L ⋈ ΔR − ΔL ⋈ ΔR
// (the current-state form of ΔL⋈R₋₁ + L₋₁⋈ΔR + ΔL⋈ΔR, which needs no old state).
//
// An outer join adds, for each preserved side P with other side O, the rows of P without a
// match, padded with NULLs. Its change, with nm(p, O) = "p matches no row of O":
//     Σ_{p∈ΔP} w_p·nm(p, O)                         (changed P rows, judged against O now)
//   + Σ_{p∈P₋₁, p matches ΔO} (nm(p, O) − nm(p, O₋₁))  (P rows whose match status ΔO flips)
// where P₋₁ = P − ΔP and "matches in O₋₁" counts matches in O minus the weights in ΔO.
#include "lowering.hpp"

#include <algorithm>

namespace pgt::lower::detail {

namespace {

/// A join's input by position: its two inputs may be one node (a CTE or view joined to itself).
enum class side { left, right };

struct join_parts {
    lowering& l;
    int id, left, right;
    const ir::join& j;

    int node_of(side s) const { return s == side::left ? left : right; }

    std::string cond(const std::string& la, const std::string& ra) const {
        return j.condition ? l.join_condition(*j.condition, left, la, right, ra) : "true";
    }

    /// Output columns from aliases `la`/`ra`; a side given as "" is NULL-padded.
    std::string select_list(const std::string& la, const std::string& ra) const {
        std::vector<std::string> items;
        const auto& out = l.names(id);
        std::size_t k = 0;
        for (side s : {side::left, side::right}) {
            const std::string& alias = s == side::left ? la : ra;
            const int input = node_of(s);
            const auto& cols = l.graph().nodes[static_cast<std::size_t>(input)].rel->columns;
            for (std::size_t i = 0; i < cols.size(); ++i, ++k) {
                std::string v = alias.empty() ? sql::typed_null(cols[i].type)
                                              : sql::column(alias, l.names(input)[i]);
                items.push_back(v + " AS " + sql::ident(out[k]));
            }
        }
        return sql::join(items);
    }

    /// Side `side`'s current contents for joining with `rows`, rows of the other side: read
    /// only for the values they equate a column of `side` with, where PostgreSQL would not push
    /// the join condition down itself (below DISTINCT, GROUP BY and subqueries).
    std::string side_for(side s, const std::string& rows) const {
        const int width = static_cast<int>(l.node(left).rel->columns.size());
        auto on_side = [&](int c) { return (c >= width) == (s == side::right); };
        if (!j.condition) return l.new_sql(node_of(s));
        for (const auto& eq : ir::column_equalities(l.plain_condition(*j.condition, left, right))) {
            if (!on_side(eq.column)) continue;
            const auto refs = ir::referenced_columns(*eq.other);
            if (refs.empty() || !std::ranges::none_of(refs, on_side)) continue;
            const int column = s == side::right ? eq.column - width : eq.column;
            if (!restriction_helps(l, node_of(s), column)) continue;
            return restricted_sql(l, node_of(s), column,
                                  "SELECT " + l.join_expr(*eq.other, left, "o", right, "o") + " FROM " + rows + " o");
        }
        return l.new_sql(node_of(s));
    }

    std::vector<std::string> inner_terms(const std::optional<std::string>& dl,
                                         const std::optional<std::string>& dr) const {
        std::vector<std::string> terms;
        const std::string w = sql::ident(weight);
        if (dl)
            terms.push_back("SELECT " + select_list("l", "r") + ", l." + w + " AS " + w + " FROM " + *dl +
                            " l JOIN " + side_for(side::right, *dl) + " r ON " + cond("l", "r"));
        if (dr)
            terms.push_back("SELECT " + select_list("l", "r") + ", r." + w + " AS " + w + " FROM " +
                            side_for(side::left, *dr) + " l JOIN " + *dr + " r ON " + cond("l", "r"));
        if (dl && dr)
            terms.push_back("SELECT " + select_list("l", "r") + ", " + sql::negated(sql::binary("*", "l." + w, "r." + w)) + " AS " + w +
                            " FROM " + *dl + " l JOIN " + *dr + " r ON " + cond("l", "r"));
        return terms;
    }

    /// Change of the unmatched rows of the preserved side `ps`; the other side's change is `dq`.
    std::vector<std::string> anti_terms(side ps, const std::optional<std::string>& dp, const std::optional<std::string>& dq) const {
        std::vector<std::string> terms;
        const bool p_left = ps == side::left;
        const int p = node_of(ps), o = node_of(p_left ? side::right : side::left);
        const std::string w = sql::ident(weight);
        // Aliases: the preserved row is "p", the other side "o"; the condition needs them in
        // left/right order.
        auto c = [&](const std::string& pa, const std::string& oa) {
            return p_left ? cond(pa, oa) : cond(oa, pa);
        };
        auto padded = [&](const std::string& pa) { return p_left ? select_list(pa, "") : select_list("", pa); };
        auto no_match_now = [&](const std::string& pa) {
            return "NOT EXISTS (SELECT 1 FROM " + l.new_sql(o) + " o WHERE " + c(pa, "o") + ")";
        };
        if (dp)
            terms.push_back("SELECT " + padded("p") + ", p." + w + " AS " + w + " FROM " + *dp + " p WHERE " +
                            no_match_now("p"));
        if (dq) {
            const std::string touched = "EXISTS (SELECT 1 FROM " + *dq + " o WHERE " + c("p", "o") + ")";
            std::string old_p = "SELECT " + l.column_list(p, "p") + ", 1 AS \"__pgt_m\" FROM " + side_for(ps, *dq) +
                                " p WHERE " + touched;
            if (dp)
                old_p += " UNION ALL SELECT " + l.column_list(p, "p") + ", " + sql::negated("p." + w) + " FROM " + *dp +
                         " p WHERE " + touched;
            // Each distinct touched row of P₋₁ with its multiplicity and d, the weight of its
            // matches in ΔO, summed by a join (not a subquery per row over ΔO). Its status can
            // only flip when d ≠ 0.
            const std::string grouped = l.grouped_column_list(p, "x"), images = l.image_list(p, "x");
            const std::string touched_rows =
                "SELECT " + grouped + ", x.\"__pgt_m\", pg_catalog.sum(o." + w + ") AS \"__pgt_d\" FROM (SELECT " + grouped +
                ", pg_catalog.sum(x.\"__pgt_m\") AS \"__pgt_m\" FROM (" + old_p + ") x GROUP BY " + images +
                ") x JOIN " + *dq + " o ON " + c("x", "o") + " GROUP BY " + images + ", x.\"__pgt_m\" HAVING " +
                sql::binary("<>", "pg_catalog.sum(o." + w + ")", "0");
            // It had no match before when its matches now number exactly d: never when d < 0,
            // else its current matches are counted up to d + 1 (typically one or two index
            // entries, not all its matches).
            const std::string none_before =
                "CASE WHEN " + sql::binary("<", "x.\"__pgt_d\"", "0") + " THEN false ELSE " +
                sql::binary("=",
                            "(SELECT pg_catalog.count(*) FROM (SELECT 1 FROM " + l.new_sql(o) + " o WHERE " + c("x", "o") +
                                " LIMIT " + sql::binary("+", "CAST(x.\"__pgt_d\" AS pg_catalog.int8)", "1") + ") m)",
                            "x.\"__pgt_d\"") +
                " END";
            const std::string flip = sql::binary("-", "CAST(" + no_match_now("x") + " AS pg_catalog.int4)",
                                                 "CAST(" + none_before + " AS pg_catalog.int4)");
            terms.push_back("SELECT * FROM (SELECT " + padded("x") + ", " + sql::binary("*", "x.\"__pgt_m\"", flip) + " AS " + w +
                            " FROM (" + touched_rows + ") x) t WHERE " + sql::binary("<>", "t." + w, "0"));
        }
        return terms;
    }
};

} // namespace

std::optional<std::string> delta_join(lowering& l, int id) {
    const auto& n = l.node(id);
    const auto& j = std::get<ir::join>(n.rel->node);
    join_parts parts{l, id, n.inputs[0], n.inputs[1], j};
    auto dl = l.delta(parts.left);
    auto dr = l.delta(parts.right);
    if (!dl && !dr) return std::nullopt;

    auto terms = parts.inner_terms(dl, dr);
    if (j.kind == ir::join_kind::left || j.kind == ir::join_kind::full)
        for (auto& t : parts.anti_terms(side::left, dl, dr)) terms.push_back(std::move(t));
    if (j.kind == ir::join_kind::right || j.kind == ir::join_kind::full)
        for (auto& t : parts.anti_terms(side::right, dr, dl)) terms.push_back(std::move(t));

    static const char* kinds[] = {"inner", "left", "right", "full"};
    return l.add_cte("d" + std::to_string(id) + "_join",
                     "n" + std::to_string(id) + ": " + kinds[static_cast<int>(j.kind)] +
                         " join — ΔL⋈R + L⋈ΔR − ΔL⋈ΔR" +
                         (j.kind == ir::join_kind::inner ? "" : ", and the change of unmatched rows"),
                     sql::join(terms, "\nUNION ALL\n"));
}

} // namespace pgt::lower::detail
