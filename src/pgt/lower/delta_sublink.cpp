// Subqueries in expressions (EXISTS, IN, ANY, ALL, scalar): each row of L carries the value
// v(l, R) of its subquery over the rows of R its condition selects. With L, R the inputs'
// current contents and R₋₁ = R − ΔR, L₋₁ = L − ΔL:
//     Δ = Σ_{l∈ΔL} w·(l, v(l, R))  +  Σ_{l∈L₋₁ touched by ΔR} (l, v(l, R)) − (l, v(l, R₋₁))
// A row of L is touched when some row of ΔR belongs to it (and, for ANY/ALL, can decide it).
// v(l, R₋₁) reads the rows of R that belong to l minus those ΔR added plus those it removed:
// the subquery is re-run for the changed and touched rows of L only, and its per-row counts
// (a row enters or leaves when a count crosses zero) come out of PostgreSQL's own EXISTS,
// ANY and scalar-subquery evaluation, NULL semantics and the 21000 error included.
#include "lowering.hpp"

#include <algorithm>

namespace pgt::lower::detail {

namespace {

struct sublink_parts {
    const lowering& l;
    int id, left, right;
    const ir::sublink& s;

    int left_width() const { return static_cast<int>(l.node(left).rel->columns.size()); }

    tree::expr over(const ir::expr& e, const std::string& la, const std::string& ra) const {
        return tree::rendered(l.join_expr(e, left, la, right, ra));
    }
    tree::expr cond(const std::string& la, const std::string& ra) const {
        return s.condition ? tree::rendered(l.join_condition(*s.condition, left, la, right, ra)) : tree::boolean(true);
    }
    const sql_type& value_type() const { return l.node(id).rel->columns.back().type; }

    bool reads_left_only(const ir::expr& e) const {
        return std::ranges::all_of(ir::referenced_columns(e), [&](int c) { return c < left_width(); });
    }

    /// `lhs op rhs` with lhs over L only and rhs over R only: PostgreSQL's own `op ANY/ALL`.
    bool simple_comparison() const {
        const auto& v = *s.value;
        if (v.kind != ir::expr_kind::op || v.args.size() != 2) return false;
        return reads_left_only(*v.args[0]) &&
               std::ranges::all_of(ir::referenced_columns(*v.args[1]), [&](int c) { return c >= left_width(); });
    }

    /// The subquery's value for the row `la` of L, over the rows `from` (a relation aliased
    /// "r", with R's column names) for which `where` holds.
    tree::expr value(const std::string& la, const tree::relation& from, const tree::expr& where) const {
        auto rows = [&](tree::expr item, std::optional<tree::expr> extra) {
            tree::select q({std::move(item)});
            q.from(from).where(extra ? tree::all_of({where, *extra}) : where);
            return q;
        };
        auto exists = [&](std::optional<tree::expr> extra) { return tree::exists(rows(tree::integer(1), std::move(extra))); };
        switch (s.kind) {
        case ir::sublink_kind::exists: return exists(std::nullopt);
        case ir::sublink_kind::scalar: return tree::cast(tree::scalar(rows(over(*s.value, la, "r"), std::nullopt)), value_type());
        case ir::sublink_kind::any:
        case ir::sublink_kind::all: break;
        }
        const bool any = s.kind == ir::sublink_kind::any;
        if (simple_comparison()) {
            const auto& v = *s.value;
            return tree::quantified(v.name, over(*v.args[0], la, "r"), any, rows(over(*v.args[1], la, "r"), std::nullopt),
                                    v.schema.empty() ? "pg_catalog" : v.schema);
        }
        const tree::expr t = over(*s.value, la, "r");
        return tree::case_when({{exists(any ? t : tree::negation(t)), tree::boolean(any)}, {exists(tree::is_null(t)), tree::null()}},
                               tree::boolean(!any));
    }

    /// A scalar subquery whose R has at most one row per row of L: R has a unique key and the
    /// condition equates each key column with an expression over L. Its value is then a LEFT
    /// JOIN (which PostgreSQL can hash) instead of a subquery run per row, and 21000 cannot occur.
    bool joinable() const {
        if (s.kind != ir::sublink_kind::scalar) return false;
        const auto key = unique_key(*l.node(right).rel);
        if (!key) return false;
        auto left_only = [&](const ir::expr& e) { return reads_left_only(e); };
        return std::ranges::all_of(*key, [&](int k) { return ir::equates_column(s.condition, left_width() + k, left_only); });
    }

    /// An expression over L that a row of R must equal, in column `column` of R, to belong to
    /// (or, for IN / = ANY, to decide) the row of L: R can then be read for the values of that
    /// expression over the rows at hand only. For = ANY both sides must be never NULL (a NULL
    /// comparison's outcome depends on rows of R the restriction would drop).
    struct key_link {
        ir::expr_ptr left;
        int column;
    };
    std::optional<key_link> link() const {
        auto linked = [&](const ir::expr_ptr& e) -> std::optional<key_link> {
            for (const auto& eq : ir::column_equalities(e))
                if (eq.column >= left_width() && reads_left_only(*eq.other)) return key_link{eq.other, eq.column - left_width()};
            return std::nullopt;
        };
        if (auto k = linked(s.condition)) return k;
        if (s.kind != ir::sublink_kind::any) return std::nullopt;
        auto k = linked(s.value);
        if (!k) return std::nullopt;
        const auto& rcol = l.node(right).rel->columns.at(static_cast<std::size_t>(k->column));
        if (!rcol.not_null || !ir::never_null(*k->left, l.node(left).rel->columns)) return std::nullopt;
        return k;
    }

    /// Over Citus (options::uncorrelated_rescans), which runs no subquery per row over a
    /// distributed table, an EXISTS is a count of each row's matches, by a join grouped back.
    bool counted_exists() const { return l.opts().uncorrelated_rescans && s.kind == ir::sublink_kind::exists; }

    /// R's current contents for the rows `rows` (alias `la`) of L: read only for their key
    /// values when R is read once for all of them (a join, or a hashed = ANY) rather than
    /// through a subquery per row, into which PostgreSQL pushes the correlation itself.
    std::string r_for(const std::string& rows, const std::string& la) const {
        const auto k = link();
        const bool read_once = joinable() || (s.kind == ir::sublink_kind::any && simple_comparison() && !s.condition) || counted_exists();
        if (!k || !read_once) return l.new_sql(right);
        return restricted_sql(l, right, k->column, tree::render(tree::select({over(*k->left, la, "r")}).from(rows, la)));
    }

    /// L's current contents, read only for the rows a change `changes` of R can touch: those
    /// whose linked column equals the linked column of one of its rows.
    std::string left_for(const std::string& changes) const {
        const auto k = link();
        if (!k || k->left->kind != ir::expr_kind::column) return l.new_sql(left);
        const std::string& linked = l.names(right).at(static_cast<std::size_t>(k->column));
        return restricted_sql(l, left, k->left->index, tree::render(tree::select({tree::col("d", linked)}).from(changes, "d")));
    }

    /// `relation` (aliased "h", with R's columns) marked so that a LEFT JOIN can tell a match from none.
    tree::query hit(const tree::relation& relation) const {
        tree::select marked(l.columns(right, "h"));
        marked.items.push_back(tree::as(tree::boolean(true), "__pgt_hit"));
        return marked.from(relation);
    }
    /// The joinable subquery's value for the row `la` joined to the marked row `ra`.
    tree::expr joined_value(const std::string& la, const std::string& ra) const {
        return tree::cast(tree::case_when({{tree::col(ra, "__pgt_hit"), over(*s.value, la, ra)}}), value_type());
    }
    /// `rows la LEFT JOIN marked relation ra ON condition`.
    tree::relation join_to(const std::string& rows, const std::string& la, const std::string& relation, const std::string& ra) const {
        return tree::join(tree::from(rows, la), tree::join_kind::left, tree::from(hit(tree::from(relation, "h")), ra), cond(la, ra));
    }

    /// Whether row `da` of ΔR can change the value of row `la` of L.
    tree::expr affects(const std::string& la, const std::string& da) const {
        tree::expr r = cond(la, da);
        if (s.kind != ir::sublink_kind::any && s.kind != ir::sublink_kind::all) return r;
        // ANY depends on its TRUE and NULL tests, ALL on its FALSE and NULL ones.
        std::vector<ir::column> cols = l.node(left).rel->columns;
        const auto& rc = l.node(right).rel->columns;
        cols.insert(cols.end(), rc.begin(), rc.end());
        const tree::expr t = over(*s.value, la, da);
        const bool any = s.kind == ir::sublink_kind::any;
        const tree::expr decides = ir::never_null(*s.value, cols) ? (any ? t : tree::negation(t))
                                                                  : (any ? tree::is_not_false(t) : tree::is_not_true(t));
        return tree::render(r) == tree::render(tree::boolean(true)) ? decides : tree::all_of({r, decides});
    }

    /// The output row: L's columns from `la` and the value `v`.
    std::vector<tree::select_item> select_list(const std::string& la, tree::expr v) const {
        auto items = l.columns_as(left, la, id);
        items.push_back(tree::as(std::move(v), l.names(id).back()));
        return items;
    }
};

} // namespace

std::string sublink_sql(const lowering& l, int id, const std::string& left_rows, bool few) {
    const auto& n = l.node(id);
    sublink_parts p{l, id, n.inputs[0], n.inputs[1], std::get<ir::sublink>(n.rel->node)};
    const std::string r = few ? p.r_for(left_rows, "k") : l.new_sql(p.right);
    tree::select q;
    if (p.joinable()) {
        q.items = p.select_list("l", p.joined_value("l", "r"));
        q.from(p.join_to(left_rows, "l", r, "r"));
    } else {
        q.items = p.select_list("l", p.value("l", tree::from(r, "r"), p.cond("l", "r")));
        q.from(left_rows, "l");
    }
    return tree::parenthesised(q);
}

namespace {

/// The CTE of `touched` (rows of L with their multiplicity), numbered (`__pgt_rn`).
std::string numbered_touched_rows(lowering& l, const sublink_parts& p, const tree::query& touched) {
    tree::call_options numbered;
    numbered.window = true;
    tree::select rows({tree::all("t"), tree::as(tree::aggregate("pg_catalog", "row_number", {}, numbered), "__pgt_rn")});
    rows.from(tree::from(touched, "t"));
    return l.add_cte("d" + std::to_string(p.id) + "_touched",
                     "n" + std::to_string(p.id) + ": rows of L (before ΔL) whose subquery ΔR touches", tree::render(rows));
}

/// touched_rows over Citus (sublink_parts::counted_exists): L₋₁'s rows as a bag first, then
/// those a row of ΔR affects by a join grouped back, not an EXISTS over ΔR per row.
std::string touched_rows_joined(lowering& l, const sublink_parts& p, const std::optional<std::string>& dl, const std::string& dr) {
    tree::select now(l.columns(p.left, "x"));
    now.items.push_back(tree::as(tree::integer(1), "__pgt_m"));
    now.from(p.left_for(dr), "x");
    std::vector<tree::query> parts{now};
    if (dl) {
        tree::select removed(l.columns(p.left, "x"));
        removed.items.emplace_back(tree::negate(tree::col("x", weight)));
        parts.push_back(removed.from(*dl, "x"));
    }
    // (Rows equal but printed apart stay apart, as L keeps them.)
    const tree::expr net = tree::fn("sum", {tree::col("b", "__pgt_m")});
    tree::select bag(l.grouped_columns(p.left, "b"));
    bag.items.push_back(tree::as(tree::cast(net, tree::type_name::catalog("int8")), "__pgt_m"));
    bag.from(tree::from(tree::union_all(std::move(parts)), "b")).group_by(l.consolidation_keys(p.left, "b")).having(tree::ne(net, tree::integer(0)));
    tree::select touched(l.grouped_columns(p.left, "x"));
    touched.items.emplace_back(tree::col("x", "__pgt_m"));
    std::vector<tree::expr> group = l.consolidation_keys(p.left, "x");
    group.push_back(tree::col("x", "__pgt_m"));
    touched.from(tree::join(tree::from(bag, "x"), tree::join_kind::inner, tree::from(dr, "d"), p.affects("x", "d"))).group_by(std::move(group));
    return numbered_touched_rows(l, p, touched);
}

/// The rows of L before ΔL (L₋₁ = L − ΔL, each with its multiplicity `__pgt_m`) that ΔR
/// touches, numbered (`__pgt_rn`): the name of their CTE.
std::string touched_rows(lowering& l, const sublink_parts& p, const std::optional<std::string>& dl, const std::string& dr) {
    if (p.counted_exists()) return touched_rows_joined(l, p, dl, dr);
    const tree::expr touched = tree::exists(tree::select({tree::integer(1)}).from(dr, "d").where(p.affects("x", "d")));
    tree::select now(l.columns(p.left, "x"));
    now.items.push_back(tree::as(tree::integer(1), "__pgt_m"));
    now.from(p.left_for(dr), "x").where(touched);
    tree::query before = now;
    if (dl) {
        // Consolidated: ΔL's old and new versions of a row (from a subquery below, say) would
        // otherwise each be carried as a row of L₋₁, and with every such subquery above it the
        // rows would triple before they cancel.
        tree::select removed(l.columns(p.left, "x"));
        removed.items.emplace_back(tree::negate(tree::col("x", weight)));
        const tree::expr net = tree::fn("sum", {tree::col("b", "__pgt_m")});
        tree::select bag(l.grouped_columns(p.left, "b"));
        bag.items.push_back(tree::as(tree::cast(net, tree::type_name::catalog("int8")), "__pgt_m"));
        before = bag.from(tree::from(tree::union_all({now, removed.from(*dl, "x").where(touched)}), "b"))
                     .group_by(l.images(p.left, "b"))
                     .having(tree::ne(net, tree::integer(0)));
    }
    return numbered_touched_rows(l, p, before);
}

/// R₋₁ = R − ΔR as a bag (equal rows grouped), of the rows of `now_from` (R now, aliased "r")
/// and of ΔR for which `where` holds.
tree::query r_before(const lowering& l, const sublink_parts& p, const tree::relation& now_from, const std::string& dr,
                     const tree::expr& where) {
    tree::select now(l.columns(p.right, "r"));
    now.items.push_back(tree::as(tree::integer(1), weight));
    now.from(now_from).where(where);
    tree::select added(l.columns(p.right, "r"));
    added.items.emplace_back(tree::negate(tree::col("r", weight)));
    added.from(dr, "r").where(where);
    tree::select bag(l.grouped_columns(p.right, "b"));
    bag.from(tree::from(tree::union_all({now, added}), "b"))
        .group_by(l.images(p.right, "b"))
        .having(tree::gt(tree::fn("sum", {tree::col("b", weight)}), tree::integer(0)));
    return bag;
}

/// EXISTS before = its matches now minus d, the weight of its matches in ΔR, are positive:
/// true when d < 0, as now when d = 0, else when it has more than d matches now (counted up
/// to d + 1). d per row by one join, not a scan of ΔR per row.
tree::query exists_values(lowering& l, const sublink_parts& p, const std::string& rows, const tree::relation& now_from,
                          const std::string& dr) {
    tree::select per_row({tree::col("x", "__pgt_rn"), tree::as(tree::fn("sum", {tree::col("d", weight)}), "__pgt_d")});
    per_row.from(tree::join(tree::from(rows, "x"), tree::join_kind::inner, tree::from(dr, "d"), p.cond("x", "d")))
        .group_by({tree::col("x", "__pgt_rn")});
    // Grouped once and kept (not over Citus, which plans such a CTE as a subplan of its own):
    // inlined, PostgreSQL joins it to the touched rows, of which it knows no count, by a
    // nested loop that groups it again for each of them.
    const bool kept = !l.opts().uncorrelated_rescans;
    const std::string matches = l.add_cte("d" + std::to_string(p.id) + "_matches",
                                          "n" + std::to_string(p.id) + ": weight of each touched row's matches in ΔR",
                                          tree::render(per_row), kept);
    const tree::expr d = tree::col("x", "__pgt_d");
    const tree::expr zero = tree::integer(0);
    if (p.counted_exists()) {
        // Its matches now, n, are its matches before plus d.
        const std::string counts =
            l.add_cte("d" + std::to_string(p.id) + "_counted", "n" + std::to_string(p.id) + ": each touched row's matches in R now",
                      tree::render(match_counts(rows, {tree::col("x", "__pgt_rn")}, {tree::col("x", "__pgt_rn")}, p.r_for(rows, "x"), "r", p.cond("x", "r"))),
                      kept);
        const tree::expr n = tree::col("c", "__pgt_n");
        tree::select now({tree::all("x"), tree::as(tree::gt(n, zero), "__pgt_vn"), tree::col("m", "__pgt_d"), tree::as(n, "__pgt_n")});
        now.from(tree::join(tree::join(tree::from(rows, "x"), tree::join_kind::left, tree::from(matches, "m"),
                                       tree::eq(tree::col("m", "__pgt_rn"), tree::col("x", "__pgt_rn"))),
                            tree::join_kind::inner, tree::from(counts, "c"), tree::eq(tree::col("c", "__pgt_rn"), tree::col("x", "__pgt_rn"))));
        const tree::expr before = tree::case_when(
            {{tree::eq(tree::coalesce({d, zero}), zero), tree::col("x", "__pgt_vn")}, {tree::lt(d, zero), tree::boolean(true)}},
            tree::gt(tree::col("x", "__pgt_n"), d));
        return tree::select({tree::all("x"), tree::as(before, "__pgt_vo")}).from(tree::from(now, "x"));
    }
    tree::select first({tree::integer(1)});
    first.from(now_from).where(p.cond("x", "r")).limit(tree::plus(tree::cast(d, tree::type_name::catalog("int8")), tree::integer(1)));
    const tree::expr more_than_d = tree::gt(tree::scalar(tree::select({tree::count_all()}).from(tree::from(first, "c"))), d);
    tree::select now({tree::all("x"), tree::as(p.value("x", now_from, p.cond("x", "r")), "__pgt_vn"), tree::col("m", "__pgt_d")});
    now.from(tree::join(tree::from(rows, "x"), tree::join_kind::left, tree::from(matches, "m"),
                        tree::eq(tree::col("m", "__pgt_rn"), tree::col("x", "__pgt_rn"))));
    const tree::expr before = tree::case_when(
        {{tree::eq(tree::coalesce({d, zero}), zero), tree::col("x", "__pgt_vn")}, {tree::lt(d, zero), tree::boolean(true)}},
        more_than_d);
    return tree::select({tree::all("x"), tree::as(before, "__pgt_vo")}).from(tree::from(now, "x"));
}

/// ΔR's part: the touched rows of L, each with its value now (`__pgt_vn`) and before ΔR
/// (`__pgt_vo`), as (l, v(R)) with the row's multiplicity and (l, v(R₋₁)) with its negation.
tree::query touched_rows_delta(lowering& l, const sublink_parts& p, const std::optional<std::string>& dl, const std::string& dr) {
    const std::string rows = touched_rows(l, p, dl, dr);
    const tree::relation now_from = tree::from(p.r_for(rows, "x"), "r");
    // Joinable: R₋₁ as a whole (still unique on the key), joined like R; otherwise the
    // subquery over the rows of R and R₋₁ belonging to x.
    tree::query values = tree::select();
    if (p.joinable()) {
        tree::select both(
            {tree::all("x"), tree::as(p.joined_value("x", "rn"), "__pgt_vn"), tree::as(p.joined_value("x", "ro"), "__pgt_vo")});
        const tree::relation old_r = tree::from(p.hit(tree::from(r_before(l, p, now_from, dr, tree::boolean(true)), "h")), "ro");
        const tree::relation now_r = p.join_to(rows, "x", p.r_for(rows, "x"), "rn");
        values = both.from(tree::join(now_r, tree::join_kind::left, old_r, p.cond("x", "ro")));
    } else if (p.s.kind == ir::sublink_kind::exists) {
        values = exists_values(l, p, rows, now_from, dr);
    } else {
        const tree::relation old_r = tree::from(r_before(l, p, now_from, dr, p.cond("x", "r")), "r");
        values = tree::select({tree::all("x"), tree::as(p.value("x", now_from, p.cond("x", "r")), "__pgt_vn"),
                               tree::as(p.value("x", old_r, tree::boolean(true)), "__pgt_vo")})
                     .from(rows, "x");
    }
    const auto& mark_type = l.node(p.id).rel->columns.back().type;
    const bool comparable = mark_type.kind != type_kind::unknown;
    const tree::expr vn = tree::col("t", "__pgt_vn"), vo = tree::col("t", "__pgt_vo"), m = tree::col("t", "__pgt_m");
    tree::select term(p.select_list("t", tree::col("v", "__pgt_v")));
    term.items.emplace_back(tree::col("v", weight));
    term.from(tree::cross_join(tree::from(values, "t"),
                               tree::from_values({{vn, m}, {vo, tree::negate(m)}}, "v", {"__pgt_v", weight}, true)));
    if (comparable)
        term.where(tree::negation(tree::rendered(sql::identical(tree::render(vn), tree::render(vo), mark_type))));
    return term;
}

} // namespace

std::optional<std::string> delta_sublink(lowering& l, int id) {
    const auto& n = l.node(id);
    sublink_parts p{l, id, n.inputs[0], n.inputs[1], std::get<ir::sublink>(n.rel->node)};
    const auto dl = l.delta(p.left);
    const auto dr = l.delta(p.right);
    if (!dl && !dr) return std::nullopt;
    std::vector<tree::query> terms;
    if (dl) {
        tree::select term;
        if (p.joinable()) {
            term.items = p.select_list("l", p.joined_value("l", "r"));
            term.from(p.join_to(*dl, "l", p.r_for(*dl, "l"), "r"));
        } else if (p.counted_exists()) {
            // ΔL consolidated (its rows told apart), each row's matches counted.
            const std::string changed = l.add_cte("d" + std::to_string(id) + "_changed",
                                                  "n" + std::to_string(id) + ": ΔL consolidated, whose rows' matches are counted",
                                                  tree::render(l.consolidation(p.left, *dl, "l")));
            auto items = l.grouped_columns(p.left, "x");
            items.emplace_back(tree::col("x", weight));
            auto group = l.consolidation_keys(p.left, "x");
            group.push_back(tree::col("x", weight));
            term.items = p.select_list("l", tree::gt(tree::col("l", "__pgt_n"), tree::integer(0)));
            term.from(tree::from(match_counts(changed, std::move(items), std::move(group), p.r_for(changed, "l"), "r", p.cond("x", "r")), "l"));
        } else {
            term.items = p.select_list("l", p.value("l", tree::from(p.r_for(*dl, "l"), "r"), p.cond("l", "r")));
            term.from(*dl, "l");
        }
        term.items.emplace_back(tree::col("l", weight));
        terms.push_back(term);
    }
    if (dr) terms.push_back(touched_rows_delta(l, p, dl, *dr));
    // With both, the old version of a row of L that ΔL changed and ΔR touches comes out with
    // R's new value twice: removed by the first term, added by the second. Consolidated, they
    // cancel here instead of being carried through every subquery above.
    const bool both = terms.size() == 2;
    const tree::query sum = tree::union_all(std::move(terms));
    return l.add_cte("d" + std::to_string(id) + "_sublink",
                     "n" + std::to_string(id) + ": subquery per row — ΔL with R + touched rows: v(R) − v(R−ΔR)",
                     tree::render(both ? l.consolidation(id, tree::parenthesised(sum), "c") : sum));
}

} // namespace pgt::lower::detail
