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

    tree::expr cond(const std::string& la, const std::string& ra) const {
        return j.condition ? tree::rendered(l.join_condition(*j.condition, left, la, right, ra)) : tree::boolean(true);
    }

    /// Output columns from aliases `la`/`ra`; a side given as "" is NULL-padded.
    std::vector<tree::select_item> select_list(const std::string& la, const std::string& ra) const {
        std::vector<tree::select_item> items;
        const auto& out = l.names(id);
        std::size_t k = 0;
        for (side s : {side::left, side::right}) {
            const std::string& alias = s == side::left ? la : ra;
            const int input = node_of(s);
            const auto& cols = l.graph().nodes[static_cast<std::size_t>(input)].rel->columns;
            for (std::size_t i = 0; i < cols.size(); ++i, ++k)
                items.push_back(tree::as(alias.empty() ? tree::cast(tree::null(), cols[i].type) : tree::col(alias, l.names(input)[i]), out[k]));
        }
        return items;
    }

    /// Side `side`'s current contents for joining with `rows`, rows of the other side: read
    /// only for the values they equate a column of `side` with, where PostgreSQL would not push
    /// the join condition down itself (below DISTINCT, GROUP BY and subqueries), or `always`.
    std::string side_for(side s, const std::string& rows, bool always = false) const {
        const int width = static_cast<int>(l.node(left).rel->columns.size());
        auto on_side = [&](int c) { return (c >= width) == (s == side::right); };
        if (!j.condition) return l.new_sql(node_of(s));
        for (const auto& eq : ir::column_equalities(l.plain_condition(*j.condition, left, right))) {
            if (!on_side(eq.column)) continue;
            const auto refs = ir::referenced_columns(*eq.other);
            if (refs.empty() || !std::ranges::none_of(refs, on_side)) continue;
            const int column = s == side::right ? eq.column - width : eq.column;
            if (!always && !restriction_helps(l, node_of(s), column)) continue;
            tree::select values({tree::rendered(l.join_expr(*eq.other, left, "o", right, "o"))});
            return restricted_sql(l, node_of(s), column, tree::render(values.from(rows, "o")));
        }
        return l.new_sql(node_of(s));
    }

    /// `SELECT select_list(l, r), weight FROM left l JOIN right r ON condition`.
    tree::select joined(const std::string& left_rows, const std::string& right_rows, tree::expr w) const {
        tree::select term(select_list("l", "r"));
        term.items.push_back(tree::as(std::move(w), weight));
        return term.from(tree::join(tree::from(left_rows, "l"), tree::join_kind::inner, tree::from(right_rows, "r"), cond("l", "r")));
    }

    std::vector<tree::query> inner_terms(const std::optional<std::string>& dl, const std::optional<std::string>& dr) const {
        std::vector<tree::query> terms;
        if (dl) terms.push_back(joined(*dl, side_for(side::right, *dl), tree::col("l", weight)));
        if (dr) terms.push_back(joined(side_for(side::left, *dr), *dr, tree::col("r", weight)));
        if (dl && dr) terms.push_back(joined(*dl, *dr, tree::negate(tree::times(tree::col("l", weight), tree::col("r", weight)))));
        return terms;
    }

    /// The other side of `ps`.
    static side other(side ps) { return ps == side::left ? side::right : side::left; }
    /// The join condition between preserved row `pa` of side `ps` and other-side row `oa`.
    tree::expr cond_for(side ps, const std::string& pa, const std::string& oa) const {
        return ps == side::left ? cond(pa, oa) : cond(oa, pa);
    }
    /// Preserved row `pa` of side `ps` NULL-padded as an output row.
    std::vector<tree::select_item> padded(side ps, const std::string& pa) const {
        return ps == side::left ? select_list(pa, "") : select_list("", pa);
    }
    /// `SELECT 1 FROM relation o WHERE` o matches preserved row `pa`.
    tree::select matches(side ps, const std::string& relation, const std::string& pa) const {
        return tree::select({tree::integer(1)}).from(relation, "o").where(cond_for(ps, pa, "o"));
    }
    tree::expr no_match_now(side ps, const std::string& pa) const {
        return tree::negation(tree::exists(matches(ps, l.new_sql(node_of(other(ps))), pa)));
    }

    /// Over Citus (options::uncorrelated_rescans), which runs no subquery per row over a
    /// distributed table: the matches of each preserved row are counted by a join grouped back.
    bool uncorrelated() const { return l.opts().uncorrelated_rescans; }
    /// `rows` (distinct rows of side `ps`, with the columns `extra`), with `__pgt_n`, the number
    /// of their matches in the other side now. The other side is read for the values the rows
    /// equate it with: Citus would otherwise bring all of it to the coordinator for the join.
    tree::select with_match_counts(side ps, const std::string& which, const tree::select& rows, const std::vector<std::string>& extra) const {
        const int p = node_of(ps);
        const std::string preserved = l.add_cte("d" + std::to_string(id) + (ps == side::left ? "_left_" : "_right_") + which,
                                                "n" + std::to_string(id) + ": " + which + " preserved rows, whose matches are counted",
                                                tree::render(rows));
        auto items = l.grouped_columns(p, "x");
        // (Rows equal but printed apart stay apart, as the change keeps them.)
        std::vector<tree::expr> group = l.consolidation_keys(p, "x");
        for (const auto& e : extra) {
            items.emplace_back(tree::col("x", e));
            group.push_back(tree::col("x", e));
        }
        return match_counts(preserved, std::move(items), std::move(group), side_for(other(ps), preserved, true), "o", cond_for(ps, "x", "o"));
    }

    /// Change of the unmatched rows of the preserved side `ps`; the other side's change is `dq`.
    std::vector<tree::query> anti_terms(side ps, const std::optional<std::string>& dp, const std::optional<std::string>& dq) const {
        std::vector<tree::query> terms;
        if (dp && uncorrelated()) {
            tree::select term(padded(ps, "p"));
            term.items.push_back(tree::as(tree::col("p", weight), weight));
            terms.push_back(term.from(tree::from(with_match_counts(ps, "changed", l.consolidation(node_of(ps), *dp, "p"), {weight}), "p"))
                                .where(tree::eq(tree::col("p", "__pgt_n"), tree::integer(0))));
        } else if (dp) {
            tree::select term(padded(ps, "p"));
            term.items.push_back(tree::as(tree::col("p", weight), weight));
            terms.push_back(term.from(*dp, "p").where(no_match_now(ps, "p")));
        }
        if (dq) terms.push_back(flipped(ps, dp, *dq));
        return terms;
    }

    /// Each distinct row of P₋₁ that ΔO touches, with its multiplicity and d, the weight of
    /// its matches in ΔO, summed by a join (not a subquery per row over ΔO). Its status can
    /// only flip when d ≠ 0.
    tree::select touched_rows(side ps, const std::optional<std::string>& dp, const std::string& dq) const {
        const int p = node_of(ps);
        // (A prefilter: the join with ΔO below keeps the touched rows alone. Over Citus it is left
        // out, a subquery per row over ΔO, and P is read for the values ΔO equates it with.)
        const std::optional<tree::expr> touched = uncorrelated() ? std::nullopt : std::optional(tree::exists(matches(ps, dq, "p")));
        tree::select before(l.columns(p, "p"));
        before.items.push_back(tree::as(tree::integer(1), "__pgt_m"));
        before.from(side_for(ps, dq, uncorrelated()), "p");
        if (touched) before.where(*touched);
        std::vector<tree::query> old_p{before};
        if (dp) {
            tree::select removed(l.columns(p, "p"));
            removed.items.emplace_back(tree::negate(tree::col("p", weight)));
            removed.from(*dp, "p");
            if (touched) removed.where(*touched);
            old_p.push_back(removed);
        }
        tree::select distinct_rows(l.grouped_columns(p, "x"));
        distinct_rows.items.push_back(tree::as(tree::fn("sum", {tree::col("x", "__pgt_m")}), "__pgt_m"));
        distinct_rows.from(tree::from(tree::union_all(std::move(old_p)), "x")).group_by(l.images(p, "x"));
        const tree::expr d_sum = tree::fn("sum", {tree::col("o", weight)});
        tree::select rows(l.grouped_columns(p, "x"));
        rows.items.emplace_back(tree::col("x", "__pgt_m"));
        rows.items.push_back(tree::as(d_sum, "__pgt_d"));
        std::vector<tree::expr> group = l.images(p, "x");
        group.push_back(tree::col("x", "__pgt_m"));
        rows.from(tree::join(tree::from(distinct_rows, "x"), tree::join_kind::inner, tree::from(dq, "o"), cond_for(ps, "x", "o")))
            .group_by(std::move(group))
            .having(tree::ne(d_sum, tree::integer(0)));
        return rows;
    }

    /// The rows of P₋₁ whose match status ΔO flips, with the change of their padded rows.
    tree::query flipped(side ps, const std::optional<std::string>& dp, const std::string& dq) const {
        // It had no match before when its matches now number exactly d: never when d < 0,
        // else its current matches are counted up to d + 1 (typically one or two index
        // entries, not all its matches).
        const tree::expr d = tree::col("x", "__pgt_d");
        if (uncorrelated()) {
            // Its matches now, n, are its matches before plus d: none before when n = d.
            const tree::expr n = tree::col("x", "__pgt_n");
            const tree::expr none_before = tree::case_when({{tree::lt(d, tree::integer(0)), tree::boolean(false)}}, tree::eq(n, d));
            const tree::expr flip = tree::minus(tree::cast(tree::eq(n, tree::integer(0)), int4()), tree::cast(none_before, int4()));
            tree::select change(padded(ps, "x"));
            change.items.push_back(tree::as(tree::times(tree::col("x", "__pgt_m"), flip), weight));
            change.from(tree::from(with_match_counts(ps, "touched", touched_rows(ps, dp, dq), {"__pgt_m", "__pgt_d"}), "x"));
            return tree::select({tree::all("")}).from(tree::from(change, "t")).where(tree::ne(tree::col("t", weight), tree::integer(0)));
        }
        tree::select first_matches = matches(ps, l.new_sql(node_of(other(ps))), "x");
        first_matches.limit(tree::plus(tree::cast(d, int8()), tree::integer(1)));
        const tree::expr counted = tree::scalar(tree::select({tree::count_all()}).from(tree::from(first_matches, "m")));
        const tree::expr none_before = tree::case_when({{tree::lt(d, tree::integer(0)), tree::boolean(false)}}, tree::eq(counted, d));
        // Its matches now are its matches before plus d: with d > 0 it has one, unprobed.
        const tree::expr none_now = tree::case_when({{tree::gt(d, tree::integer(0)), tree::boolean(false)}}, no_match_now(ps, "x"));
        const tree::expr flip = tree::minus(tree::cast(none_now, int4()), tree::cast(none_before, int4()));
        tree::select change(padded(ps, "x"));
        change.items.push_back(tree::as(tree::times(tree::col("x", "__pgt_m"), flip), weight));
        change.from(tree::from(touched_rows(ps, dp, dq), "x"));
        return tree::select({tree::all("")}).from(tree::from(change, "t")).where(tree::ne(tree::col("t", weight), tree::integer(0)));
    }

    static tree::type_name int8() { return tree::type_name::catalog("int8"); }
    static tree::type_name int4() { return tree::type_name::catalog("int4"); }
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
                     tree::render(tree::union_all(std::move(terms))));
}

} // namespace pgt::lower::detail
