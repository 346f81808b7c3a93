// The aggregate strategy: a top-level GROUP BY whose per-group state lives in hidden columns
// of the stream table. A refresh folds the change of each touched group into that state:
//     count' = count + Σw,  sum' = sum + Σw·x,  avg = sum/count of non-NULL inputs,
//     var/stddev from n, Σx, Σx² (exact numbers; PostgreSQL's own arithmetic on them),
//     bit_xor' = bit_xor ⊕ (x of the rows changed an odd number of times),
//     min' = least(min, min of inserted x)   — unless a row of the group was deleted,
// and recomputes from the source only what the state cannot answer: MIN/MAX/BOOL_* of a group
// that lost rows, every other aggregate (STRING_AGG, ARRAY_AGG, JSON_AGG, percentiles,
// DISTINCT, float variances, user-defined ones) of each touched group, and groups hidden by
// HAVING (they are not stored). HAVING and the final expressions are then evaluated on each
// touched group's new state; a group that is empty or fails HAVING is deleted.
#include "strategy.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace pgt::lower::detail {

namespace {

const sql_type int8_type = make_type(type_kind::int8);

const sql_type numeric_type = make_type(type_kind::numeric);

/// The type a SUM/AVG state accumulates in (float4 accumulates in float8, as PostgreSQL does).
sql_type accumulator_type(const ir::agg_call& a) { return sum_type(a.arg()->type); }

bool is_variance(ir::agg_func f) {
    return f == ir::agg_func::var_pop || f == ir::agg_func::var_samp || f == ir::agg_func::stddev_pop ||
           f == ir::agg_func::stddev_samp;
}

std::string prefix(std::size_t i) { return "__pgt_a" + std::to_string(i); }

/// The scales whose inputs a running SUM or AVG counts apart: all its argument's possible
/// scales but the smallest (ir::value_scales). It prints with the largest of them that its
/// present inputs have, else the smallest: PostgreSQL's sum takes its inputs' largest scale.
std::vector<int> counted_scales(const ir::agg_call& a) {
    if (!a.arg_scales || a.arg_scales->size() < 2) return {};
    return {a.arg_scales->begin() + 1, a.arg_scales->end()};
}

/// The state column (under prefix `p`) or change column (under `d`) counting inputs of scale `s`.
std::string scale_count(const std::string& p, int s) { return p + "_s" + std::to_string(s) + "_n"; }

/// State columns of aggregate `i` (count(*) without FILTER uses __pgt_count).
std::vector<storage_column> state_of(const ir::agg_call& a, std::size_t i) {
    const std::string p = prefix(i);
    const std::string what = ir::agg_name(a) + " #" + std::to_string(i + 1);
    switch (ir::maintenance_of(a)) {
    case ir::agg_maintenance::rescan: return {{p, a.type, true, what + ": value, recomputed for touched groups"}};
    case ir::agg_maintenance::extremum: return {{p, a.type, true, what + ": current extremum"}};
    case ir::agg_maintenance::algebraic:
        if (a.func == ir::agg_func::bit_xor)
            return {{p, a.type, true, what + ": running XOR"}, {p + "_nn", int8_type, true, what + ": non-NULL inputs"}};
        return {{p + "_n", int8_type, true, what + ": non-NULL inputs"},
                {p + "_sx", numeric_type, true, what + ": running sum of x"},
                {p + "_sxx", numeric_type, true, what + ": running sum of x²"}};
    case ir::agg_maintenance::linear: break;
    }
    switch (a.func) {
    case ir::agg_func::count_star:
        if (!a.filter) return {};
        [[fallthrough]];
    case ir::agg_func::count: return {{p, int8_type, true, what + ": running count"}};
    default: {
        std::vector<storage_column> cols{{a.func == ir::agg_func::sum ? p : p + "_sum", a.func == ir::agg_func::sum ? a.type : accumulator_type(a),
                                          true, what + ": running sum"},
                                         {p + "_nn", int8_type, true, what + ": non-NULL inputs"}};
        for (int s : counted_scales(a))
            cols.push_back({scale_count(p, s), int8_type, true, what + ": inputs of scale " + std::to_string(s)});
        return cols;
    }
    }
}

/// The per-group state columns of aggregate node `a`: the group's row count, then each call's.
std::vector<storage_column> state_columns(const ir::aggregate& a) {
    std::vector<storage_column> cols{{"__pgt_count", int8_type, true, "rows in the group"}};
    for (std::size_t i = 0; i < a.aggs.size(); ++i)
        for (auto& s : state_of(a.aggs[i], i)) cols.push_back(std::move(s));
    return cols;
}

/// The state column whose value is aggregate `i`'s output as it is (COUNT, SUM, MIN/MAX and the
/// recomputed ones), or empty (AVG, the variances and bit_xor derive their output).
std::string bare_state(const ir::agg_call& call, std::size_t i) {
    switch (ir::maintenance_of(call)) {
    case ir::agg_maintenance::rescan:
    case ir::agg_maintenance::extremum: return prefix(i);
    case ir::agg_maintenance::algebraic: return {};
    case ir::agg_maintenance::linear: break;
    }
    switch (call.func) {
    case ir::agg_func::count_star: return call.filter ? prefix(i) : "__pgt_count";
    case ir::agg_func::count:
    case ir::agg_func::sum: return prefix(i);
    default: return {};
    }
}

/// The top aggregate's state columns that a visible column stores (`options::state_in_output`):
/// by state column, the visible column showing its aggregate unchanged (through the final
/// expressions and HAVING), the first one where several do.
std::map<std::string, std::string> shared_state(const circuit& c) {
    std::map<std::string, std::string> shared;
    const auto& a = std::get<ir::aggregate>(c.nodes[static_cast<std::size_t>(c.state_node)].rel->node);
    const auto& visible = c.query.root->columns;
    for (std::size_t k = 0; k < visible.size(); ++k) {
        int column = static_cast<int>(k);
        for (auto p = c.post.rbegin(); p != c.post.rend() && column >= 0; ++p) {
            const auto& n = c.nodes[static_cast<std::size_t>(*p)];
            if (n.op != circuit_op::map) continue; // HAVING passes its input's columns on
            const auto& e = *std::get<ir::project>(n.rel->node).exprs[static_cast<std::size_t>(column)];
            column = e.kind == ir::expr_kind::column ? e.index : -1;
        }
        const auto keys = static_cast<int>(a.group_by.size());
        if (column < keys) continue;
        const auto i = static_cast<std::size_t>(column - keys);
        if (const std::string state = bare_state(a.aggs[i], i); !state.empty()) shared.emplace(state, visible[k].name);
    }
    return shared;
}

/// One aggregate node maintained from stored per-group state: the top one (`post`: HAVING and
/// final expressions above it, its CTEs unprefixed) or a stored nested one (CTEs prefixed).
struct aggregate_lowering {
    lowering& l;
    int node;
    std::vector<int> post;
    std::string cte_prefix;
    const circuit& c = l.graph();
    int output = post.empty() ? node : post.back();
    int child = l.node(node).inputs[0];
    const ir::aggregate& a = std::get<ir::aggregate>(l.node(node).rel->node);
    bool having = [&] {
        for (int p : post)
            if (l.node(p).op == circuit_op::filter) return true;
        return false;
    }();
    std::string w = sql::ident(weight);
    /// State columns stored in a visible column (shared_state): the top aggregate's, unless
    /// its storage predates that.
    std::map<std::string, std::string> shared =
        cte_prefix.empty() && node == c.state_node && l.opts().state_in_output ? shared_state(c) : std::map<std::string, std::string>{};

    std::string g(std::size_t j) const { return "__pgt_g" + std::to_string(j); }
    /// The stored column holding state column `state`.
    std::string stored_name(const std::string& state) const {
        const auto it = shared.find(state);
        return it == shared.end() ? state : it->second;
    }
    /// The state columns stored apart from the visible ones.
    std::vector<storage_column> hidden_state() const {
        auto cols = state_columns(a);
        std::erase_if(cols, [&](const storage_column& s) { return shared.contains(s.name); });
        return cols;
    }
    std::string arg(const ir::agg_call& call, const std::string& alias) const {
        return l.expr(*call.arg(), child, alias);
    }
    /// The conditions under which a row (through `alias`) counts for the aggregate: its
    /// argument is not NULL, its FILTER, and `extra`.
    std::vector<std::string> row_conditions(const ir::agg_call& call, const std::string& alias, std::vector<std::string> extra) const {
        if (call.func != ir::agg_func::count_star) extra.push_back("(" + arg(call, alias) + ") IS NOT NULL");
        if (call.filter) extra.push_back(l.expr(*call.filter, child, alias));
        return extra;
    }
    /// " FILTER (WHERE …)" for the aggregate's rows, with extra conditions.
    std::string rows_filter(const ir::agg_call& call, const std::string& alias, std::vector<std::string> extra) const {
        auto conditions = row_conditions(call, alias, std::move(extra));
        return conditions.empty() ? "" : " FILTER (WHERE " + sql::join(conditions, " AND ") + ")";
    }
    std::vector<std::string> keys(const std::string& alias) const {
        std::vector<std::string> k;
        for (const auto& e : a.group_by) k.push_back(l.expr(*e, child, alias));
        return k;
    }

    /// State columns computed from scratch over rows `alias` of C.
    std::vector<std::string> full_state(const ir::agg_call& call, const std::string& alias) const {
        switch (ir::maintenance_of(call)) {
        case ir::agg_maintenance::rescan:
        case ir::agg_maintenance::extremum: return {aggregate_call(l, call, child, alias)};
        case ir::agg_maintenance::algebraic: {
            const std::string f = rows_filter(call, alias, {});
            if (call.func == ir::agg_func::bit_xor) return {aggregate_call(l, call, child, alias), "pg_catalog.count(*)" + f};
            const std::string x = sql::cast(arg(call, alias), numeric_type);
            return {"pg_catalog.count(*)" + f, "pg_catalog.sum(" + x + ")" + f, "pg_catalog.sum(" + sql::binary("*", x, x) + ")" + f};
        }
        case ir::agg_maintenance::linear: break;
        }
        const std::string f = rows_filter(call, alias, {});
        switch (call.func) {
        case ir::agg_func::count_star:
            if (!call.filter) return {};
            return {"pg_catalog.count(*)" + f};
        case ir::agg_func::count: return {"pg_catalog.count(*)" + f};
        default: {
            const std::string x = call.func == ir::agg_func::sum ? arg(call, alias) : sql::cast(arg(call, alias), accumulator_type(call));
            std::vector<std::string> state{"pg_catalog.sum(" + x + ")" + f, "pg_catalog.count(*)" + f};
            for (int s : counted_scales(call)) state.push_back("pg_catalog.count(*)" + rows_filter(call, alias, {of_scale(call, alias, s)}));
            return state;
        }
        }
    }

    /// The aggregate's argument (through `alias`) has scale `s`.
    std::string of_scale(const ir::agg_call& call, const std::string& alias, int s) const {
        return sql::binary("=", "pg_catalog.scale(" + arg(call, alias) + ")", std::to_string(s));
    }

    /// A running sum's new value `sum` at the scale its inputs print with, from `count(s)`, the
    /// new count of inputs of each counted scale.
    std::string at_present_scale(const ir::agg_call& call, const std::string& sum,
                                 const std::function<std::string(int)>& count) const {
        const auto counted = counted_scales(call);
        if (counted.empty()) return sum;
        std::string scale = "CASE";
        for (auto s = counted.rbegin(); s != counted.rend(); ++s)
            scale += " WHEN " + sql::binary(">", count(*s), "0") + " THEN " + std::to_string(*s);
        scale += " ELSE " + std::to_string(call.arg_scales->front()) + " END";
        return "pg_catalog.round(" + sum + ", " + scale + ")";
    }

    /// `SELECT keys, count, state FROM rows` with `where` restricting rows.
    std::string state_select(const std::string& from, const std::string& where) const {
        std::vector<std::string> items;
        auto k = keys("s");
        for (std::size_t j = 0; j < k.size(); ++j) items.push_back(k[j] + " AS " + sql::ident(g(j)));
        items.push_back("pg_catalog.count(*) AS \"__pgt_count\"");
        for (std::size_t i = 0; i < a.aggs.size(); ++i) {
            auto cols = state_of(a.aggs[i], i);
            auto exprs = full_state(a.aggs[i], "s");
            for (std::size_t k2 = 0; k2 < cols.size(); ++k2) items.push_back(exprs[k2] + " AS " + sql::ident(cols[k2].name));
        }
        std::string r = "SELECT " + sql::join(items) + " FROM " + from + " s";
        if (!where.empty()) r += " WHERE " + where;
        if (!k.empty()) r += " GROUP BY " + sql::join(k);
        return r;
    }

    /// The value of aggregate `i` from the state columns of alias `st`.
    std::string value(std::size_t i, const std::string& st) const {
        return value(i, [&](const std::string& c) { return sql::column(st, c); });
    }
    /// The value of aggregate `i` from its state columns as `col` renders them.
    std::string value(std::size_t i, const std::function<std::string(const std::string&)>& col) const {
        const auto& call = a.aggs[i];
        const std::string p = prefix(i);
        if (call.func == ir::agg_func::bit_xor && ir::maintenance_of(call) == ir::agg_maintenance::algebraic)
            return "(CASE WHEN " + sql::binary(">", col(p + "_nn"), "0") + " THEN " + col(p) + " END)";
        if (is_variance(call.func) && ir::maintenance_of(call) == ir::agg_maintenance::algebraic) return variance(call, p, col);
        if (ir::maintenance_of(call) == ir::agg_maintenance::rescan) return col(p);
        switch (call.func) {
        case ir::agg_func::count_star:
            return col(call.filter ? p : "__pgt_count");
        case ir::agg_func::avg: {
            // Running averages are of exact numbers (maintenance_of): a numeric quotient.
            const std::string sum = col(p + "_sum"), nn = col(p + "_nn");
            const std::string quotient = sql::binary("/", sql::cast(sum, make_type(type_kind::numeric)),
                                                     sql::cast(nn, make_type(type_kind::numeric)));
            return "(CASE WHEN " + sql::binary(">", nn, "0") + " THEN " + quotient + " END)";
        }
        default: return col(p);
        }
    }

    /// numeric_stddev_internal on the state: (N·Σx² − (Σx)²) / (N·N or N·(N−1)), 0 when the
    /// numerator is not positive, NULL without enough rows; the square root at its scale.
    std::string variance(const ir::agg_call& call, const std::string& p,
                         const std::function<std::string(const std::string&)>& col) const {
        const std::string n = col(p + "_n"), sx = col(p + "_sx"), sxx = col(p + "_sxx");
        const bool sample = call.func == ir::agg_func::var_samp || call.func == ir::agg_func::stddev_samp;
        const std::string num = sql::binary("-", sql::binary("*", sql::cast(n, numeric_type), sxx), sql::binary("*", sx, sx));
        const std::string den = sql::binary("*", sql::cast(n, numeric_type),
                                            sql::cast(sample ? sql::binary("-", n, "1") : n, numeric_type));
        std::string v = sql::binary("/", num, den);
        if (call.func == ir::agg_func::stddev_pop || call.func == ir::agg_func::stddev_samp)
            v = "pg_catalog.round(pg_catalog.sqrt(" + v + "), pg_catalog.scale(" + v + "))";
        return "(CASE WHEN " + (sample ? sql::binary("<=", n, "1") : sql::binary("=", n, "0")) + " THEN NULL WHEN " +
               sql::binary("<=", num, "0") + " THEN CAST(0 AS pg_catalog.numeric) ELSE " + v + " END)";
    }

    /// Visible rows and hidden state from a relation of (__pgt_g*, __pgt_count, state):
    /// the aggregate's output, then HAVING and the final expressions.
    std::string finish(const std::string& state_sql) {
        std::vector<storage_column> hidden = state_columns(a);
        std::vector<std::string> hidden_of_s;
        for (const auto& h : hidden) hidden_of_s.push_back(sql::column("s", h.name));
        const std::string carried = sql::join(hidden_of_s);

        const auto& out = l.names(node);
        std::vector<std::string> items, key_values;
        std::vector<sql_type> key_types;
        for (std::size_t j = 0; j < a.group_by.size(); ++j) {
            key_values.push_back(sql::column("s", g(j)));
            key_types.push_back(a.group_by[j]->type);
        }
        items.push_back(l.row_id(key_values, key_types) + " AS \"__pgt_row_id\"");
        for (std::size_t j = 0; j < key_values.size(); ++j) items.push_back(key_values[j] + " AS " + sql::ident(out[j]));
        for (std::size_t i = 0; i < a.aggs.size(); ++i)
            items.push_back(value(i, "s") + " AS " + sql::ident(out[a.group_by.size() + i]));
        items.push_back(carried);
        items.push_back((a.group_by.empty() ? "true" : sql::binary(">", "s.\"__pgt_count\"", "0")) + " AS \"__pgt_visible\"");
        std::string rel = l.add_cte(cte_prefix + "groups", "n" + std::to_string(node) + ": aggregate output and state per group",
                                    "SELECT " + sql::join(items) + " FROM (" + state_sql + ") s");
        int input = node;
        for (int p : post) {
            const auto& pn = l.node(p);
            std::vector<std::string> cols{"s.\"__pgt_row_id\""};
            std::string visible = "s.\"__pgt_visible\"";
            if (pn.op == circuit_op::filter) {
                cols.push_back(l.column_list(input, "s"));
                visible = "(" + visible + " AND COALESCE(" + l.expr(*std::get<ir::filter>(pn.rel->node).predicate, input, "s") +
                          ", false))";
            } else {
                const auto& exprs = std::get<ir::project>(pn.rel->node).exprs;
                for (std::size_t i = 0; i < exprs.size(); ++i)
                    cols.push_back(l.expr(*exprs[i], input, "s") + " AS " + sql::ident(l.names(p)[i]));
            }
            cols.push_back(carried);
            cols.push_back(visible + " AS \"__pgt_visible\"");
            rel = l.add_cte(cte_prefix + "post" + std::to_string(p),
                            "n" + std::to_string(p) + (pn.op == circuit_op::filter ? ": HAVING — visibility" : ": final expressions"),
                            "SELECT " + sql::join(cols) + " FROM " + rel + " s");
            input = p;
        }
        return "SELECT s.\"__pgt_row_id\", " + l.column_list(output, "s") + ", " + carried +
               ", s.\"__pgt_visible\" FROM " + rel + " s";
    }

    /// +x or −x for a row of known weight (±1).
    static std::string signed_by(int known, const std::string& x) { return known > 0 ? x : sql::negated(x); }

    /// A SUM or AVG call's argument weighted by `sw` (or signed by the known weight), in a type
    /// that cannot overflow before the sum is cast back to the state's `acc` (running sums are
    /// of exact numbers: maintenance_of).
    std::string weighted(const ir::agg_call& call, const sql_type& acc, const std::string& sw, int known) const {
        const bool exact_int8 = is_integer(call.arg()->type.kind) && acc.kind == type_kind::int8;
        const std::string x = sql::cast(arg(call, "s"), exact_int8 ? int8_type : acc);
        if (known) return signed_by(known, x);
        return sql::binary("*", exact_int8 ? sw : sql::cast(sw, acc), x);
    }

    /// Per touched group: the change's contribution to each state column. Over a change of
    /// one row (`lowering::single_row`) there is one group, and each aggregate of the row is
    /// its value where the row counts: no GROUP BY.
    std::string change_summary(const std::string& dc) const {
        const bool one_row = l.single_row(child);
        // A row whose weight the statement knows: its contribution is ±x, no product.
        const int known = one_row ? l.single_row_weight(child) : 0;
        const std::string sw = known == 0 ? "s." + w : sql::cast(known > 0 ? "1" : "-1", int8_type);
        auto signed_term = [&](const std::string& x) { return signed_by(known, x); };
        auto over = [&](const std::string& aggregate, const std::string& x, const std::vector<std::string>& conditions) {
            const std::string when = sql::join(conditions, " AND ");
            if (one_row) return conditions.empty() ? x : "(CASE WHEN " + when + " THEN " + x + " END)";
            return aggregate + "(" + x + ")" + (conditions.empty() ? "" : " FILTER (WHERE " + when + ")");
        };
        auto sum = [&](const std::string& x, const std::vector<std::string>& conditions) {
            return over("pg_catalog.sum", x, conditions);
        };
        // A bigint; of one row never NULL (0 where it does not count): see plus().
        auto count = [&](const std::vector<std::string>& conditions) {
            if (one_row) return conditions.empty() ? sw : "(CASE WHEN " + sql::join(conditions, " AND ") + " THEN " + sw + " ELSE 0 END)";
            return sql::cast(sum(sw, conditions), int8_type);
        };
        // w·x is NULL where x is: one row needs no test of x for the value of a sum.
        auto filters_only = [&](const ir::agg_call& call) {
            return call.filter ? std::vector<std::string>{l.expr(*call.filter, child, "s")} : std::vector<std::string>{};
        };
        std::vector<std::string> items;
        auto k = keys("s");
        for (std::size_t j = 0; j < k.size(); ++j) items.push_back(k[j] + " AS " + sql::ident(g(j)));
        items.push_back(count({}) + " AS \"__pgt_dcount\"");
        for (std::size_t i = 0; i < a.aggs.size(); ++i) {
            const auto& call = a.aggs[i];
            const std::string d = "__pgt_d" + std::to_string(i);
            const auto how = ir::maintenance_of(call);
            if (how == ir::agg_maintenance::rescan) continue; // the group is touched: that is all
            const auto counts = row_conditions(call, "s", {});
            if (how == ir::agg_maintenance::algebraic) {
                items.push_back(count(counts) + " AS " + sql::ident(d + "_n"));
                if (call.func == ir::agg_func::bit_xor) {
                    // x ⊕ x = 0: a row changed an even number of times leaves the XOR as it was.
                    items.push_back(over("pg_catalog.bit_xor", arg(call, "s"),
                                         row_conditions(call, "s", {sql::binary("=", sql::binary("%", "pg_catalog.abs(" + sw + ")", "2"), "1")})) +
                                    " AS " + sql::ident(d));
                    continue;
                }
                const std::string x = sql::cast(arg(call, "s"), numeric_type);
                const std::string wx = known ? signed_term(x) : sql::binary("*", sql::cast(sw, numeric_type), x);
                const std::string wxx = known ? signed_term(sql::binary("*", x, x)) : sql::binary("*", wx, x);
                items.push_back(sum(wx, counts) + " AS " + sql::ident(d + "_sx"));
                items.push_back(sum(wxx, counts) + " AS " + sql::ident(d + "_sxx"));
                continue;
            }
            switch (call.func) {
            case ir::agg_func::count_star:
            case ir::agg_func::count: items.push_back(count(counts) + " AS " + sql::ident(d)); break;
            case ir::agg_func::sum:
            case ir::agg_func::avg: {
                const sql_type acc = call.func == ir::agg_func::sum ? call.type : accumulator_type(call);
                const std::string term = weighted(call, acc, sw, known);
                items.push_back(sql::cast(sum(term, one_row ? filters_only(call) : counts), acc) + " AS " + sql::ident(d));
                items.push_back(count(counts) + " AS " + sql::ident(d + "_nn"));
                for (int sc : counted_scales(call))
                    items.push_back(count(row_conditions(call, "s", {of_scale(call, "s", sc)})) + " AS " + sql::ident(scale_count(d, sc)));
                break;
            }
            default: {
                items.push_back(over("pg_catalog." + ir::agg_name(call), arg(call, "s"), row_conditions(call, "s", {sql::binary(">", sw, "0")})) +
                                " AS " + sql::ident(d + "_ins"));
                items.push_back(over("pg_catalog.bool_or", sql::binary("<", sw, "0"), counts) + " AS " + sql::ident(d + "_del"));
            }
            }
        }
        std::string r = "SELECT " + sql::join(items) + " FROM " + dc + " s";
        if (one_row) return r;
        if (!k.empty()) r += " GROUP BY " + sql::join(k);
        else r += " HAVING " + sql::binary(">", "pg_catalog.count(*)", "0");
        return r;
    }

    /// Whether state column `col` counts rows (the group's, or an aggregate's non-NULL inputs).
    bool counts_rows(const std::string& col) const {
        if (col == "__pgt_count" || col.ends_with("_nn") || col.ends_with("_n")) return true;
        for (std::size_t i = 0; i < a.aggs.size(); ++i)
            if (col == prefix(i)) return a.aggs[i].func == ir::agg_func::count || a.aggs[i].func == ir::agg_func::count_star;
        return false;
    }

    /// Whether state column `col` takes a change by adding it (`plus` in new_state_columns):
    /// row counts and the running sums of SUM, AVG and the variances. Two rows' changes of it
    /// add up before they are folded in.
    bool additive(const std::string& col) const {
        if (counts_rows(col)) return true;
        for (std::size_t i = 0; i < a.aggs.size(); ++i) {
            const auto& call = a.aggs[i];
            const std::string p = prefix(i);
            switch (ir::maintenance_of(call)) {
            case ir::agg_maintenance::linear:
                if ((call.func == ir::agg_func::sum && col == p) || (call.func == ir::agg_func::avg && col == p + "_sum"))
                    return true;
                break;
            case ir::agg_maintenance::algebraic:
                if (call.func != ir::agg_func::bit_xor && (col == p + "_sx" || col == p + "_sxx")) return true;
                break;
            default: break;
            }
        }
        return false;
    }

    /// New state of each touched group: stored state plus change, or a rescan.
    std::string new_state(const std::string& cur) const {
        std::vector<std::string> items;
        for (std::size_t j = 0; j < a.group_by.size(); ++j) items.push_back(sql::column("c", g(j)));
        for (const auto& [name, expr] : new_state_columns(
                 [](const std::string& col) { return sql::column("c", "__pgt_old" + col); },
                 [](const std::string& d) { return sql::column("c", d); }, "c.\"__pgt_existed\"",
                 [&](std::size_t j) { return sql::column("c", g(j)); }))
            items.push_back(expr + " AS " + sql::ident(name));
        return "SELECT " + sql::join(items) + " FROM " + cur + " c";
    }

    /// The new value of each state column of a touched group, named: `old(col)` renders the
    /// stored value (NULL for a group not stored), `change(d)` a column of the change summary,
    /// `existed` whether the group was stored, `key(j)` its j-th key.
    std::vector<std::pair<std::string, std::string>> new_state_columns(
        const std::function<std::string(const std::string&)>& old, const std::function<std::string(const std::string&)>& change,
        const std::string& existed, const std::function<std::string(std::size_t)>& key) const {
        const std::string fast = having ? existed : "true";
        std::vector<std::string> match;
        for (std::size_t j = 0; j < a.group_by.size(); ++j)
            match.push_back(null_safe_eq(l.expr(*a.group_by[j], child, "s"), key(j)));
        const std::string rescan_where = match.empty() ? "" : " WHERE " + sql::join(match, " AND ");
        const std::string source = l.new_sql(child);
        auto rescan = [&](const std::string& expr) { return "(SELECT " + expr + " FROM " + source + " s" + rescan_where + ")"; };
        // A stored group's row counts are never NULL, nor are one row's (change_summary).
        const bool one_row = l.single_row(child);
        auto plus = [&](const std::string& col, const std::string& d) {
            const bool counted = counts_rows(col);
            return sql::binary("+", counted && existed == "true" ? old(col) : "COALESCE(" + old(col) + ", 0)",
                               counted && one_row ? change(d) : "COALESCE(" + change(d) + ", 0)");
        };

        // The stored state answers unless `when` fails; without HAVING, for linear state, always.
        auto choose = [&](const std::string& when, const std::string& updated, const std::string& scratch) {
            if (when == "true") return updated;
            if (when == "false") return rescan(scratch);
            return "CASE WHEN " + when + " THEN " + updated + " ELSE " + rescan(scratch) + " END";
        };
        std::vector<std::pair<std::string, std::string>> items;
        items.emplace_back("__pgt_count", choose(fast, plus("__pgt_count", "__pgt_dcount"), "pg_catalog.count(*)"));
        for (std::size_t i = 0; i < a.aggs.size(); ++i) {
            const auto& call = a.aggs[i];
            const auto cols = state_of(call, i);
            if (cols.empty()) continue; // count(*) is the group's __pgt_count
            const auto scratch = full_state(call, "s");
            const std::string d = "__pgt_d" + std::to_string(i);
            std::vector<std::string> updated;
            std::string when = fast;
            const auto how = ir::maintenance_of(call);
            if (how == ir::agg_maintenance::rescan) {
                items.emplace_back(cols[0].name, rescan(scratch[0]));
                continue;
            }
            if (how == ir::agg_maintenance::algebraic) {
                if (call.func == ir::agg_func::bit_xor)
                    updated = {sql::binary("#", "COALESCE(" + old(cols[0].name) + ", 0)", "COALESCE(" + change(d) + ", 0)"),
                               plus(cols[1].name, d + "_n")};
                else
                    updated = {plus(cols[0].name, d + "_n"), plus(cols[1].name, d + "_sx"), plus(cols[2].name, d + "_sxx")};
                for (std::size_t k = 0; k < cols.size(); ++k) items.emplace_back(cols[k].name, choose(when, updated[k], scratch[k]));
                continue;
            }
            switch (call.func) {
            case ir::agg_func::count_star:
            case ir::agg_func::count: updated = {plus(cols[0].name, d)}; break;
            case ir::agg_func::sum:
            case ir::agg_func::avg: {
                const std::string nn = plus(cols[1].name, d + "_nn");
                const auto count = [&](int sc) { return plus(scale_count(prefix(i), sc), scale_count(d, sc)); };
                const std::string total = at_present_scale(call, plus(cols[0].name, d), count);
                updated = {call.func == ir::agg_func::sum ? "CASE WHEN " + sql::binary(">", nn, "0") + " THEN " + total + " END" : total, nn};
                for (int sc : counted_scales(call)) updated.push_back(count(sc));
                break;
            }
            default: {
                const std::string o = old(cols[0].name), ins = change(d + "_ins");
                when = fast == "false" ? fast : "(" + fast + " AND NOT COALESCE(" + change(d + "_del") + ", false))";
                if (call.func == ir::agg_func::min) updated = {"LEAST(" + o + ", " + ins + ")"};
                else if (call.func == ir::agg_func::max) updated = {"GREATEST(" + o + ", " + ins + ")"};
                else
                    updated = {"COALESCE(" + o + (call.func == ir::agg_func::bool_and ? " AND " : " OR ") + ins + ", " + o +
                               ", " + ins + ")"};
            }
            }
            for (std::size_t k = 0; k < cols.size(); ++k) items.emplace_back(cols[k].name, choose(when, updated[k], scratch[k]));
        }
        return items;
    }

    /// new_state_columns by name.
    std::map<std::string, std::string> new_state(const std::function<std::string(const std::string&)>& old,
                                                 const std::function<std::string(const std::string&)>& change,
                                                 const std::string& existed,
                                                 const std::function<std::string(std::size_t)>& key) const {
        std::map<std::string, std::string> state;
        for (auto& [name, expr] : new_state_columns(old, change, existed, key)) state.emplace(name, std::move(expr));
        return state;
    }

    /// The row id of the group whose keys are the change summary's columns seen through `alias`.
    std::string summary_row_id(const std::string& alias) const {
        std::vector<std::string> values;
        std::vector<sql_type> types;
        for (std::size_t j = 0; j < a.group_by.size(); ++j) {
            values.push_back(sql::column(alias, g(j)));
            types.push_back(a.group_by[j]->type);
        }
        return l.row_id(values, types);
    }

    /// A touched group's stored row from its new state (as `state` renders each state column,
    /// `key(j)` its keys), with HAVING and the final expressions folded into expressions:
    /// row id, the output's columns, the state columns, then whether it is visible.
    std::vector<std::string> stored_row(const std::map<std::string, std::string>& state,
                                        const std::function<std::string(std::size_t)>& key) const {
        auto col = [&](const std::string& c) { return "(" + state.at(c) + ")"; };
        std::vector<std::string> key_values;
        std::vector<sql_type> key_types;
        std::vector<std::string> values; // the node's output columns, then each post node's
        for (std::size_t j = 0; j < a.group_by.size(); ++j) {
            key_values.push_back(key(j));
            key_types.push_back(a.group_by[j]->type);
            values.push_back(key(j));
        }
        for (std::size_t i = 0; i < a.aggs.size(); ++i) values.push_back(value(i, col));
        std::string visible = a.group_by.empty() ? "true" : sql::binary(">", col("__pgt_count"), "0");
        for (int p : post) {
            const auto& pn = l.node(p);
            auto in = [&](int i) { return "(" + values.at(static_cast<std::size_t>(i)) + ")"; };
            if (pn.op == circuit_op::filter) {
                visible = "(" + visible + " AND COALESCE(" + sql::render(*std::get<ir::filter>(pn.rel->node).predicate, in) +
                          ", false))";
                continue;
            }
            std::vector<std::string> next;
            for (const auto& e : std::get<ir::project>(pn.rel->node).exprs) next.push_back(sql::render(*e, in));
            values = std::move(next);
        }
        std::vector<std::string> row{l.row_id(key_values, key_types)};
        for (auto& v : values) row.push_back(std::move(v));
        for (const auto& h : hidden_state()) row.push_back(col(h.name));
        row.push_back(visible);
        return row;
    }
};

} // namespace

std::vector<storage_column> aggregate_state_columns(const circuit& c, const options& opts) {
    lowering l(c, nullptr, opts);
    return aggregate_lowering{l, c.state_node, c.post, ""}.hidden_state();
}

std::vector<std::string> scale_count_columns(const circuit& c) {
    std::vector<std::string> names;
    const auto& a = std::get<ir::aggregate>(c.nodes[static_cast<std::size_t>(c.state_node)].rel->node);
    for (std::size_t i = 0; i < a.aggs.size(); ++i)
        if (ir::maintenance_of(a.aggs[i]) == ir::agg_maintenance::linear)
            for (int s : counted_scales(a.aggs[i])) names.push_back(scale_count(prefix(i), s));
    return names;
}

namespace {

/// Visible rows (row id, output columns, state) of the aggregate from scratch.
std::string full_rows(aggregate_lowering& al) {
    lowering& l = al.l;
    const std::string rows = al.finish(al.state_select(l.new_sql(al.child), ""));
    std::vector<std::string> cols{"f.\"__pgt_row_id\"", l.column_list(al.output, "f")};
    for (const auto& h : al.hidden_state()) cols.push_back(sql::column("f", h.name));
    return "SELECT " + sql::join(cols) + " FROM (" + rows + ") f WHERE f.\"__pgt_visible\"";
}

/// Group keys that are never NULL, for a stored aggregate: its groups are then matched on
/// them (an index PostgreSQL reads in key order), not on their scattered hash.
bool plain_keys(const aggregate_lowering& al) {
    const auto& cols = al.l.node(al.child).rel->columns;
    return !al.cte_prefix.empty() &&
           std::ranges::all_of(al.a.group_by, [&](const ir::expr_ptr& k) {
               return k->kind == ir::expr_kind::column && ir::never_null(*k, cols);
           });
}

/// `t`'s group (a stored row) is `d`'s, a relation whose key values are in `d_keys`.
std::string same_group(const aggregate_lowering& al, const std::vector<std::string>& d_keys, const std::string& d_row_id) {
    if (!plain_keys(al)) return sql::binary("=", "t.\"__pgt_row_id\"", d_row_id);
    std::vector<std::string> eq;
    for (std::size_t j = 0; j < d_keys.size(); ++j)
        eq.push_back(sql::column("t", al.l.names(al.node)[j]) + " = " + d_keys[j]);
    return eq.empty() ? "true" : sql::join(eq, " AND ");
}

/// same_group of a row `d` of a node's output (its row id and key columns).
std::string same_output_group(const aggregate_lowering& al, const std::string& d) {
    std::vector<std::string> keys;
    for (std::size_t j = 0; j < al.a.group_by.size(); ++j) keys.push_back(sql::column(d, al.l.names(al.node)[j]));
    return same_group(al, keys, sql::column(d, "__pgt_row_id"));
}

/// The new output and state of each group the change touches (with `__pgt_visible`), from
/// the state stored in `storage_table`.
std::string touched_groups(aggregate_lowering& al, const std::string& storage_table) {
    lowering& l = al.l;
    const auto dc = l.delta(al.child);
    const std::string summary = l.add_cte(al.cte_prefix + "changed_groups",
                                          "n" + std::to_string(al.node) + ": change per touched group", al.change_summary(*dc));
    std::vector<std::string> key_values, olds;
    std::vector<sql_type> key_types;
    for (std::size_t j = 0; j < al.a.group_by.size(); ++j) {
        key_values.push_back(sql::column("d", al.g(j)));
        key_types.push_back(al.a.group_by[j]->type);
    }
    for (const auto& h : state_columns(al.a))
        olds.push_back(sql::column("t", al.stored_name(h.name)) + " AS " + sql::ident("__pgt_old" + h.name));
    const std::string cur = l.add_cte(
        al.cte_prefix + "stored_groups", "their stored state (the integral kept in " + storage_table + ")",
        "SELECT d.*, t.\"__pgt_row_id\" IS NOT NULL AS \"__pgt_existed\", " + sql::join(olds) + " FROM " + summary +
            " d LEFT JOIN " + storage_table + " t ON " + same_group(al, key_values, l.row_id(key_values, key_types)));
    const std::string next = l.add_cte(al.cte_prefix + "new_state", "new state per touched group", al.new_state(cur));
    return al.finish("SELECT * FROM " + next);
}

} // namespace

std::string aggregate_full_load(lowering& l) {
    const circuit& c = l.graph();
    aggregate_lowering al{l, c.state_node, c.post, ""};
    return l.with(full_rows(al));
}

std::string aggregate_delta(lowering& l, const std::string& storage_table) {
    const circuit& c = l.graph();
    aggregate_lowering al{l, c.state_node, c.post, ""};
    return touched_groups(al, storage_table);
}

namespace {

/// Whether group keys `x` and `y` of type `type` are the same key, as their row ids tell: by the
/// type's own equality where PostgreSQL's catalog has it (the row id's text of equal values is
/// alike), else by that text.
std::string same_key(const std::string& x, const std::string& y, const sql_type& type) {
    if (type.kind != type_kind::other) return null_safe_eq(x, y);
    return null_safe_eq(sql::hash_text(x, type), sql::hash_text(y, type));
}

/// `"col" = value` for each storage column but the row id, from a stored_row.
std::vector<std::string> set_list(const layout& lay, const std::vector<std::string>& row) {
    std::vector<std::string> set;
    for (std::size_t i = 1; i < lay.columns.size(); ++i) set.push_back(sql::ident(lay.columns[i].name) + " = " + row[i]);
    return set;
}

} // namespace

aggregate_merge_statements aggregate_merge(lowering& l, const layout& lay, const std::string& storage_table) {
    const circuit& c = l.graph();
    aggregate_lowering al{l, c.state_node, c.post, ""};
    const auto dc = l.delta(al.child);
    const std::string summary =
        l.add_cte("changed_groups", "n" + std::to_string(al.node) + ": change per touched group", al.change_summary(*dc));
    auto key = [&](std::size_t j) { return sql::column("d", al.g(j)); };
    // The group's new row when it was stored (t: its stored state) and when it was not.
    auto row = [&](bool stored) {
        std::map<std::string, sql_type> types;
        for (const auto& h : state_columns(al.a)) types.emplace(h.name, h.type);
        return al.stored_row(
            al.new_state([&](const std::string& col) { return stored ? sql::column("t", al.stored_name(col)) : sql::cast("NULL", types.at(col)); },
                         [](const std::string& d) { return sql::column("d", d); }, stored ? "true" : "false", key),
            key);
    };
    const auto matched = row(true), unmatched = row(false);
    std::vector<std::string> names;
    for (const auto& col : lay.columns) names.push_back(sql::ident(col.name));
    const std::string set = sql::join(set_list(lay, matched));
    const std::string same = sql::binary("=", "t.\"__pgt_row_id\"", al.summary_row_id("d"));
    aggregate_merge_statements out;
    out.merge = "MERGE INTO " + storage_table + " t USING " + summary + " d ON " + same + " WHEN MATCHED AND NOT " +
                matched.back() + " THEN DELETE WHEN MATCHED THEN UPDATE SET " + set + " WHEN NOT MATCHED AND " +
                unmatched.back() + " THEN INSERT (" + sql::join(names) + ") VALUES (" +
                sql::join(std::vector<std::string>(unmatched.begin(), unmatched.end() - 1)) + ")"; // (all but the visibility)
    // One row touches one group, most often stored and staying: PostgreSQL flattens the row's
    // parameters into an UPDATE through the row id's index, a plan far smaller than the MERGE's.
    if (l.single_row(al.child))
        out.update = "UPDATE " + storage_table + " t SET " + set + " FROM " + summary + " d WHERE " + same + " AND " + matched.back();
    return out;
}

std::string aggregate_pair_update(lowering& first, lowering& second, const layout& lay, const std::string& storage_table) {
    const circuit& c = first.graph();
    aggregate_lowering one{first, c.state_node, c.post, ""}, other{second, c.state_node, c.post, ""};
    const std::string comment = "n" + std::to_string(one.node) + ": change of the group, by the row's ";
    const std::string a = first.add_cte("changed_groups", comment + "old version", one.change_summary(*first.delta(one.child)));
    const std::string b = second.add_cte("changed_groups", comment + "new version", other.change_summary(*second.delta(other.child)));
    // The group's keys as the new version has them (equal to the old's; a key that prints
    // otherwise, numeric 1.0 updated to 1.00, is shown as the query now shows it).
    auto key = [&](std::size_t j) { return sql::column("b", one.g(j)); };
    auto stored = [&](const std::string& col) { return sql::column("t", one.stored_name(col)); };
    // Additive state takes the two changes' sum (NULL counting as 0, as plus() has it); the rest
    // (extremes, XORs) the stored state with the old version's change folded in, then the new's.
    const auto summed = one.new_state(
        stored,
        [](const std::string& d) {
            const std::string x = sql::column("a", d), y = sql::column("b", d);
            // A row's counts are never NULL (change_summary).
            if (d == "__pgt_dcount" || d.ends_with("_nn") || d.ends_with("_n")) return sql::binary("+", x, y);
            return sql::binary("+", "COALESCE(" + x + ", 0)", "COALESCE(" + y + ", 0)");
        },
        "true", key);
    const auto between = one.new_state(stored, [](const std::string& d) { return sql::column("a", d); }, "true", key);
    auto state = one.new_state([&](const std::string& col) { return "(" + between.at(col) + ")"; },
                               [](const std::string& d) { return sql::column("b", d); }, "true", key);
    for (auto& [col, expr] : state)
        if (one.additive(col)) expr = summed.at(col);
    const auto row = one.stored_row(state, key);
    // Both versions in the stored group: its row id once, and their keys alike.
    std::vector<std::string> same{sql::binary("=", "t.\"__pgt_row_id\"", one.summary_row_id("a"))};
    for (std::size_t j = 0; j < one.a.group_by.size(); ++j)
        same.push_back(same_key(sql::column("a", one.g(j)), sql::column("b", one.g(j)), one.a.group_by[j]->type));
    // The group keeps its row count (one row out, one in): without HAVING it stays visible.
    if (one.having) same.push_back(row.back());
    return "UPDATE " + storage_table + " t SET " + sql::join(set_list(lay, row)) + " FROM " + a + " a, " + b + " b WHERE " +
           sql::join(same, " AND ");
}

std::string stored_aggregate_full_load(lowering& l, int id) {
    aggregate_lowering al{l, id, {}, "n" + std::to_string(id) + "_"};
    return l.with(full_rows(al));
}

std::vector<std::string> stored_aggregate_keys(const lowering& l, int id) {
    std::vector<std::string> keys;
    const auto& a = std::get<ir::aggregate>(l.node(id).rel->node);
    for (std::size_t j = 0; j < a.group_by.size(); ++j) keys.push_back(sql::ident(l.names(id)[j]));
    return keys;
}

std::optional<std::string> delta_stored_aggregate(lowering& l, int id, const std::string& state_table) {
    if (!l.delta(l.node(id).inputs[0])) return std::nullopt;
    const std::string tag = "n" + std::to_string(id) + "_";
    aggregate_lowering al{l, id, {}, tag};
    const std::string next = l.add_cte(tag + "touched", "n" + std::to_string(id) + ": new output and state of touched groups",
                                       touched_groups(al, state_table));
    const std::string w = sql::ident(weight);
    const std::string same = same_output_group(al, "n");
    l.set_stored_new(id, "(SELECT " + l.column_list(id, "t") + " FROM " + state_table + " t WHERE NOT EXISTS (SELECT 1 FROM " +
                             next + " n WHERE " + same + ") UNION ALL SELECT " + l.column_list(id, "n") + " FROM " + next +
                             " n WHERE n.\"__pgt_visible\")");
    l.add_state_update(aggregate_apply_ctes(state_table_layout(l, id, state_columns(al.a)), state_table, next, tag,
                                            same_output_group(al, "d")));
    // Groups whose output row prints the same (a MAX the change did not reach) are no change.
    const std::string differs = l.row_prints(id, "t") + " IS DISTINCT FROM " + l.row_prints(id, "n");
    return l.add_cte("d" + std::to_string(id) + "_aggregate",
                     "n" + std::to_string(id) + ": aggregate — new minus stored output of touched groups",
                     "SELECT " + l.column_list(id, "n") + ", 1 AS " + w + " FROM " + next + " n LEFT JOIN " + state_table +
                         " t ON " + same + " WHERE n.\"__pgt_visible\" AND (t.\"__pgt_row_id\" IS NULL OR " + differs +
                         ") UNION ALL SELECT " + l.column_list(id, "t") + ", -1 FROM " + state_table + " t JOIN " + next +
                         " n ON " + same + " WHERE NOT n.\"__pgt_visible\" OR " + differs);
}

} // namespace pgt::lower::detail
