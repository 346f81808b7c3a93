// Human-readable rendering of the IR, for pgtc explain and explain_st.
#include <algorithm>
#include <map>
#include <sstream>

#include "pgt/ir/rel.hpp"
#include "pgt/typing.hpp"

namespace pgt::ir {

rel_ptr make_rel(rel_node node, std::vector<rel_ptr> inputs, std::vector<column> columns) {
    auto r = std::make_shared<rel>();
    r->node = std::move(node);
    r->inputs = std::move(inputs);
    r->columns = std::move(columns);
    return r;
}

const std::string& agg_name(const agg_call& a) { return a.name; }

tie_effect ties_effect(const window_call& c) {
    auto named = [&](std::initializer_list<const char*> names) {
        return c.schema == "pg_catalog" && std::ranges::any_of(names, [&](const char* n) { return c.name == n; });
    };
    if (named({"row_number", "ntile", "lag", "lead"})) return tie_effect::order;
    if (named({"rank", "dense_rank", "percent_rank", "cume_dist"})) return tie_effect::none;
    const auto& f = c.frame;
    const bool peer_exclusion = f.exclude == window_frame::exclusion::group || f.exclude == window_frame::exclusion::ties;
    if (f.units == window_frame::unit::rows) return peer_exclusion ? tie_effect::peers : tie_effect::order;
    // A frame of whole peer groups: the set of its rows does not depend on their order, the
    // value of an aggregate that ignores the order of its input does not either.
    const bool order_insensitive = named({"count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "bit_and",
                                          "bit_or", "bit_xor", "var_pop", "var_samp", "variance", "stddev_pop",
                                          "stddev_samp", "stddev", "covar_pop", "covar_samp", "corr", "regr_avgx",
                                          "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope",
                                          "regr_sxx", "regr_sxy", "regr_syy"});
    return order_insensitive ? tie_effect::none : tie_effect::peers;
}

agg_maintenance maintenance_of(const agg_call& a) {
    switch (a.func) {
    case agg_func::count_star:
    case agg_func::count: return a.distinct ? agg_maintenance::rescan : agg_maintenance::linear;
    case agg_func::sum:
    case agg_func::avg:
        // Running sums of exact numbers whose inputs are counted by scale (the largest scale
        // present is the one to print: 1.5 + 2 − 1.5 is 2.0, PostgreSQL's sum of 2 alone is 2):
        // apart where the possible scales are known, in one number for a plain numeric. A
        // float's running sum drifts in its last digits from a fresh one, and sum(money),
        // sum(interval) or a user-defined type's have no w·x: those are recomputed for the
        // groups a change touches.
        return a.distinct || (!a.arg_scales && !a.encodes_scales) ? agg_maintenance::rescan : agg_maintenance::linear;
    case agg_func::min:
    case agg_func::max:
    case agg_func::bool_and:
    case agg_func::bool_or: return agg_maintenance::extremum; // DISTINCT changes nothing
    case agg_func::var_pop:
    case agg_func::var_samp:
    case agg_func::stddev_pop:
    case agg_func::stddev_samp:
        // Exact sums of x and x² give PostgreSQL's numeric result; float ones use the
        // order-dependent Youngs–Cramer update, which only a rescan reproduces.
        return !a.distinct && (is_integer(a.arg()->type.kind) || a.arg()->type.kind == type_kind::numeric)
                   ? agg_maintenance::algebraic
                   : agg_maintenance::rescan;
    case agg_func::bit_xor:
        return !a.distinct && is_integer(a.arg()->type.kind) ? agg_maintenance::algebraic : agg_maintenance::rescan;
    case agg_func::other: break;
    }
    return agg_maintenance::rescan;
}

std::string set_op_name(const set_operation& s) {
    return std::string(s.kind == set_op_kind::intersect ? "INTERSECT" : "EXCEPT") + (s.all ? " ALL" : "");
}

namespace {

const char* sublink_name(sublink_kind k) {
    switch (k) {
    case sublink_kind::exists: return "EXISTS";
    case sublink_kind::any: return "ANY";
    case sublink_kind::all: return "ALL";
    case sublink_kind::scalar: return "SCALAR";
    }
    return "?";
}

std::string join_args(const std::vector<expr_ptr>& args, const std::vector<column>* names,
                      std::size_t from = 0) {
    std::string r;
    for (std::size_t i = from; i < args.size(); ++i) {
        if (i > from) r += ", ";
        r += to_string(*args[i], names);
    }
    return r;
}

const char* join_name(join_kind k) {
    switch (k) {
    case join_kind::inner: return "inner";
    case join_kind::left: return "left";
    case join_kind::right: return "right";
    case join_kind::full: return "full";
    }
    return "?";
}

std::string column_list(const std::vector<column>& cols) {
    std::string r;
    for (std::size_t i = 0; i < cols.size(); ++i) r += (i ? ", " : "") + cols[i].name;
    return r;
}

std::string window_text(const window_call& c, const std::vector<column>* in) {
    std::string r = c.name + "(" + (c.star ? "*" : join_args(c.args, in)) + ")";
    if (c.filter) r += " FILTER (WHERE " + to_string(*c.filter, in) + ")";
    std::vector<std::string> over;
    if (!c.partition_by.empty()) over.push_back("PARTITION BY " + join_args(c.partition_by, in));
    if (!c.order_by.empty()) {
        std::string k = "ORDER BY ";
        for (std::size_t i = 0; i < c.order_by.size(); ++i)
            k += (i ? ", " : "") + to_string(*c.order_by[i].expr, in) + (c.order_by[i].descending ? " DESC" : "");
        over.push_back(k);
    }
    const std::string frame = frame_text(c.frame, [&](const expr& e) { return to_string(e, in); });
    if (!frame.empty()) over.push_back(frame);
    std::string o;
    for (std::size_t i = 0; i < over.size(); ++i) o += (i ? " " : "") + over[i];
    return r + " OVER (" + o + ")";
}

std::string call_text(const agg_call& a, const std::vector<column>* in) {
    std::string r = a.name + "(" + (a.distinct ? "DISTINCT " : "");
    r += a.func == agg_func::count_star ? "*" : join_args(a.args, in);
    auto keys = [&] {
        std::string k = "ORDER BY ";
        for (std::size_t i = 0; i < a.order_by.size(); ++i)
            k += (i ? ", " : "") + to_string(*a.order_by[i].expr, in) + (a.order_by[i].descending ? " DESC" : "");
        return k;
    };
    if (!a.order_by.empty() && !a.within_group) r += " " + keys();
    r += ")";
    if (a.within_group) r += " WITHIN GROUP (" + keys() + ")";
    if (a.filter) r += " FILTER (WHERE " + to_string(*a.filter, in) + ")";
    return r;
}

/// How many operators read each operator of a tree: a subtree read in several places (a CTE,
/// a lifted subquery's outer rows) is one object.
void count_readers(const rel& r, std::map<const rel*, int>& readers) {
    for (const auto& i : r.inputs)
        if (++readers[i.get()] == 1) count_readers(*i, readers);
}

/// Prints operators with their inputs indented below them. A subtree read in several places is
/// printed once, numbered, and named by its number where it is read again: spelled out each
/// time, nested subqueries that read the rows below them would double the text at each level.
struct printer {
    std::ostringstream out;
    std::map<const rel*, int> readers;
    std::map<const rel*, int> numbers;

    void print(const rel& r, int depth);
};

void printer::print(const rel& r, int depth) {
    out << std::string(static_cast<std::size_t>(depth) * 2, ' ');
    int number = 0; // a shared subtree's, from its first print on
    if (!r.inputs.empty() && readers[&r] > 1) {
        if (auto it = numbers.find(&r); it != numbers.end()) {
            out << "Shared #" << it->second << "  → (" << column_list(r.columns) << ")\n";
            return;
        }
        number = static_cast<int>(numbers.size()) + 1;
        numbers.emplace(&r, number);
    }
    const std::vector<column>* in = r.inputs.empty() ? nullptr : &r.inputs[0]->columns;
    std::vector<column> joined;
    if (r.inputs.size() == 2) {
        joined = r.inputs[0]->columns;
        joined.insert(joined.end(), r.inputs[1]->columns.begin(), r.inputs[1]->columns.end());
        in = &joined;
    }
    std::visit(
        [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, scan>) {
                out << "Scan " << n.source->schema << "." << n.source->name;
                if (!n.alias.empty() && n.alias != n.source->name) out << " AS " << n.alias;
                out << (n.source->primary_key.empty() ? " [keyless]" : "");
            } else if constexpr (std::is_same_v<T, filter>) {
                out << "Filter " << to_string(*n.predicate, in);
            } else if constexpr (std::is_same_v<T, project>) {
                out << "Project ";
                for (std::size_t i = 0; i < n.exprs.size(); ++i)
                    out << (i ? ", " : "") << to_string(*n.exprs[i], in) << " AS " << r.columns[i].name;
            } else if constexpr (std::is_same_v<T, join>) {
                out << "Join " << join_name(n.kind);
                if (n.condition) out << " ON " << to_string(*n.condition, in);
            } else if constexpr (std::is_same_v<T, aggregate>) {
                out << "Aggregate";
                if (!n.group_by.empty()) out << " GROUP BY " << join_args(n.group_by, in);
                out << " [";
                for (std::size_t i = 0; i < n.aggs.size(); ++i) out << (i ? ", " : "") << call_text(n.aggs[i], in);
                out << "]";
            } else if constexpr (std::is_same_v<T, distinct>) {
                out << "Distinct";
            } else if constexpr (std::is_same_v<T, union_all>) {
                out << "UnionAll";
            } else if constexpr (std::is_same_v<T, sublink>) {
                out << "Sublink " << sublink_name(n.kind);
                if (n.condition) out << " WHERE " << to_string(*n.condition, in);
                if (n.value) out << (n.kind == sublink_kind::scalar ? " VALUE " : " TEST ") << to_string(*n.value, in);
            } else if constexpr (std::is_same_v<T, set_operation>) {
                out << (n.kind == set_op_kind::intersect ? "Intersect" : "Except") << (n.all ? " All" : "");
            } else if constexpr (std::is_same_v<T, window>) {
                out << "Window [";
                for (std::size_t i = 0; i < n.calls.size(); ++i) out << (i ? ", " : "") << window_text(n.calls[i], in);
                out << "]";
            } else if constexpr (std::is_same_v<T, table_function>) {
                out << (n.outer ? "TableFunction Outer " : "TableFunction ");
                for (std::size_t i = 0; i < n.calls.size(); ++i)
                    out << (i ? ", " : "") << n.calls[i].name << "(" << join_args(n.calls[i].args, in) << ")";
                if (n.ordinality) out << " WITH ORDINALITY";
            } else if constexpr (std::is_same_v<T, recursive>) {
                out << "Recursive " << n.name << (n.distinct ? " UNION" : " UNION ALL");
            } else if constexpr (std::is_same_v<T, recursive_ref>) {
                out << "RecursiveRef " << n.name;
            } else if constexpr (std::is_same_v<T, values>) {
                out << "Values";
                for (std::size_t i = 0; i < n.rows.size(); ++i) out << (i ? ", (" : " (") << join_args(n.rows[i], in) << ")";
            }
        },
        r.node);
    if (number) out << " [shared #" << number << "]";
    out << "  → (" << column_list(r.columns) << ")\n";
    for (const auto& i : r.inputs) print(*i, depth + 1);
}

} // namespace

std::string to_string(const rel& r) {
    printer p;
    count_readers(r, p.readers);
    p.print(r, 0);
    return p.out.str();
}

std::string to_string(const expr& e, const std::vector<column>* names) {
    auto arg = [&](std::size_t i) { return to_string(*e.args.at(i), names); };
    switch (e.kind) {
    case expr_kind::column:
        if (names && e.index >= 0 && static_cast<std::size_t>(e.index) < names->size())
            return (*names)[static_cast<std::size_t>(e.index)].name;
        return "$" + std::to_string(e.index);
    case expr_kind::constant:
        return e.literal ? "'" + *e.literal + "'" : "NULL";
    case expr_kind::op:
        if (e.args.size() == 1) return "(" + e.name + " " + arg(0) + ")";
        return "(" + arg(0) + " " + e.name + " " + arg(1) + ")";
    case expr_kind::func: return e.name + "(" + join_args(e.args, names) + ")";
    case expr_kind::and_:
    case expr_kind::or_: {
        std::string r = "(";
        for (std::size_t i = 0; i < e.args.size(); ++i)
            r += (i ? (e.kind == expr_kind::and_ ? " AND " : " OR ") : "") + arg(i);
        return r + ")";
    }
    case expr_kind::not_: return "(NOT " + arg(0) + ")";
    case expr_kind::case_: {
        std::string r = "CASE";
        std::size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
        for (std::size_t i = 0; i < pairs; ++i) r += " WHEN " + arg(2 * i) + " THEN " + arg(2 * i + 1);
        if (e.has_else) r += " ELSE " + arg(e.args.size() - 1);
        return r + " END";
    }
    case expr_kind::coalesce: return "COALESCE(" + join_args(e.args, names) + ")";
    case expr_kind::nullif: return "NULLIF(" + join_args(e.args, names) + ")";
    case expr_kind::greatest: return "GREATEST(" + join_args(e.args, names) + ")";
    case expr_kind::least: return "LEAST(" + join_args(e.args, names) + ")";
    case expr_kind::is_null: return "(" + arg(0) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case expr_kind::is_distinct_from:
        return "(" + arg(0) + (e.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") + arg(1) + ")";
    case expr_kind::in_list:
        return "(" + arg(0) + (e.negated ? " NOT IN (" : " IN (") + join_args(e.args, names, 1) + "))";
    case expr_kind::cast: return "CAST(" + arg(0) + " AS " + (e.type.name.empty() ? typing::display_name(e.type) : e.type.name) + ")";
    case expr_kind::array: return "ARRAY[" + join_args(e.args, names) + "]";
    case expr_kind::subscript:
    case expr_kind::slice: {
        std::string r = arg(0);
        const std::size_t step = e.kind == expr_kind::slice ? 2 : 1;
        for (std::size_t i = 1; i + step - 1 < e.args.size(); i += step) r += "[" + arg(i) + (step == 2 ? ":" + arg(i + 1) : "") + "]";
        return r;
    }
    case expr_kind::field: return "(" + arg(0) + ")." + e.name;
    case expr_kind::row: return "ROW(" + join_args(e.args, names) + ")";
    case expr_kind::collate: return "(" + arg(0) + " COLLATE " + e.name + ")";
    case expr_kind::op_any:
    case expr_kind::op_all: return "(" + arg(0) + " " + e.name + (e.kind == expr_kind::op_any ? " ANY (" : " ALL (") + arg(1) + "))";
    }
    return "?";
}

std::string frame_text(const window_frame& f, const std::function<std::string(const expr&)>& offset) {
    if (f.is_default()) return "";
    using b = window_frame::bound;
    auto bound = [&](b x, const expr_ptr& off) -> std::string {
        switch (x) {
        case b::unbounded_preceding: return "UNBOUNDED PRECEDING";
        case b::offset_preceding: return offset(*off) + " PRECEDING";
        case b::current_row: return "CURRENT ROW";
        case b::offset_following: return offset(*off) + " FOLLOWING";
        case b::unbounded_following: return "UNBOUNDED FOLLOWING";
        }
        return "";
    };
    const char* units = f.units == window_frame::unit::rows ? "ROWS" : f.units == window_frame::unit::groups ? "GROUPS" : "RANGE";
    std::string r = std::string(units) + " BETWEEN " + bound(f.start, f.start_offset) + " AND " + bound(f.end, f.end_offset);
    switch (f.exclude) {
    case window_frame::exclusion::none: break;
    case window_frame::exclusion::current_row: r += " EXCLUDE CURRENT ROW"; break;
    case window_frame::exclusion::group: r += " EXCLUDE GROUP"; break;
    case window_frame::exclusion::ties: r += " EXCLUDE TIES"; break;
    }
    return r;
}

} // namespace pgt::ir
