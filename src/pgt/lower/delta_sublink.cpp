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

    std::string over(const ir::expr& e, const std::string& la, const std::string& ra) const {
        return l.join_expr(e, left, la, right, ra);
    }
    std::string cond(const std::string& la, const std::string& ra) const {
        return s.condition ? l.join_condition(*s.condition, left, la, right, ra) : "true";
    }

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
    std::string value(const std::string& la, const std::string& from, const std::string& where) const {
        auto exists = [&](const std::string& extra) {
            return "EXISTS (SELECT 1 FROM " + from + " WHERE " + where + (extra.empty() ? "" : " AND " + extra) + ")";
        };
        switch (s.kind) {
        case ir::sublink_kind::exists: return exists("");
        case ir::sublink_kind::scalar:
            return sql::cast("(SELECT " + over(*s.value, la, "r") + " FROM " + from + " WHERE " + where + ")",
                             l.node(id).rel->columns.back().type);
        case ir::sublink_kind::any:
        case ir::sublink_kind::all: break;
        }
        const bool any = s.kind == ir::sublink_kind::any;
        if (simple_comparison()) {
            const auto& v = *s.value;
            const std::string schema = v.schema.empty() ? "pg_catalog" : v.schema;
            return "(" + over(*v.args[0], la, "r") + " " + sql::op(v.name, schema) + (any ? " ANY" : " ALL") +
                   " (SELECT " + over(*v.args[1], la, "r") + " FROM " + from + " WHERE " + where + "))";
        }
        const std::string t = over(*s.value, la, "r");
        return "(CASE WHEN " + exists(any ? t : "(NOT " + t + ")") + " THEN " + (any ? "true" : "false") + " WHEN " +
               exists("(" + t + ") IS NULL") + " THEN NULL ELSE " + (any ? "false" : "true") + " END)";
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

    /// R's current contents for the rows `rows` (alias `la`) of L: read only for their key
    /// values when R is read once for all of them (a join, or a hashed = ANY) rather than
    /// through a subquery per row, into which PostgreSQL pushes the correlation itself.
    std::string r_for(const std::string& rows, const std::string& la) const {
        const auto k = link();
        const bool read_once = joinable() || (s.kind == ir::sublink_kind::any && simple_comparison() && !s.condition);
        if (!k || !read_once) return l.new_sql(right);
        return restricted_sql(l, right, k->column, "SELECT " + over(*k->left, la, "r") + " FROM " + rows + " " + la);
    }

    /// L's current contents, read only for the rows a change `changes` of R can touch: those
    /// whose linked column equals the linked column of one of its rows.
    std::string left_for(const std::string& changes) const {
        const auto k = link();
        if (!k || k->left->kind != ir::expr_kind::column) return l.new_sql(left);
        return restricted_sql(l, left, k->left->index,
                              "SELECT " + sql::column("d", l.names(right).at(static_cast<std::size_t>(k->column))) +
                                  " FROM " + changes + " d");
    }

    /// `relation` (with R's columns) marked so that a LEFT JOIN can tell a match from none.
    std::string hit(const std::string& relation) const {
        return "(SELECT " + l.column_list(right, "h") + ", true AS \"__pgt_hit\" FROM " + relation + " h)";
    }
    /// The joinable subquery's value for the row `la` joined to the marked row `ra`.
    std::string joined_value(const std::string& la, const std::string& ra) const {
        return sql::cast("CASE WHEN " + ra + ".\"__pgt_hit\" THEN " + over(*s.value, la, ra) + " END",
                         l.node(id).rel->columns.back().type);
    }
    /// `FROM rows la LEFT JOIN marked relation ra ON condition`.
    std::string join_to(const std::string& rows, const std::string& la, const std::string& relation, const std::string& ra) const {
        return rows + " " + la + " LEFT JOIN " + hit(relation) + " " + ra + " ON " + cond(la, ra);
    }

    /// Whether row `da` of ΔR can change the value of row `la` of L.
    std::string affects(const std::string& la, const std::string& da) const {
        std::string r = cond(la, da);
        if (s.kind != ir::sublink_kind::any && s.kind != ir::sublink_kind::all) return r;
        // ANY depends on its TRUE and NULL tests, ALL on its FALSE and NULL ones.
        std::vector<ir::column> cols = l.node(left).rel->columns;
        const auto& rc = l.node(right).rel->columns;
        cols.insert(cols.end(), rc.begin(), rc.end());
        const std::string t = over(*s.value, la, da);
        const bool any = s.kind == ir::sublink_kind::any;
        const std::string decides = ir::never_null(*s.value, cols) ? (any ? t : "(NOT " + t + ")")
                                                                   : "(" + t + (any ? ") IS NOT FALSE" : ") IS NOT TRUE");
        return r == "true" ? decides : "(" + r + " AND " + decides + ")";
    }

    /// The output row: L's columns from `la` and the value `v`.
    std::string select_list(const std::string& la, const std::string& v) const {
        const auto& out = l.names(id);
        const auto& in = l.names(left);
        std::vector<std::string> items;
        for (std::size_t i = 0; i < in.size(); ++i) items.push_back(sql::column(la, in[i]) + " AS " + sql::ident(out[i]));
        items.push_back(v + " AS " + sql::ident(out.back()));
        return sql::join(items);
    }
};

} // namespace

std::string sublink_sql(const lowering& l, int id, const std::string& left_rows, bool few) {
    const auto& n = l.node(id);
    sublink_parts p{l, id, n.inputs[0], n.inputs[1], std::get<ir::sublink>(n.rel->node)};
    const std::string r = few ? p.r_for(left_rows, "k") : l.new_sql(p.right);
    if (p.joinable())
        return "(SELECT " + p.select_list("l", p.joined_value("l", "r")) + " FROM " + p.join_to(left_rows, "l", r, "r") + ")";
    return "(SELECT " + p.select_list("l", p.value("l", r + " r", p.cond("l", "r"))) + " FROM " + left_rows + " l)";
}

std::optional<std::string> delta_sublink(lowering& l, int id) {
    const auto& n = l.node(id);
    sublink_parts p{l, id, n.inputs[0], n.inputs[1], std::get<ir::sublink>(n.rel->node)};
    const auto dl = l.delta(p.left);
    const auto dr = l.delta(p.right);
    if (!dl && !dr) return std::nullopt;
    const std::string w = sql::ident(weight);
    std::vector<std::string> terms;
    const bool joinable = p.joinable();
    if (dl && joinable)
        terms.push_back("SELECT " + p.select_list("l", p.joined_value("l", "r")) + ", l." + w + " FROM " +
                        p.join_to(*dl, "l", p.r_for(*dl, "l"), "r"));
    else if (dl)
        terms.push_back("SELECT " + p.select_list("l", p.value("l", p.r_for(*dl, "l") + " r", p.cond("l", "r"))) + ", l." +
                        w + " FROM " + *dl + " l");
    if (dr) {
        const std::string touched = "EXISTS (SELECT 1 FROM " + *dr + " d WHERE " + p.affects("x", "d") + ")";
        const std::string lcols = l.column_list(p.left, "x");
        std::string before = "SELECT " + lcols + ", 1 AS \"__pgt_m\" FROM " + p.left_for(*dr) + " x WHERE " + touched;
        if (dl) before += " UNION ALL SELECT " + lcols + ", " + sql::negated("x." + w) + " FROM " + *dl + " x WHERE " + touched;
        const std::string rows = l.add_cte("d" + std::to_string(id) + "_touched",
                                           "n" + std::to_string(id) + ": rows of L (before ΔL) whose subquery ΔR touches",
                                           "SELECT t.*, pg_catalog.row_number() OVER () AS \"__pgt_rn\" FROM (" + before + ") t");
        const std::string now_from = p.r_for(rows, "x") + " r";
        // R₋₁ = R − ΔR as a bag (equal rows grouped), of the rows for which `where` holds.
        const std::string rcols = l.column_list(p.right, "r");
        auto r_before = [&](const std::string& where) {
            return "(SELECT " + l.grouped_column_list(p.right, "b") + " FROM (SELECT " + rcols + ", 1 AS " + w + " FROM " + now_from +
                   " WHERE " + where + " UNION ALL SELECT " + rcols + ", " + sql::negated("r." + w) + " FROM " + *dr + " r WHERE " + where +
                   ") b GROUP BY " + l.image_list(p.right, "b") + " HAVING " + sql::binary(">", "pg_catalog.sum(b." + w + ")", "0") +
                   ")";
        };
        const auto& mark_type = n.rel->columns.back().type;
        const bool comparable = mark_type.kind != type_kind::unknown;
        // Joinable: R₋₁ as a whole (still unique on the key), joined like R; otherwise the
        // subquery over the rows of R and R₋₁ belonging to x.
        std::string values;
        if (joinable) {
            values = "SELECT x.*, " + p.joined_value("x", "rn") + " AS \"__pgt_vn\", " + p.joined_value("x", "ro") +
                     " AS \"__pgt_vo\" FROM " + p.join_to(rows, "x", p.r_for(rows, "x"), "rn") + " LEFT JOIN " +
                     p.hit(r_before("true")) + " ro ON " + p.cond("x", "ro");
        } else if (p.s.kind == ir::sublink_kind::exists) {
            // EXISTS before = its matches now minus d, the weight of its matches in ΔR, are
            // positive: true when d < 0, as now when d = 0, else when it has more than d matches
            // now (counted up to d + 1). d per row by one join, not a scan of ΔR per row.
            const std::string matches = l.add_cte(
                "d" + std::to_string(id) + "_matches", "n" + std::to_string(id) + ": weight of each touched row's matches in ΔR",
                "SELECT x.\"__pgt_rn\", pg_catalog.sum(d." + w + ") AS \"__pgt_d\" FROM " + rows + " x JOIN " + *dr + " d ON " +
                    p.cond("x", "d") + " GROUP BY x.\"__pgt_rn\"");
            const std::string more_than_d = sql::binary(
                ">",
                "(SELECT pg_catalog.count(*) FROM (SELECT 1 FROM " + now_from + " WHERE " + p.cond("x", "r") + " LIMIT " +
                    sql::binary("+", "CAST(x.\"__pgt_d\" AS pg_catalog.int8)", "1") + ") c)",
                "x.\"__pgt_d\"");
            values = "SELECT x.*, CASE WHEN " + sql::binary("=", "COALESCE(x.\"__pgt_d\", 0)", "0") + " THEN x.\"__pgt_vn\" WHEN " +
                     sql::binary("<", "x.\"__pgt_d\"", "0") + " THEN true ELSE " + more_than_d +
                     " END AS \"__pgt_vo\" FROM (SELECT x.*, " + p.value("x", now_from, p.cond("x", "r")) +
                     " AS \"__pgt_vn\", m.\"__pgt_d\" FROM " + rows + " x LEFT JOIN " + matches + " m ON " +
                     sql::binary("=", "m.\"__pgt_rn\"", "x.\"__pgt_rn\"") + ") x";
        } else {
            values = "SELECT x.*, " + p.value("x", now_from, p.cond("x", "r")) + " AS \"__pgt_vn\", " +
                     p.value("x", r_before(p.cond("x", "r")) + " r", "true") + " AS \"__pgt_vo\" FROM " + rows + " x";
        }
        terms.push_back("SELECT " + p.select_list("t", "v.\"__pgt_v\"") + ", v." + w + " FROM (" + values +
                        ") t CROSS JOIN LATERAL (VALUES (t.\"__pgt_vn\", t.\"__pgt_m\"), (t.\"__pgt_vo\", " + sql::negated("t.\"__pgt_m\"") + ")) v(\"__pgt_v\", " +
                        w + ")" + (comparable ? " WHERE NOT " + sql::identical("t.\"__pgt_vn\"", "t.\"__pgt_vo\"", mark_type) : ""));
    }
    return l.add_cte("d" + std::to_string(id) + "_sublink",
                     "n" + std::to_string(id) + ": subquery per row — ΔL with R + touched rows: v(R) − v(R−ΔR)",
                     sql::join(terms, "\nUNION ALL\n"));
}

} // namespace pgt::lower::detail
