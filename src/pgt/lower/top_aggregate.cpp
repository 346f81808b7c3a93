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

/// Whether a running SUM or AVG counts its inputs of every scale in one number (a plain
/// numeric's, whose scales are not known): Σ 10^(10·scale) over its finite inputs, so each
/// scale's count is a group of ten digits, and the largest scale present is told by the
/// number's length. Scales from `scale_slots` up share the last slot, and a group with an
/// input there is recomputed.
bool scales_encoded(const ir::agg_call& a) { return a.encodes_scales && ir::maintenance_of(a) == ir::agg_maintenance::linear; }
constexpr int scale_slots = 1000;

/// The state column (under prefix `p`) or change column (under `d`) of the encoded counts.
std::string encoded_scales(const std::string& p) { return p + "_scales"; }

/// 10^(10·s), an input's term of scale `s` in the encoded counts, as a numeric constant.
tree::expr scale_power(int s) { return tree::cast(tree::text("1e" + std::to_string(10 * s)), numeric_type); }

/// Whether a running SUM, AVG or variance counts its NaN inputs (`__pgt_a<i>_nan`): one of
/// numeric. A NaN in the running sum never subtracts out; while the count is positive the
/// result is NaN, and the group whose last NaN goes is recomputed.
bool nan_counted(const ir::agg_call& a) {
    const auto m = ir::maintenance_of(a);
    return a.counts_nans && (m == ir::agg_maintenance::linear || m == ir::agg_maintenance::algebraic) &&
           (a.func == ir::agg_func::sum || a.func == ir::agg_func::avg || is_variance(a.func));
}

/// The state column (under prefix `p`) or change column (under `d`) counting NaN inputs.
std::string nan_count(const std::string& p) { return p + "_nan"; }

/// Whether such a call also counts its infinite inputs, and its running sums (Σx, Σx²) take the
/// finite ones alone, as PostgreSQL's numeric aggregate state does (NaNcount, pInfcount,
/// nInfcount): every change then folds in, and no group is recomputed.
bool infinities_counted(const ir::agg_call& a) { return nan_counted(a) && a.counts_infinities; }

/// The state or change columns (under `p`) counting +Infinity and -Infinity inputs.
std::string pinf_count(const std::string& p) { return p + "_pinf"; }
std::string ninf_count(const std::string& p) { return p + "_ninf"; }

/// A running SUM's state column of its finite inputs' sum while a NaN or an infinity is among
/// them (its output column then holds NaN or the infinity), NULL while none is: the output
/// column is that sum then.
std::string finite_sum(const std::string& p) { return p + "_finite"; }

/// numeric's NaN.
tree::expr numeric_nan() { return tree::cast(tree::text("NaN"), numeric_type); }

/// numeric's +Infinity (`sign` > 0) or -Infinity.
tree::expr numeric_infinity(int sign) { return tree::cast(tree::text(sign > 0 ? "Infinity" : "-Infinity"), numeric_type); }

/// What PostgreSQL's numeric SUM and AVG return from their NaN and infinity counts (`nan`,
/// `pinf`, `ninf`): NaN, an infinity, or `finite` when there are none.
tree::expr special_or(const tree::expr& nan, const tree::expr& pinf, const tree::expr& ninf, const tree::expr& finite) {
    const tree::expr zero = tree::integer(0);
    return tree::case_when({{tree::gt(nan, zero), numeric_nan()},
                            {tree::all_of({tree::gt(pinf, zero), tree::gt(ninf, zero)}), numeric_nan()},
                            {tree::gt(pinf, zero), numeric_infinity(1)},
                            {tree::gt(ninf, zero), numeric_infinity(-1)}},
                           finite);
}

/// Whether any of the NaN, +Infinity and -Infinity counts `nan`, `pinf`, `ninf` is positive.
tree::expr any_special(const tree::expr& nan, const tree::expr& pinf, const tree::expr& ninf) {
    return tree::gt(tree::plus(nan, tree::plus(pinf, ninf)), tree::integer(0));
}

/// The infinity counts of call `a` (infinities_counted) under prefix `p`, added to `cols`.
void add_infinity_counts(const ir::agg_call& a, const std::string& p, const std::string& what, std::vector<storage_column>& cols) {
    if (!infinities_counted(a)) return;
    cols.push_back({pinf_count(p), int8_type, true, what + ": +Infinity inputs"});
    cols.push_back({ninf_count(p), int8_type, true, what + ": -Infinity inputs"});
}

/// State columns of aggregate `i` (count(*) without FILTER uses __pgt_count).
std::vector<storage_column> state_of(const ir::agg_call& a, std::size_t i) {
    const std::string p = prefix(i);
    const std::string what = ir::agg_name(a) + " #" + std::to_string(i + 1);
    switch (ir::maintenance_of(a)) {
    case ir::agg_maintenance::rescan: return {{p, a.type, true, what + ": value, recomputed for touched groups"}};
    case ir::agg_maintenance::extremum: return {{p, a.type, true, what + ": current extremum"}};
    case ir::agg_maintenance::algebraic: {
        if (a.func == ir::agg_func::bit_xor)
            return {{p, a.type, true, what + ": running XOR"}, {p + "_nn", int8_type, true, what + ": non-NULL inputs"}};
        std::vector<storage_column> cols{{p + "_n", int8_type, true, what + ": non-NULL inputs"},
                                         {p + "_sx", numeric_type, true, what + ": running sum of x"},
                                         {p + "_sxx", numeric_type, true, what + ": running sum of x²"}};
        if (nan_counted(a)) cols.push_back({nan_count(p), int8_type, true, what + ": NaN inputs"});
        add_infinity_counts(a, p, what, cols);
        return cols;
    }
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
        if (scales_encoded(a)) cols.push_back({encoded_scales(p), numeric_type, true, what + ": inputs by scale, 10^(10·scale) each"});
        if (nan_counted(a)) cols.push_back({nan_count(p), int8_type, true, what + ": NaN inputs"});
        add_infinity_counts(a, p, what, cols);
        if (infinities_counted(a) && a.func == ir::agg_func::sum)
            cols.push_back({finite_sum(p), a.type, true, what + ": sum of the finite inputs while a NaN or infinity is among them"});
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

/// A condition known when the SQL is built (a group stored or not), or a column telling it.
struct known_or {
    std::optional<bool> constant;
    std::optional<tree::expr> column;
    static known_or of(bool b) { return {b, std::nullopt}; }
    static known_or of(tree::expr e) { return {std::nullopt, std::move(e)}; }
    bool is(bool b) const { return constant == b; }
    tree::expr sql() const { return constant ? tree::boolean(*constant) : *column; }
};

using column_fn = std::function<tree::expr(const std::string&)>;
using key_fn = std::function<tree::expr(std::size_t)>;

/// The row id of a group whose key values (of types `types`) are `keys`.
tree::expr group_row_id(const lowering& l, const std::vector<tree::expr>& keys, const std::vector<sql_type>& types) {
    std::vector<std::string> values;
    for (const auto& k : keys) values.push_back(tree::render(k));
    return tree::rendered(l.row_id(values, types));
}

/// `name(x) [FILTER (WHERE …)]`, pg_catalog's aggregate.
tree::expr aggregated(std::string_view name, std::vector<tree::expr> args, std::optional<tree::expr> filter, bool star = false) {
    tree::call_options o;
    o.star = star;
    o.filter = std::move(filter);
    return tree::aggregate("pg_catalog", name, std::move(args), std::move(o));
}
tree::expr count_rows(std::optional<tree::expr> filter) { return aggregated("count", {}, std::move(filter), true); }
/// The count of inputs that cannot occur (the infinities of an argument never infinite).
tree::expr no_inputs() { return tree::cast(tree::integer(0), int8_type); }
tree::expr sum_of(tree::expr x, std::optional<tree::expr> filter) { return aggregated("sum", {std::move(x)}, std::move(filter)); }
tree::expr zero_if_null(tree::expr x) { return tree::coalesce({std::move(x), tree::integer(0)}); }

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
    /// The change summary's arguments computed once a row, beside the change's columns
    /// (summary_input): column names by call, while change_summary builds its items.
    mutable std::map<const ir::agg_call*, std::string> computed_args{};
    /// Whether extremum `call`'s change carries its deleted rows' extreme (else whether any row
    /// was deleted): a group whose stored extreme lies strictly beyond it needs no rescan. Only
    /// for types whose order has no collation, which the stored extreme could differ in
    /// (BOOL_OR is the MAX of booleans, BOOL_AND their MIN).
    static bool deleted_extreme_kept(const ir::agg_call& call) {
        if (call.func == ir::agg_func::bool_and || call.func == ir::agg_func::bool_or) return true;
        if (call.func != ir::agg_func::min && call.func != ir::agg_func::max) return false;
        switch (call.type.kind) {
        case type_kind::int2: case type_kind::int4: case type_kind::int8: case type_kind::numeric: case type_kind::float4:
        case type_kind::float8: case type_kind::date: case type_kind::timestamp: case type_kind::timestamptz: case type_kind::interval:
            return true;
        default: return false;
        }
    }
    tree::expr arg(const ir::agg_call& call, const std::string& alias) const {
        if (const auto it = computed_args.find(&call); it != computed_args.end()) return tree::col(alias, it->second);
        return l.value(*call.arg(), child, alias);
    }
    /// The conditions under which a row (through `alias`) counts for the aggregate: its
    /// FILTER, its argument is not NULL, and `extra`, tested in that order. (PostgreSQL
    /// evaluates an aggregate's argument only for the rows its FILTER passes: `x / y` under
    /// FILTER (WHERE y <> 0) must not be divided first.)
    std::vector<tree::expr> row_conditions(const ir::agg_call& call, const std::string& alias, std::vector<tree::expr> extra) const {
        std::vector<tree::expr> conditions;
        if (call.filter) conditions.push_back(l.value(*call.filter, child, alias));
        if (call.func != ir::agg_func::count_star) conditions.push_back(tree::is_not_null(arg(call, alias), call.arg()->type));
        for (auto& e : extra) conditions.push_back(std::move(e));
        return conditions;
    }
    /// The FILTER condition of the aggregate's rows, with extra conditions (none: no FILTER).
    std::optional<tree::expr> rows_filter(const ir::agg_call& call, const std::string& alias, std::vector<tree::expr> extra) const {
        auto conditions = row_conditions(call, alias, std::move(extra));
        if (conditions.empty()) return std::nullopt;
        return tree::all_of(std::move(conditions));
    }

    /// The aggregate's own FILTER over rows `alias`, if it has one.
    std::optional<tree::expr> own_filter(const ir::agg_call& call, const std::string& alias) const {
        if (!call.filter) return std::nullopt;
        return l.value(*call.filter, child, alias);
    }

    /// State columns computed from scratch over rows `alias` of C. Where the argument is a
    /// scalar, its non-NULL rows are counted by count(x) and summed by sum(x), which skip NULLs
    /// themselves: a FILTER (WHERE x IS NOT NULL) per state column would be evaluated for every
    /// row, a tenth of a full load of a grouped sum. (A composite value with a NULL field IS
    /// NULL but is counted by count(x): those keep the condition the deltas apply.)
    std::vector<tree::expr> full_state(const ir::agg_call& call, const std::string& alias) const {
        // (A rescanned aggregate may have no argument: mode() WITHIN GROUP (ORDER BY x).)
        const auto m = ir::maintenance_of(call);
        if (m == ir::agg_maintenance::rescan || m == ir::agg_maintenance::extremum) return {tree::rendered(aggregate_call(l, call, child, alias))};
        const bool scalar = call.func != ir::agg_func::count_star && call.arg()->type.kind != type_kind::other &&
                            call.arg()->type.kind != type_kind::unknown;
        const auto f = scalar ? own_filter(call, alias) : rows_filter(call, alias, {});
        const tree::expr non_null = scalar ? aggregated("count", {arg(call, alias)}, f) : count_rows(f);
        switch (m) {
        case ir::agg_maintenance::rescan:
        case ir::agg_maintenance::extremum: break;
        case ir::agg_maintenance::algebraic: {
            if (call.func == ir::agg_func::bit_xor) return {tree::rendered(aggregate_call(l, call, child, alias)), non_null};
            const tree::expr x = tree::cast(arg(call, alias), numeric_type);
            const auto summed = finite_only(call, alias, f);
            std::vector<tree::expr> state{non_null, sum_of(x, summed), sum_of(tree::times(x, x), summed)};
            push_special_counts(call, alias, f, state);
            return state;
        }
        case ir::agg_maintenance::linear: break;
        }
        switch (call.func) {
        case ir::agg_func::count_star:
            if (!call.filter) return {};
            return {count_rows(f)};
        case ir::agg_func::count: return {non_null};
        default: {
            // (An AVG of numeric sums its argument as is: the same call as a SUM of it beside,
            // whose state PostgreSQL then computes once.)
            const bool as_is = call.func == ir::agg_func::sum || accumulator_type(call).kind == call.arg()->type.kind;
            const tree::expr x = as_is ? arg(call, alias) : tree::cast(arg(call, alias), accumulator_type(call));
            // (One running sum of the finite inputs for the SUM's output, its finite sum and an
            // AVG's: one transition state, which PostgreSQL shares between equal aggregates.)
            const tree::expr finite = sum_of(x, finite_only(call, alias, f));
            std::vector<tree::expr> state{finite, non_null};
            for (int s : counted_scales(call)) state.push_back(count_rows(rows_filter(call, alias, {of_scale(call, alias, s)})));
            if (scales_encoded(call)) state.push_back(sum_of(scale_term(call, alias), f));
            push_special_counts(call, alias, f, state);
            if (infinities_counted(call) && call.func == ir::agg_func::sum) {
                const tree::expr nans = state[state.size() - 3], pinf = state[state.size() - 2], ninf = state.back();
                state.front() = special_or(nans, pinf, ninf, finite);
                state.push_back(tree::case_when({{any_special(nans, pinf, ninf), zero_if_null(finite)}}));
            }
            return state;
        }
        }
    }

    /// The aggregate's numeric argument (through `alias`) is `special`, NaN or an infinity.
    /// (scale() is NULL for those alone and for NULL: a call cheaper for every other row than
    /// a comparison, each full load's grouped sum tests every row.)
    tree::expr is_special(const ir::agg_call& call, const std::string& alias, const tree::expr& special) const {
        const tree::expr no_scale = tree::is_null(tree::fn("scale", {arg(call, alias)}));
        if (call.never_infinite) return no_scale; // (NaN alone has none)
        return tree::all_of({no_scale, tree::eq(arg(call, alias), special)});
    }

    /// `conditions` on the rows a running sum of `call` takes, with, where it counts the
    /// infinities, its argument finite (with a scale).
    std::vector<tree::expr> finite_only(const ir::agg_call& call, const std::string& alias, std::vector<tree::expr> conditions) const {
        if (!infinities_counted(call)) return conditions;
        conditions.push_back(tree::is_not_null(tree::fn("scale", {arg(call, alias)})));
        return conditions;
    }
    std::optional<tree::expr> finite_only(const ir::agg_call& call, const std::string& alias, const std::optional<tree::expr>& filter) const {
        auto conditions = finite_only(call, alias, filter ? std::vector<tree::expr>{*filter} : std::vector<tree::expr>{});
        if (conditions.empty()) return std::nullopt;
        return tree::all_of(std::move(conditions));
    }

    /// The full state's counts of `call`'s NaN inputs and, where it counts them, its +Infinity
    /// and -Infinity inputs, over rows `alias` (`f` the call's own filter), added to `state`.
    /// The three come from one grouped sum, in which such an input adds 1, 10^19 or 10^38 (a
    /// field of 19 digits for each count, as many as a bigint has): a row is tested once, by
    /// its scale(), where three filtered counts would test it three times, a third of the
    /// cost of a full load of a grouped sum.
    void push_special_counts(const ir::agg_call& call, const std::string& alias, const std::optional<tree::expr>& f,
                             std::vector<tree::expr>& state) const {
        if (!infinities_counted(call) || call.never_infinite) {
            if (nan_counted(call)) state.push_back(count_rows(rows_filter(call, alias, {is_special(call, alias, numeric_nan())})));
            if (infinities_counted(call)) state.insert(state.end(), 2, no_inputs());
            return;
        }
        const auto power = [](const char* p) { return tree::cast(tree::text(p), numeric_type); };
        const tree::expr x = arg(call, alias);
        const tree::expr term = tree::case_when({{tree::is_null(tree::fn("scale", {x})),
                                                  tree::case_when({{tree::eq(x, numeric_nan()), power("1")},
                                                                   {tree::eq(x, numeric_infinity(1)), power("1e19")},
                                                                   {tree::eq(x, numeric_infinity(-1)), power("1e38")}})}});
        const tree::expr sum = sum_of(term, f);
        const auto count = [&](tree::expr field) { return tree::cast(tree::coalesce({std::move(field), tree::integer(0)}), int8_type); };
        state.push_back(count(tree::fn("mod", {sum, power("1e19")})));
        state.push_back(count(tree::fn("mod", {tree::fn("div", {sum, power("1e19")}), power("1e19")})));
        state.push_back(count(tree::fn("div", {sum, power("1e38")})));
    }

    /// The aggregate's argument (through `alias`) has scale `s`.
    tree::expr of_scale(const ir::agg_call& call, const std::string& alias, int s) const {
        return tree::eq(tree::fn("scale", {arg(call, alias)}), tree::integer(s));
    }

    /// An input's term of the encoded scale counts (scales_encoded): 10^(10·scale), NULL for
    /// NULL, NaN and the infinities, which have no scale. (Constants for the usual scales: a
    /// numeric built from text for each row costs a full load as much as its sum.)
    tree::expr scale_term(const ir::agg_call& call, const std::string& alias) const {
        const tree::expr scale = tree::fn("scale", {arg(call, alias)});
        std::vector<tree::when_then> terms;
        for (int s = 0; s <= 6; ++s) terms.push_back({tree::eq(scale, tree::integer(s)), scale_power(s)});
        terms.push_back({tree::ge(scale, tree::integer(scale_slots)), scale_power(scale_slots)});
        // (NULL without a scale: '1e' || NULL.)
        const tree::expr built = tree::cast(tree::op("||", tree::text("1e"), tree::times(tree::integer(10), scale)), numeric_type);
        return tree::case_when(std::move(terms), built);
    }

    /// A data exception (22P02) for a group whose encoded counts `e` passed the slots, which the
    /// refresh answers by recomputing the stream table (options::data_exception_recomputes).
    /// (`e` makes it a value of the row's: a constant would be raised while planning.)
    static tree::expr past_the_slots(const tree::expr& e) {
        const tree::expr nothing = tree::fn("left", {tree::cast(e, tree::type_name::catalog("text")), tree::integer(0)});
        return tree::cast(tree::op("||", tree::text("pg_trickle: a running sum took an input of scale " + std::to_string(scale_slots) +
                                                    " or more, which its state does not count"),
                                   nothing),
                          numeric_type);
    }

    /// The largest scale among a group's inputs from their encoded counts `e` (NULL without any).
    static tree::expr largest_encoded_scale(const tree::expr& e) {
        const tree::expr digits = tree::fn("length", {tree::cast(e, tree::type_name::catalog("text"))});
        return tree::case_when({{tree::gt(e, tree::integer(0)), tree::op("/", tree::minus(digits, tree::integer(1)), tree::integer(10))}});
    }

    /// A running sum's new value `sum` at the scale its inputs print with, from `count(s)`, the
    /// new count of inputs of each counted scale, or `encoded`, their new encoded counts.
    tree::expr at_present_scale(const ir::agg_call& call, const tree::expr& sum, const std::function<tree::expr(int)>& count,
                                const std::optional<tree::expr>& encoded) const {
        if (encoded)
            return tree::case_when({{tree::gt(*encoded, tree::integer(0)), tree::fn("round", {sum, largest_encoded_scale(*encoded)})}}, sum);
        const auto counted = counted_scales(call);
        if (counted.empty()) return sum;
        std::vector<tree::when_then> scale;
        for (auto s = counted.rbegin(); s != counted.rend(); ++s) scale.push_back({tree::gt(count(*s), tree::integer(0)), tree::integer(*s)});
        return tree::fn("round", {sum, tree::case_when(std::move(scale), tree::integer(call.arg_scales->front()))});
    }

    /// `SELECT keys, count, state FROM rows s GROUP BY keys`.
    tree::select state_select(const std::string& from) const {
        tree::select r;
        const auto k = l.aggregate_keys(node, "s");
        for (std::size_t j = 0; j < k.values.size(); ++j) r.items.push_back(tree::as(k.values[j], g(j)));
        r.items.push_back(tree::as(tree::count_all(), "__pgt_count"));
        for (std::size_t i = 0; i < a.aggs.size(); ++i) {
            auto cols = state_of(a.aggs[i], i);
            auto exprs = full_state(a.aggs[i], "s");
            for (std::size_t k2 = 0; k2 < cols.size(); ++k2) r.items.push_back(tree::as(exprs[k2], cols[k2].name));
        }
        r.from(from, "s");
        if (!k.by.empty()) r.group_by(k.by);
        return r;
    }

    /// The value of aggregate `i` from the state columns of alias `st`.
    tree::expr value(std::size_t i, const std::string& st) const {
        return value(i, [&](const std::string& c) { return tree::col(st, c); });
    }
    /// The value of aggregate `i` from its state columns as `col` renders them.
    tree::expr value(std::size_t i, const column_fn& col) const {
        const auto& call = a.aggs[i];
        const std::string p = prefix(i);
        if (call.func == ir::agg_func::bit_xor && ir::maintenance_of(call) == ir::agg_maintenance::algebraic)
            return tree::case_when({{tree::gt(col(p + "_nn"), tree::integer(0)), col(p)}});
        if (is_variance(call.func) && ir::maintenance_of(call) == ir::agg_maintenance::algebraic) return variance(call, p, col);
        if (ir::maintenance_of(call) == ir::agg_maintenance::rescan) return col(p);
        switch (call.func) {
        case ir::agg_func::count_star:
            return col(call.filter ? p : "__pgt_count");
        case ir::agg_func::avg: {
            // Running averages are of exact numbers (maintenance_of): a numeric quotient.
            const tree::expr sum = col(p + "_sum"), nn = col(p + "_nn");
            const tree::expr quotient = tree::op("/", tree::cast(sum, numeric_type), tree::cast(nn, numeric_type));
            if (infinities_counted(call))
                return tree::case_when({{tree::gt(nn, tree::integer(0)), special_or(col(nan_count(p)), col(pinf_count(p)), col(ninf_count(p)), quotient)}});
            return tree::case_when({{tree::gt(nn, tree::integer(0)), quotient}});
        }
        default: return col(p);
        }
    }

    /// √v rounded (half up) to v's scale, as PostgreSQL's standard deviation is. SQL's sqrt rounds
    /// at a scale of its own, at least v's: rounded again at v's, a root just below half of the
    /// last digit (…0404|5 of …040449) comes out one unit high, which the square of the
    /// candidate less half a unit tells (numeric products are exact).
    /// (NaN, from an infinite input, has no scale: PostgreSQL's result is NaN.)
    static tree::expr square_root_at_scale(const tree::expr& v) {
        const tree::expr s = tree::coalesce({tree::fn("scale", {v}), tree::integer(0)});
        const tree::expr c = tree::fn("round", {tree::fn("sqrt", {v}), s});
        const auto power = [](const std::string& mantissa, const tree::expr& exponent) {
            return tree::cast(tree::op("||", tree::cast(tree::text(mantissa + "e-"), tree::type_name::catalog("text")),
                                       tree::cast(exponent, tree::type_name::catalog("text"))),
                              numeric_type);
        };
        const tree::expr below = tree::minus(c, power("5", tree::plus(s, tree::integer(1))));
        return tree::case_when({{tree::gt(tree::times(below, below), v), tree::minus(c, power("1", s))}}, c);
    }

    /// numeric_stddev_internal on the state: (N·Σx² − (Σx)²) / (N·N or N·(N−1)), 0 when the
    /// numerator is not positive, NULL without enough rows; the square root at its scale.
    tree::expr variance(const ir::agg_call& call, const std::string& p, const column_fn& col) const {
        const tree::expr n = col(p + "_n"), sx = col(p + "_sx"), sxx = col(p + "_sxx");
        const bool sample = call.func == ir::agg_func::var_samp || call.func == ir::agg_func::stddev_samp;
        const tree::expr num = tree::minus(tree::times(tree::cast(n, numeric_type), sxx), tree::times(sx, sx));
        const tree::expr den =
            tree::times(tree::cast(n, numeric_type), tree::cast(sample ? tree::minus(n, tree::integer(1)) : n, numeric_type));
        tree::expr v = tree::op("/", num, den);
        if (call.func == ir::agg_func::stddev_pop || call.func == ir::agg_func::stddev_samp) v = square_root_at_scale(v);
        const tree::expr too_few = sample ? tree::le(n, tree::integer(1)) : tree::eq(n, tree::integer(0));
        std::vector<tree::when_then> special{{too_few, tree::null()}};
        // (PostgreSQL counts a NaN or an infinity among the inputs, then returns NaN.)
        if (infinities_counted(call))
            special.push_back({any_special(col(nan_count(p)), col(pinf_count(p)), col(ninf_count(p))), numeric_nan()});
        else if (nan_counted(call))
            special.push_back({tree::gt(col(nan_count(p)), tree::integer(0)), numeric_nan()});
        special.push_back({tree::le(num, tree::integer(0)), tree::cast(tree::integer(0), numeric_type)});
        return tree::case_when(std::move(special), v);
    }

    /// Visible rows and hidden state from a relation of (__pgt_g*, __pgt_count, state):
    /// the aggregate's output, then HAVING and the final expressions. With `with_existed`, the
    /// relation's existed_column (new_state's) is carried to the rows too, and its
    /// stored_ctid_column where stored rows are located.
    tree::select finish(const tree::query& state_sql, bool with_existed = false) {
        std::vector<tree::select_item> carried;
        for (const auto& h : state_columns(a)) carried.emplace_back(tree::col("s", h.name));
        if (with_existed) carried.emplace_back(tree::col("s", existed_column));
        if (with_existed && stored_rows_located(l.opts())) carried.emplace_back(tree::col("s", stored_ctid_column));
        const auto& out = l.names(node);
        std::vector<tree::expr> key_values;
        std::vector<sql_type> key_types;
        for (std::size_t j = 0; j < a.group_by.size(); ++j) {
            key_values.push_back(tree::col("s", g(j)));
            key_types.push_back(a.group_by[j]->type);
        }
        tree::select groups({tree::as(group_row_id(l, key_values, key_types), "__pgt_row_id")});
        for (std::size_t j = 0; j < key_values.size(); ++j) groups.items.push_back(tree::as(key_values[j], out[j]));
        for (std::size_t i = 0; i < a.aggs.size(); ++i) groups.items.push_back(tree::as(value(i, "s"), out[a.group_by.size() + i]));
        groups.items.insert(groups.items.end(), carried.begin(), carried.end());
        const tree::expr nonempty = a.group_by.empty() ? tree::boolean(true) : tree::gt(tree::col("s", "__pgt_count"), tree::integer(0));
        groups.items.push_back(tree::as(nonempty, "__pgt_visible"));
        groups.from(tree::from(state_sql, "s"));
        std::string rel = l.add_cte(cte_prefix + "groups", "n" + std::to_string(node) + ": aggregate output and state per group",
                                    tree::render(groups));
        int input = node;
        for (int p : post) {
            rel = l.add_cte(cte_prefix + "post" + std::to_string(p),
                            "n" + std::to_string(p) + (l.node(p).op == circuit_op::filter ? ": HAVING — visibility" : ": final expressions"),
                            tree::render(post_step(p, input, rel, carried)));
            input = p;
        }
        tree::select rows({tree::col("s", "__pgt_row_id")});
        for (auto& c : l.columns(output, "s")) rows.items.push_back(std::move(c));
        rows.items.insert(rows.items.end(), carried.begin(), carried.end());
        rows.items.emplace_back(tree::col("s", "__pgt_visible"));
        return rows.from(rel, "s");
    }

    /// Post node `p` (HAVING or the final expressions) over `rel`, node `input`'s rows with
    /// their row id, `carried` state and visibility.
    tree::select post_step(int p, int input, const std::string& rel, const std::vector<tree::select_item>& carried) const {
        const auto& pn = l.node(p);
        tree::select r({tree::col("s", "__pgt_row_id")});
        tree::expr visible = tree::col("s", "__pgt_visible");
        if (pn.op == circuit_op::filter) {
            for (auto& c : l.columns(input, "s")) r.items.push_back(std::move(c));
            const tree::expr holds = l.value(*std::get<ir::filter>(pn.rel->node).predicate, input, "s");
            visible = tree::all_of({visible, tree::coalesce({holds, tree::boolean(false)})});
        } else {
            const auto& exprs = std::get<ir::project>(pn.rel->node).exprs;
            for (std::size_t i = 0; i < exprs.size(); ++i) r.items.push_back(tree::as(l.value(*exprs[i], input, "s"), l.names(p)[i]));
        }
        r.items.insert(r.items.end(), carried.begin(), carried.end());
        r.items.push_back(tree::as(visible, "__pgt_visible"));
        return r.from(rel, "s");
    }

    /// +x or −x for a row of known weight (±1).
    static tree::expr signed_by(int known, const tree::expr& x) { return known > 0 ? x : tree::negate(x); }

    /// A SUM or AVG call's argument weighted by `sw` (or signed by the known weight), in a type
    /// that cannot overflow before the sum is cast back to the state's `acc` (running sums are
    /// of exact numbers: maintenance_of).
    /// w·x for a numeric x: rows of weight ±1, nearly all of them, are added or subtracted as
    /// they are, without casting the weight to numeric and multiplying (half the cost of
    /// summing a change's rows; exact either way).
    static tree::expr numeric_times(const tree::expr& sw, const tree::expr& x) {
        const auto weight = [](int w) { return tree::cast(tree::integer(w), int8_type); };
        return tree::case_when({{tree::eq(sw, weight(1)), x}, {tree::eq(sw, weight(-1)), tree::negate(x)}},
                               tree::times(tree::cast(sw, numeric_type), x));
    }

    tree::expr weighted(const ir::agg_call& call, const sql_type& acc, const tree::expr& sw, int known) const {
        const bool exact_int8 = is_integer(call.arg()->type.kind) && acc.kind == type_kind::int8;
        const tree::expr x = tree::cast(arg(call, "s"), exact_int8 ? int8_type : acc);
        if (known) return signed_by(known, x);
        if (acc.kind == type_kind::numeric) return numeric_times(sw, x);
        return tree::times(exact_int8 ? sw : tree::cast(sw, acc), x);
    }

    /// The change's contribution over the rows of the change summary: one row's values (a
    /// CASE where conditions apply) or aggregates of the rows where they hold.
    struct contribution {
        bool one_row;
        tree::expr sw; ///< the row's weight
        tree::expr over(std::string_view aggregate, const tree::expr& x, const std::vector<tree::expr>& conditions) const {
            if (one_row) {
                if (conditions.empty()) return x;
                return tree::case_when({{tree::all_of(conditions), x}});
            }
            return aggregated(aggregate, {x}, conditions.empty() ? std::nullopt : std::optional(tree::all_of(conditions)));
        }
        tree::expr sum(const tree::expr& x, const std::vector<tree::expr>& conditions) const { return over("sum", x, conditions); }
        /// A bigint; of one row never NULL (0 where it does not count): see plus().
        tree::expr count(const std::vector<tree::expr>& conditions) const {
            if (one_row) {
                if (conditions.empty()) return sw;
                return tree::case_when({{tree::all_of(conditions), sw}}, tree::integer(0));
            }
            return tree::cast(sum(sw, conditions), int8_type);
        }
    };

    /// Per touched group: the change's contribution to each state column. Over a change of
    /// one row (`lowering::single_row`) there is one group, and each aggregate of the row is
    /// its value where the row counts: no GROUP BY.
    tree::select change_summary(const std::string& dc) const {
        const bool one_row = l.single_row(child);
        // A row whose weight the statement knows: its contribution is ±x, no product.
        const int known = one_row ? l.single_row_weight(child) : 0;
        const contribution to{one_row, known == 0 ? tree::col("s", weight) : tree::cast(tree::integer(known > 0 ? 1 : -1), int8_type)};
        tree::select r;
        const auto k = l.aggregate_keys(node, "s");
        // (One row's keys are its values: it is not grouped.)
        for (std::size_t j = 0; j < k.values.size(); ++j)
            r.items.push_back(tree::as(one_row ? l.value(*a.group_by[j], child, "s") : k.values[j], g(j)));
        r.items.push_back(tree::as(to.count({}), "__pgt_dcount"));
        struct forget {
            std::map<const ir::agg_call*, std::string>& args;
            ~forget() { args.clear(); }
        } computed{computed_args};
        // (One row's change is not grouped: its arguments are evaluated once as they are.)
        r.from(one_row ? tree::from(dc, "s") : summary_input(dc));
        for (std::size_t i = 0; i < a.aggs.size(); ++i)
            for (auto& item : call_change(i, to, known)) r.items.push_back(std::move(item));
        if (one_row) return r;
        if (!k.by.empty()) r.group_by(k.by);
        else r.having(tree::gt(tree::count_all(), tree::integer(0)));
        return r;
    }

    /// The rows change_summary groups: change `dc`, with each computed argument of a call
    /// without FILTER (one evaluated only for the rows its FILTER passes) computed once a row.
    /// A call's change takes its argument in up to four places (the weighted sum, the test of
    /// NULL, the NaN count's test, the finite sum's), and PostgreSQL evaluates each; OFFSET 0
    /// keeps the subquery from being pulled up into them.
    tree::relation summary_input(const std::string& dc) const {
        std::map<std::string, std::string> named; // rendered argument → its column
        tree::select rows({tree::all("s")});
        for (std::size_t i = 0; i < a.aggs.size(); ++i) {
            const auto& call = a.aggs[i];
            if (call.args.empty() || call.filter || call.arg()->kind == ir::expr_kind::column ||
                ir::maintenance_of(call) == ir::agg_maintenance::rescan)
                continue;
            const tree::expr value = l.value(*call.arg(), child, "s");
            auto [it, added] = named.try_emplace(tree::render(value), "__pgt_x" + std::to_string(i));
            if (added) rows.items.push_back(tree::as(value, it->second));
            computed_args[&call] = it->second;
        }
        if (computed_args.empty()) return tree::from(dc, "s");
        return tree::from(rows.from(dc, "s").offset(0), "s");
    }

    /// change_summary's columns of aggregate `i` (none for a rescanned one: the group is touched).
    std::vector<tree::select_item> call_change(std::size_t i, const contribution& to, int known) const {
        const auto& call = a.aggs[i];
        const std::string d = "__pgt_d" + std::to_string(i);
        const auto how = ir::maintenance_of(call);
        if (how == ir::agg_maintenance::rescan) return {};
        const auto counts = row_conditions(call, "s", {});
        if (how == ir::agg_maintenance::algebraic) {
            if (call.func == ir::agg_func::bit_xor) {
                // x ⊕ x = 0: a row changed an even number of times leaves the XOR as it was.
                const tree::expr odd = tree::eq(tree::op("%", tree::fn("abs", {to.sw}), tree::integer(2)), tree::integer(1));
                return {tree::as(to.count(counts), d + "_n"), tree::as(to.over("bit_xor", arg(call, "s"), row_conditions(call, "s", {odd})), d)};
            }
            const tree::expr x = tree::cast(arg(call, "s"), numeric_type);
            const tree::expr wx = known ? signed_by(known, x) : numeric_times(to.sw, x);
            const tree::expr wxx = known ? signed_by(known, tree::times(x, x)) : tree::times(wx, x);
            const auto summed = finite_only(call, "s", counts);
            std::vector<tree::select_item> items{tree::as(to.count(counts), d + "_n"), tree::as(to.sum(wx, summed), d + "_sx"),
                                                 tree::as(to.sum(wxx, summed), d + "_sxx")};
            special_changes(call, d, to, items);
            return items;
        }
        switch (call.func) {
        case ir::agg_func::count_star:
        case ir::agg_func::count: return {tree::as(to.count(counts), d)};
        case ir::agg_func::sum:
        case ir::agg_func::avg: {
            const sql_type acc = call.func == ir::agg_func::sum ? call.type : accumulator_type(call);
            // w·x is NULL where x is: one row needs no test of x for the value of a sum.
            std::vector<tree::expr> filters_only;
            if (call.filter) filters_only.push_back(l.value(*call.filter, child, "s"));
            std::vector<tree::select_item> items{
                tree::as(tree::cast(to.sum(weighted(call, acc, to.sw, known), finite_only(call, "s", to.one_row ? filters_only : counts)), acc), d),
                tree::as(to.count(counts), d + "_nn")};
            for (int sc : counted_scales(call))
                items.push_back(tree::as(to.count(row_conditions(call, "s", {of_scale(call, "s", sc)})), scale_count(d, sc)));
            if (scales_encoded(call)) {
                const tree::expr term = scale_term(call, "s");
                items.push_back(tree::as(to.sum(known ? signed_by(known, term) : numeric_times(to.sw, term), filters_only), encoded_scales(d)));
            }
            special_changes(call, d, to, items);
            return items;
        }
        default: {
            // The aggregate over the inserted rows (w > 0) or the deleted ones (w < 0).
            const auto extreme_of = [&](tree::expr weight_test) {
                return to.over(ir::agg_name(call), arg(call, "s"), row_conditions(call, "s", {std::move(weight_test)}));
            };
            const tree::expr deleted = tree::lt(to.sw, tree::integer(0));
            const tree::select_item ins = tree::as(extreme_of(tree::gt(to.sw, tree::integer(0))), d + "_ins");
            if (deleted_extreme_kept(call)) return {ins, tree::as(extreme_of(deleted), d + "_del")};
            return {ins, tree::as(to.over("bool_or", deleted, counts), d + "_del")};
        }
        }
    }
    /// The change's counts of `call`'s NaN and infinite inputs (under `d`), added to `items`.
    void special_changes(const ir::agg_call& call, const std::string& d, const contribution& to, std::vector<tree::select_item>& items) const {
        if (nan_counted(call)) items.push_back(tree::as(to.count(row_conditions(call, "s", {is_special(call, "s", numeric_nan())})), nan_count(d)));
        if (!infinities_counted(call)) return;
        for (int sign : {1, -1})
            items.push_back(tree::as(call.never_infinite ? no_inputs() : to.count(row_conditions(call, "s", {is_special(call, "s", numeric_infinity(sign))})),
                                     (sign > 0 ? pinf_count : ninf_count)(d)));
    }

    /// Whether state column `col` counts rows (the group's, or an aggregate's non-NULL, NaN or
    /// infinite inputs).
    bool counts_rows(const std::string& col) const {
        if (col == "__pgt_count" || col.ends_with("_nn") || col.ends_with("_n") || col.ends_with("_nan") || col.ends_with("_pinf") ||
            col.ends_with("_ninf"))
            return true;
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
                // (A SUM's finite sum folds changes in as its output column does, by the counts.)
                if ((call.func == ir::agg_func::sum && (col == p || col == finite_sum(p))) ||
                    (call.func == ir::agg_func::avg && col == p + "_sum") || col == encoded_scales(p))
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

    /// New state of each touched group: stored state plus change, or a rescan. The groups the
    /// stored state cannot answer are recomputed whole, in a branch of their own, by one grouped
    /// pass over their rows (rescanned_groups): a subquery per state column and group would
    /// scan a group's rows once per column, and a table without an index on the group key once
    /// per group.
    tree::query new_state(const std::string& cur) const {
        auto keys = [&] {
            std::vector<tree::select_item> items;
            for (std::size_t j = 0; j < a.group_by.size(); ++j) items.emplace_back(tree::col("c", g(j)));
            items.emplace_back(tree::col("c", existed_column));
            if (stored_rows_located(l.opts())) items.emplace_back(tree::col("c", stored_ctid_column));
            return items;
        };
        auto columns = [&](rescans how, tree::select& into) {
            gathered.clear();
            conditions.clear();
            always_rescanned = false;
            mode = how;
            for (const auto& [name, expr] : new_state_columns(
                     [](const std::string& col) { return tree::col("c", "__pgt_old" + col); },
                     [](const std::string& d) { return tree::col("c", d); }, known_or::of(tree::col("c", existed_column)),
                     [&](std::size_t j) { return tree::col("c", g(j)); }))
                into.items.push_back(tree::as(expr, name));
            mode = rescans::per_column;
        };
        tree::select fast(keys());
        if (l.opts().uncorrelated_rescans) {
            columns(rescans::uncorrelated, fast);
            if (gathered.empty()) return fast.from(cur, "c");
            // (Only the groups the stored state does not answer: Citus runs the pass on every
            // shard of the source, which the one-time filter then skips when there are none.)
            if (always_rescanned) return fast.from(rescanned_groups(cur));
            return fast.from(rescanned_groups(cur, tree::is_not_true(tree::all_of(std::vector<tree::expr>(conditions)))));
        }
        columns(rescans::fast_branch, fast);
        if (conditions.empty() && !always_rescanned) return fast.from(cur, "c");
        const std::optional<tree::expr> answered =
            always_rescanned ? std::nullopt : std::optional(tree::all_of(std::vector<tree::expr>(conditions)));
        tree::select slow(keys());
        columns(rescans::slow_branch, slow);
        const std::optional<tree::expr> unanswered = answered ? std::optional(tree::is_not_true(*answered)) : std::nullopt;
        slow.from(rescanned_groups(cur, unanswered.value_or(tree::boolean(true))));
        if (!answered) return slow;
        slow.where(*unanswered);
        fast.from(cur, "c").where(tree::is_true(*answered));
        return tree::union_all({fast, slow});
    }

    /// How new_state_columns renders a state column the stored state may not answer:
    /// `per_column` a subquery of its own (the MERGE of aggregate_merge); `uncorrelated` a column
    /// of rescanned_groups (options::uncorrelated_rescans); `fast_branch` the stored state's
    /// answer, noting in `conditions` when it holds (`always_rescanned` when never);
    /// `slow_branch` the rescan, a column of rescanned_groups over the groups it does not answer.
    enum class rescans { per_column, uncorrelated, fast_branch, slow_branch };
    mutable rescans mode = rescans::per_column;
    mutable std::vector<tree::expr> gathered = {}, conditions = {};
    mutable bool always_rescanned = false;
    /// Whether a state column was rendered as a subquery of its own (per_column, or a MIN/MAX).
    mutable bool has_subquery_column = false;

    /// `cur` (alias c) joined to the gathered rescans of its groups (r) and of a group without
    /// rows (e): one grouped pass over the rows of the groups `wanted` selects (over c; all of
    /// cur without it) instead of a subquery per group, each in a CTE of its own. With `wanted`,
    /// the pass runs only when a group is wanted (a one-time filter), and the groups are found
    /// by a semi-join on their keys, which PostgreSQL answers from an index on them or by one
    /// hashed scan; groups with a NULL key, which no equality finds, by a pass of their own.
    tree::relation rescanned_groups(const std::string& cur, const std::optional<tree::expr>& wanted = std::nullopt) const {
        tree::select grouped, empty;
        std::vector<tree::expr> keys, touched, found, null_rows, null_groups;
        const auto& columns = l.node(child).rel->columns;
        auto wanted_groups = [&](std::vector<tree::select_item> items) {
            tree::select q(std::move(items));
            q.from(cur, "c");
            if (wanted) q.where(*wanted);
            return q;
        };
        const auto rk = l.aggregate_keys(node, "s");
        for (std::size_t j = 0; j < a.group_by.size(); ++j) {
            const tree::expr k = rk.by[j];
            const std::string name = "__pgt_rk" + std::to_string(j);
            keys.push_back(k);
            grouped.items.push_back(tree::as(rk.values[j], name));
            // (The key type's own equality, as GROUP BY's, or the images a key without one is
            // grouped by; NULL keys are one group.)
            const sql_type& key_type = a.group_by[j]->type;
            const sql_type type = key_type.equality ? key_type : make_type(type_kind::text);
            const auto matched = [&](const tree::expr& x) { return key_type.equality ? x : tree::rendered(sql::image(tree::render(x), key_type)); };
            const tree::expr stored = matched(tree::col("c", g(j))), found_key = matched(tree::col("r", name));
            found.push_back(tree::any_of({tree::compare("=", stored, found_key, type), tree::all_of({tree::is_null(stored, type), tree::is_null(found_key, type)})}));
            const tree::select touched_keys = wanted_groups({stored});
            const tree::expr among = sql::catalog_operators(type) ? tree::quantified("=", k, true, touched_keys) : tree::in(k, touched_keys);
            if (!wanted) {
                touched.push_back(tree::any_of({among, tree::is_null(k, type)}));
                continue;
            }
            touched.push_back(among);
            if (ir::never_null(*a.group_by[j], columns)) continue;
            null_rows.push_back(tree::is_null(k, type));
            null_groups.push_back(tree::is_null(stored, type));
        }
        grouped.items.push_back(tree::as(tree::boolean(true), "__pgt_found"));
        for (std::size_t n = 0; n < gathered.size(); ++n) {
            grouped.items.push_back(tree::as(gathered[n], "__pgt_rs" + std::to_string(n)));
            empty.items.push_back(tree::as(gathered[n], "__pgt_rs" + std::to_string(n)));
        }
        tree::select nulls = grouped;
        grouped.from(l.new_sql(child), "s");
        if (wanted) touched.insert(touched.begin(), tree::exists(wanted_groups({tree::integer(1)})));
        // Over Citus, each shard runs the pass as a query of its own, which PostgreSQL may plan
        // parallel, starting its workers before the one-time filter below them is read: a call
        // that is not parallel safe keeps it serial, as the one statement is without Citus.
        const std::optional<tree::expr> serial =
            wanted && l.opts().uncorrelated_rescans
                ? std::optional(tree::is_distinct(tree::fn("pg_current_xact_id_if_assigned", {}), tree::cast(tree::text("0"), tree::type_name::catalog("xid8"))))
                : std::nullopt;
        if (serial) touched.push_back(*serial);
        if (!touched.empty()) grouped.where(tree::all_of(std::move(touched)));
        if (!keys.empty()) grouped.group_by(keys);
        tree::query rescans = grouped;
        if (!null_rows.empty()) {
            tree::select null_wanted = wanted_groups({tree::integer(1)});
            null_wanted.where(tree::all_of({*wanted, tree::any_of(std::move(null_groups))}));
            std::vector<tree::expr> null_pass{tree::exists(null_wanted), tree::any_of(std::move(null_rows))};
            if (serial) null_pass.push_back(*serial);
            nulls.from(l.new_sql(child), "s").where(tree::all_of(std::move(null_pass))).group_by(keys);
            rescans = tree::union_all({grouped, nulls});
        }
        empty.from(l.new_sql(child), "s").where(tree::boolean(false));
        const std::string r = l.add_cte(cte_prefix + "rescanned", "touched groups recomputed from the sources", tree::render(rescans));
        const std::string e = l.add_cte(cte_prefix + "no_rows", "what those aggregates give for no rows", tree::render(empty));
        return tree::cross_join(tree::join(tree::from(cur, "c"), tree::join_kind::left, tree::from(r, "r"),
                                           found.empty() ? tree::boolean(true) : tree::all_of(std::move(found))),
                                tree::from(e, "e"));
    }

    /// The recomputation from the source of one state column of a group whose keys `key(j)` are;
    /// a subquery of its own when `own_subquery`, whatever the mode.
    tree::expr rescan(const tree::expr& scratch, const key_fn& key, bool own_subquery = false) const {
        const std::string name = "__pgt_rs" + std::to_string(gathered.size());
        switch (own_subquery ? rescans::per_column : mode) {
        case rescans::uncorrelated:
        case rescans::slow_branch:
            gathered.push_back(scratch);
            // (For every touched group, unless choose() makes it one where a condition fails.)
            if (mode == rescans::uncorrelated) always_rescanned = true;
            return tree::case_when({{tree::is_not_null(tree::col("r", "__pgt_found")), tree::col("r", name)}}, tree::col("e", name));
        case rescans::fast_branch: always_rescanned = true; return tree::null(); // (the branch is left out)
        case rescans::per_column: break;
        }
        has_subquery_column = true;
        std::vector<tree::expr> match;
        for (std::size_t j = 0; j < a.group_by.size(); ++j)
            match.push_back(same_group_key(l.value(*a.group_by[j], child, "s"), key(j), a.group_by[j]->type,
                                           ir::never_null(*a.group_by[j], l.node(child).rel->columns)));
        tree::select q({scratch});
        q.from(l.new_sql(child), "s");
        if (!match.empty()) q.where(tree::all_of(std::move(match)));
        return tree::scalar(q);
    }

    /// The new value of each state column of a touched group, named: `old(col)` renders the
    /// stored value (NULL for a group not stored), `change(d)` a column of the change summary,
    /// `existed` whether the group was stored, `key(j)` its j-th key.
    std::vector<std::pair<std::string, tree::expr>> new_state_columns(const column_fn& old, const column_fn& change,
                                                                      const known_or& existed, const key_fn& key) const {
        const known_or fast = having ? existed : known_or::of(true);
        // A stored group's row counts are never NULL, nor are one row's (change_summary).
        const bool one_row = l.single_row(child);
        auto plus = [&](const std::string& col, const std::string& d) {
            const bool counted = counts_rows(col);
            return tree::plus(counted && existed.is(true) ? old(col) : zero_if_null(old(col)),
                              counted && one_row ? change(d) : zero_if_null(change(d)));
        };
        // The stored state answers unless `when` fails; without HAVING, for linear state, always.
        // A MIN/MAX keeps a subquery of its own (`by_itself`): PostgreSQL answers one from an
        // index on the group key and the argument, where a recomputation of the other state
        // columns beside it would read all of the group's rows.
        auto choose = [&](const known_or& when, const tree::expr& updated, const tree::expr& scratch, bool by_itself = false) {
            if (when.is(true)) return updated;
            if (by_itself && mode != rescans::uncorrelated) {
                tree::expr own = rescan(scratch, key, true);
                if (when.is(false)) return own;
                return tree::case_when({{when.sql(), updated}}, own);
            }
            if (when.is(false)) return rescan(scratch, key);
            const tree::expr holds = when.sql();
            auto note = [&] {
                const auto same = [&](const tree::expr& e) { return tree::render(e) == tree::render(holds); };
                if (std::ranges::none_of(conditions, same)) conditions.push_back(holds);
            };
            if (mode == rescans::fast_branch) {
                note();
                return updated;
            }
            if (mode == rescans::slow_branch) return rescan(scratch, key);
            const bool always = always_rescanned;
            tree::expr rescanned = rescan(scratch, key);
            if (mode == rescans::uncorrelated) {
                always_rescanned = always; // (only where `holds` fails)
                note();
            }
            return tree::case_when({{holds, updated}}, std::move(rescanned));
        };
        std::vector<std::pair<std::string, tree::expr>> items;
        items.emplace_back("__pgt_count", choose(fast, plus("__pgt_count", "__pgt_dcount"), tree::count_all()));
        for (std::size_t i = 0; i < a.aggs.size(); ++i) {
            const auto cols = state_of(a.aggs[i], i);
            if (cols.empty()) continue; // count(*) is the group's __pgt_count
            const auto scratch = full_state(a.aggs[i], "s");
            if (ir::maintenance_of(a.aggs[i]) == ir::agg_maintenance::rescan) {
                items.emplace_back(cols[0].name, rescan(scratch[0], key));
                continue;
            }
            known_or when = fast;
            const auto updated = updated_state(i, cols, fast, when, old, change, plus);
            const bool extremum = ir::maintenance_of(a.aggs[i]) == ir::agg_maintenance::extremum;
            for (std::size_t k = 0; k < cols.size(); ++k) items.emplace_back(cols[k].name, choose(when, updated[k], scratch[k], extremum));
        }
        return items;
    }

    /// Aggregate `i`'s state columns `cols` updated from the stored state (`old`) and the change
    /// (`change`, added by `plus`); `when` narrowed to where that update holds (an extremum
    /// whose group lost rows needs a rescan).
    std::vector<tree::expr> updated_state(std::size_t i, const std::vector<storage_column>& cols, const known_or& fast, known_or& when,
                                          const column_fn& old, const column_fn& change,
                                          const std::function<tree::expr(const std::string&, const std::string&)>& plus) const {
        const auto& call = a.aggs[i];
        const std::string d = "__pgt_d" + std::to_string(i);
        if (ir::maintenance_of(call) == ir::agg_maintenance::algebraic) {
            if (call.func == ir::agg_func::bit_xor)
                return {tree::op("#", zero_if_null(old(cols[0].name)), zero_if_null(change(d))), plus(cols[1].name, d + "_n")};
            std::vector<tree::expr> updated{plus(cols[0].name, d + "_n"), plus(cols[1].name, d + "_sx"), plus(cols[2].name, d + "_sxx")};
            if (nan_counted(call)) updated.push_back(counted_nans(i, updated[1], fast, when, plus));
            if (infinities_counted(call))
                for (const auto& name : {pinf_count, ninf_count}) updated.push_back(plus(name(prefix(i)), name(d)));
            return updated;
        }
        switch (call.func) {
        case ir::agg_func::count_star:
        case ir::agg_func::count: return {plus(cols[0].name, d)};
        case ir::agg_func::sum:
        case ir::agg_func::avg: {
            const tree::expr nn = plus(cols[1].name, d + "_nn");
            const auto count = [&](int sc) { return plus(scale_count(prefix(i), sc), scale_count(d, sc)); };
            std::optional<tree::expr> encoded;
            if (scales_encoded(call)) encoded = plus(encoded_scales(prefix(i)), encoded_scales(d));
            const std::string p = prefix(i);
            const bool specials = infinities_counted(call);
            const bool finite_kept = specials && call.func == ir::agg_func::sum;
            // (The stored finite sum of a SUM: its output column's while none is counted.)
            const tree::expr running = finite_kept ? tree::plus(zero_if_null(tree::coalesce({old(finite_sum(p)), old(cols[0].name)})), zero_if_null(change(d)))
                                                   : plus(cols[0].name, d);
            const tree::expr total = at_present_scale(call, running, count, encoded);
            const auto counted = [&](std::string (*name)(const std::string&)) { return plus(name(p), name(d)); };
            // A sum of no rows is NULL; an average's NULL comes from its division.
            std::vector<tree::expr> updated{total, nn};
            if (call.func == ir::agg_func::sum)
                updated[0] = tree::case_when({{tree::gt(nn, tree::integer(0)),
                                               finite_kept ? special_or(counted(nan_count), counted(pinf_count), counted(ninf_count), total) : total}});
            for (int sc : counted_scales(call)) updated.push_back(count(sc));
            if (encoded) {
                // (An input of a scale past the slots: the largest present is not known.)
                const tree::expr slot_free = tree::lt(*encoded, scale_power(scale_slots));
                if (l.opts().data_exception_recomputes) {
                    updated.push_back(tree::case_when({{slot_free, *encoded}}, past_the_slots(*encoded)));
                } else {
                    updated.push_back(*encoded);
                    if (!fast.is(false)) when = known_or::of(tree::all_of({when.sql(), slot_free}));
                }
            }
            if (nan_counted(call)) updated.push_back(counted_nans(i, running, fast, when, plus));
            if (specials) {
                updated.push_back(counted(pinf_count));
                updated.push_back(counted(ninf_count));
                if (finite_kept)
                    updated.push_back(tree::case_when({{any_special(counted(nan_count), counted(pinf_count), counted(ninf_count)), running}}));
            }
            return updated;
        }
        default: {
            const tree::expr o = old(cols[0].name), ins = change(d + "_ins"), del = change(d + "_del");
            // The stored extreme stays while no row was deleted, or (deleted_extreme_kept) while
            // every deleted value lies strictly inside it.
            tree::expr kept = tree::negation(tree::coalesce({del, tree::boolean(false)}));
            if (deleted_extreme_kept(call)) {
                const bool largest = call.func == ir::agg_func::max || call.func == ir::agg_func::bool_or;
                const tree::expr inside = largest ? tree::lt(del, o) : tree::gt(del, o);
                kept = tree::any_of({tree::is_null(del), tree::coalesce({inside, tree::boolean(false)})});
            }
            if (!fast.is(false)) when = known_or::of(tree::all_of({fast.sql(), kept}));
            if (call.func == ir::agg_func::min) return {tree::least({o, ins})};
            if (call.func == ir::agg_func::max) return {tree::greatest({o, ins})};
            const tree::expr both = call.func == ir::agg_func::bool_and ? tree::all_of({o, ins}) : tree::any_of({o, ins});
            return {tree::coalesce({both, o, ins})};
        }
        }
    }

    /// Aggregate `i`'s new count of NaN inputs. Where its running sum `sum` (the stored one plus
    /// the change's) takes every input (storage made before infinities_counted), `when` narrowed
    /// to where that sum holds: a sum that took a NaN or opposite infinities is NaN, right while
    /// the count is positive, and the group whose NaNs are all gone is recomputed.
    tree::expr counted_nans(std::size_t i, const tree::expr& sum, const known_or& fast, known_or& when,
                            const std::function<tree::expr(const std::string&, const std::string&)>& plus) const {
        const tree::expr nans = plus(nan_count(prefix(i)), nan_count("__pgt_d" + std::to_string(i)));
        if (!fast.is(false) && !infinities_counted(a.aggs[i]))
            when = known_or::of(tree::all_of({when.sql(), tree::any_of({tree::gt(nans, tree::integer(0)), tree::is_distinct(sum, numeric_nan())})}));
        return nans;
    }

    /// new_state_columns by name.
    std::map<std::string, tree::expr> new_state(const column_fn& old, const column_fn& change, const known_or& existed,
                                                const key_fn& key) const {
        std::map<std::string, tree::expr> state;
        for (auto& [name, expr] : new_state_columns(old, change, existed, key)) state.emplace(name, std::move(expr));
        return state;
    }

    /// The row id of the group whose keys are the change summary's columns seen through `alias`.
    tree::expr summary_row_id(const std::string& alias) const {
        std::vector<tree::expr> values;
        std::vector<sql_type> types;
        for (std::size_t j = 0; j < a.group_by.size(); ++j) {
            values.push_back(tree::col(alias, g(j)));
            types.push_back(a.group_by[j]->type);
        }
        return group_row_id(l, values, types);
    }

    /// A touched group's stored row from its new state (as `state` renders each state column,
    /// `key(j)` its keys), with HAVING and the final expressions folded into expressions:
    /// row id, the output's columns, the state columns, then whether it is visible.
    std::vector<tree::expr> stored_row(const std::map<std::string, tree::expr>& state, const key_fn& key) const {
        auto col = [&](const std::string& c) { return state.at(c); };
        std::vector<tree::expr> key_values;
        std::vector<sql_type> key_types;
        std::vector<tree::expr> values; // the node's output columns, then each post node's
        for (std::size_t j = 0; j < a.group_by.size(); ++j) {
            key_values.push_back(key(j));
            key_types.push_back(a.group_by[j]->type);
            values.push_back(key(j));
        }
        for (std::size_t i = 0; i < a.aggs.size(); ++i) values.push_back(value(i, col));
        tree::expr visible = a.group_by.empty() ? tree::boolean(true) : tree::gt(col("__pgt_count"), tree::integer(0));
        for (int p : post) {
            const auto& pn = l.node(p);
            // The post node's expressions over the values so far (each an atom: the tree parenthesises).
            auto in = [&](int i) { return tree::render(values.at(static_cast<std::size_t>(i))); };
            if (pn.op == circuit_op::filter) {
                const tree::expr holds = tree::rendered(sql::render(*std::get<ir::filter>(pn.rel->node).predicate, in));
                visible = tree::all_of({visible, tree::coalesce({holds, tree::boolean(false)})});
                continue;
            }
            std::vector<tree::expr> next;
            for (const auto& e : std::get<ir::project>(pn.rel->node).exprs) next.push_back(tree::rendered(sql::render(*e, in)));
            values = std::move(next);
        }
        std::vector<tree::expr> row{group_row_id(l, key_values, key_types)};
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

std::vector<std::string> nan_count_columns(const circuit& c) {
    std::vector<std::string> names;
    const auto& a = std::get<ir::aggregate>(c.nodes[static_cast<std::size_t>(c.state_node)].rel->node);
    for (std::size_t i = 0; i < a.aggs.size(); ++i)
        if (nan_counted(a.aggs[i])) names.push_back(nan_count(prefix(i)));
    return names;
}

std::vector<std::string> infinity_count_columns(const circuit& c) {
    std::vector<std::string> names;
    const auto& a = std::get<ir::aggregate>(c.nodes[static_cast<std::size_t>(c.state_node)].rel->node);
    for (std::size_t i = 0; i < a.aggs.size(); ++i) {
        if (!infinities_counted(a.aggs[i])) continue;
        names.push_back(pinf_count(prefix(i)));
        names.push_back(ninf_count(prefix(i)));
        if (a.aggs[i].func == ir::agg_func::sum && ir::maintenance_of(a.aggs[i]) == ir::agg_maintenance::linear)
            names.push_back(finite_sum(prefix(i)));
    }
    return names;
}

std::vector<std::string> stored_aggregate_state_columns(const lowering& l, int id) {
    std::vector<std::string> names;
    for (const auto& c : state_columns(std::get<ir::aggregate>(l.node(id).rel->node))) names.push_back(c.name);
    return names;
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
    const tree::query rows = al.finish(al.state_select(l.new_sql(al.child)));
    tree::select r({tree::col("f", "__pgt_row_id")});
    for (auto& c : l.columns(al.output, "f")) r.items.push_back(std::move(c));
    for (const auto& h : al.hidden_state()) r.items.emplace_back(tree::col("f", h.name));
    r.from(tree::from(rows, "f")).where(tree::col("f", "__pgt_visible"));
    return tree::render(r);
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
tree::expr same_group(const aggregate_lowering& al, const std::vector<tree::expr>& d_keys, const tree::expr& d_row_id) {
    if (!plain_keys(al)) return tree::eq(tree::col("t", "__pgt_row_id"), d_row_id);
    std::vector<tree::expr> eq;
    for (std::size_t j = 0; j < d_keys.size(); ++j)
        eq.push_back(tree::compare("=", tree::col("t", al.l.names(al.node)[j]), d_keys[j], al.a.group_by[j]->type));
    return eq.empty() ? tree::boolean(true) : tree::all_of(std::move(eq));
}

/// same_group of a row `d` of a node's output (its row id and key columns).
tree::expr same_output_group(const aggregate_lowering& al, const std::string& d) {
    std::vector<tree::expr> keys;
    for (std::size_t j = 0; j < al.a.group_by.size(); ++j) keys.push_back(tree::col(d, al.l.names(al.node)[j]));
    return same_group(al, keys, tree::col(d, "__pgt_row_id"));
}

/// The new output and state of each group the change touches (with `__pgt_visible`), from
/// the state stored in `storage_table`.
tree::query touched_groups(aggregate_lowering& al, const std::string& storage_table) {
    lowering& l = al.l;
    const auto dc = l.delta(al.child);
    const std::string summary = l.add_cte(al.cte_prefix + "changed_groups", "n" + std::to_string(al.node) + ": change per touched group",
                                          tree::render(al.change_summary(*dc)));
    if (al.cte_prefix.empty()) l.mark_stage_point();
    std::vector<tree::expr> key_values;
    std::vector<sql_type> key_types;
    for (std::size_t j = 0; j < al.a.group_by.size(); ++j) {
        key_values.push_back(tree::col("d", al.g(j)));
        key_types.push_back(al.a.group_by[j]->type);
    }
    const bool located = stored_rows_located(l.opts());
    tree::select stored({tree::all("d"), tree::as(tree::is_not_null(tree::col("t", "__pgt_row_id")), existed_column)});
    for (const auto& h : state_columns(al.a)) stored.items.push_back(tree::as(tree::col("t", al.stored_name(h.name)), "__pgt_old" + h.name));
    tree::relation stored_rows = tree::from(storage_table, "t");
    const bool distributed = !l.opts().distribution_column.empty() && al.cte_prefix.empty();
    // (Groups matched on their keys are not looked up by row id: equal keys may print apart.)
    const bool read_by_row_id = distributed || (l.opts().few_changes && !plain_keys(al));
    if (read_by_row_id) {
        // The touched groups' rows are read first, by their row ids through the index: Citus
        // would otherwise fetch a distributed table whole for this outer join (this way each
        // shard answers by its index), and PostgreSQL would scan a small storage whole.
        tree::select ids({group_row_id(l, key_values, key_types)});
        ids.from(summary, "d");
        tree::select touched({tree::all("t")});
        if (located) touched.items.push_back(tree::as(tree::col("t", "ctid"), stored_ctid_column));
        const tree::expr row_id = tree::col("t", "__pgt_row_id");
        tree::expr wanted = distributed ? tree::quantified("=", row_id, true, ids) : tree::equals_any(row_id, ids);
        if (auto among = distributed ? among_shard_values("t", l.opts().distribution_column, l.opts().shard_values_param) : std::nullopt)
            wanted = tree::all_of({std::move(wanted), std::move(*among)});
        touched.from(storage_table, "t").where(std::move(wanted));
        stored_rows = tree::from(l.add_cte(al.cte_prefix + "stored_rows",
                                           distributed ? "their stored rows, read from the shards" : "their stored rows, by row id",
                                           tree::render(touched)),
                                 "t");
    }
    if (located) stored.items.push_back(tree::as(tree::col("t", read_by_row_id ? stored_ctid_column : "ctid"), stored_ctid_column));
    stored.from(tree::join(tree::from(summary, "d"), tree::join_kind::left, std::move(stored_rows),
                           same_group(al, key_values, group_row_id(l, key_values, key_types))));
    const std::string cur =
        l.add_cte(al.cte_prefix + "stored_groups", "their stored state (the integral kept in " + storage_table + ")", tree::render(stored));
    const std::string next = l.add_cte(al.cte_prefix + "new_state", "new state per touched group", tree::render(al.new_state(cur)));
    tree::select new_rows({tree::all("")});
    new_rows.from(next, "");
    // (A state column is read twice, as output and as state: pulled up, a subquery in it would
    // run once per reading.)
    if (al.has_subquery_column) new_rows.offset(0);
    return al.finish(new_rows, true);
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
    return tree::render(touched_groups(al, storage_table));
}

namespace {

/// Whether group keys `x` and `y` of type `type` are the same key, as their row ids tell: by the
/// type's own equality where PostgreSQL's catalog has it (the row id's text of equal values is
/// alike), else by that text.
tree::expr same_key(const std::string& x, const std::string& y, const sql_type& type) {
    if (type.kind != type_kind::other) return tree::rendered(null_safe_eq(x, y, type));
    return tree::rendered(null_safe_eq(sql::hash_text(x, type), sql::hash_text(y, type), make_type(type_kind::text)));
}

/// `"col" = value` for each storage column but the row id, from a stored_row.
std::vector<tree::assignment> set_list(const layout& lay, const std::vector<tree::expr>& row) {
    std::vector<tree::assignment> set;
    for (std::size_t i = 1; i < lay.columns.size(); ++i) set.push_back({lay.columns[i].name, row[i]});
    return set;
}

} // namespace

aggregate_merge_statements aggregate_merge(lowering& l, const layout& lay, const std::string& storage_table) {
    const circuit& c = l.graph();
    aggregate_lowering al{l, c.state_node, c.post, ""};
    const auto dc = l.delta(al.child);
    const std::string summary =
        l.add_cte("changed_groups", "n" + std::to_string(al.node) + ": change per touched group", tree::render(al.change_summary(*dc)));
    auto key = [&](std::size_t j) { return tree::col("d", al.g(j)); };
    // The group's new row when it was stored (t: its stored state) and when it was not.
    auto row = [&](bool stored) {
        std::map<std::string, sql_type> types;
        for (const auto& h : state_columns(al.a)) types.emplace(h.name, h.type);
        return al.stored_row(al.new_state([&](const std::string& col) {
                                 return stored ? tree::col("t", al.stored_name(col)) : tree::cast(tree::null(), types.at(col));
                             },
                                          [](const std::string& d) { return tree::col("d", d); }, known_or::of(stored), key),
                             key);
    };
    const auto matched = row(true), unmatched = row(false);
    std::vector<std::string> names;
    for (const auto& col : lay.columns) names.push_back(col.name);
    const auto set = set_list(lay, matched);
    const tree::expr same = tree::eq(tree::col("t", "__pgt_row_id"), al.summary_row_id("d"));
    tree::merge m{storage_table, "t", tree::from(summary, "d"), same,
                  {{tree::negation(matched.back()), {}}, {std::nullopt, set}},
                  {{unmatched.back(), names, std::vector<tree::expr>(unmatched.begin(), unmatched.end() - 1)}}}; // (all but the visibility)
    aggregate_merge_statements out;
    out.merge = tree::render(m);
    // One row touches one group, most often stored and staying: PostgreSQL flattens the row's
    // parameters into an UPDATE through the row id's index, a plan far smaller than the MERGE's.
    if (l.single_row(al.child))
        out.update = tree::render(tree::update{storage_table, "t", set, {tree::from(summary, "d")}, tree::all_of({same, matched.back()}), {}});
    return out;
}

std::string aggregate_pair_update(lowering& first, lowering& second, const layout& lay, const std::string& storage_table) {
    const circuit& c = first.graph();
    aggregate_lowering one{first, c.state_node, c.post, ""}, other{second, c.state_node, c.post, ""};
    const std::string comment = "n" + std::to_string(one.node) + ": change of the group, by the row's ";
    const std::string a = first.add_cte("changed_groups", comment + "old version", tree::render(one.change_summary(*first.delta(one.child))));
    const std::string b =
        second.add_cte("changed_groups", comment + "new version", tree::render(other.change_summary(*second.delta(other.child))));
    // The group's keys as the new version has them (equal to the old's; a key that prints
    // otherwise, numeric 1.0 updated to 1.00, is shown as the query now shows it).
    auto key = [&](std::size_t j) { return tree::col("b", one.g(j)); };
    auto stored = [&](const std::string& col) { return tree::col("t", one.stored_name(col)); };
    // Additive state takes the two changes' sum (NULL counting as 0, as plus() has it); the rest
    // (extremes, XORs) the stored state with the old version's change folded in, then the new's.
    const auto summed = one.new_state(
        stored,
        [](const std::string& d) {
            const tree::expr x = tree::col("a", d), y = tree::col("b", d);
            // A row's counts are never NULL (change_summary).
            if (d == "__pgt_dcount" || d.ends_with("_nn") || d.ends_with("_n")) return tree::plus(x, y);
            return tree::plus(zero_if_null(x), zero_if_null(y));
        },
        known_or::of(true), key);
    const auto between = one.new_state(stored, [](const std::string& d) { return tree::col("a", d); }, known_or::of(true), key);
    auto state = one.new_state([&](const std::string& col) { return between.at(col); },
                               [](const std::string& d) { return tree::col("b", d); }, known_or::of(true), key);
    for (auto& [col, expr] : state)
        if (one.additive(col)) expr = summed.at(col);
    const auto row = one.stored_row(state, key);
    // Both versions in the stored group: its row id once, and their keys alike.
    std::vector<tree::expr> same{tree::eq(tree::col("t", "__pgt_row_id"), one.summary_row_id("a"))};
    for (std::size_t j = 0; j < one.a.group_by.size(); ++j)
        same.push_back(same_key(sql::column("a", one.g(j)), sql::column("b", one.g(j)), one.a.group_by[j]->type));
    // The group keeps its row count (one row out, one in): without HAVING it stays visible.
    if (one.having) same.push_back(row.back());
    return tree::render(
        tree::update{storage_table, "t", set_list(lay, row), {tree::from(a, "a"), tree::from(b, "b")}, tree::all_of(std::move(same)), {}});
}

std::string stored_aggregate_full_load(lowering& l, int id) {
    aggregate_lowering al{l, id, {}, "n" + std::to_string(id) + "_"};
    return l.with(full_rows(al));
}

std::vector<std::string> stored_aggregate_keys(const lowering& l, int id) {
    std::vector<std::string> keys;
    const auto& a = std::get<ir::aggregate>(l.node(id).rel->node);
    for (std::size_t j = 0; j < a.group_by.size(); ++j)
        if (a.group_by[j]->type.equality) keys.push_back(sql::ident(l.names(id)[j]));
    return keys;
}

std::optional<std::string> delta_stored_aggregate(lowering& l, int id, const std::string& state_table) {
    if (!l.delta(l.node(id).inputs[0])) return std::nullopt;
    const std::string tag = "n" + std::to_string(id) + "_";
    aggregate_lowering al{l, id, {}, tag};
    const std::string next = l.add_cte(tag + "touched", "n" + std::to_string(id) + ": new output and state of touched groups",
                                       tree::render(touched_groups(al, state_table)));
    const tree::expr same = same_output_group(al, "n");
    const tree::expr visible = tree::col("n", "__pgt_visible");
    // The rows after the change: the stored groups not touched, and the touched ones visible now.
    tree::select untouched(l.columns(id, "t")), now_visible(l.columns(id, "n"));
    untouched.from(state_table, "t").where(tree::negation(tree::exists(tree::select({tree::integer(1)}).from(next, "n").where(same))));
    now_visible.from(next, "n").where(visible);
    l.set_stored_new(id, tree::parenthesised(tree::union_all({untouched, now_visible})));
    l.add_state_update(aggregate_apply_ctes(state_table_layout(l, id, state_columns(al.a)), state_table, next, tag,
                                            tree::render(same_output_group(al, "d")),
                                            stored_rows_located(l.opts()) ? stored_rows_known::location : stored_rows_known::existence));
    // Groups whose output row prints the same (a MAX the change did not reach) are no change.
    const tree::expr differs = tree::is_distinct(tree::rendered(l.row_prints(id, "t")), tree::rendered(l.row_prints(id, "n")));
    tree::select inserted(l.columns(id, "n")), deleted(l.columns(id, "t"));
    inserted.items.push_back(tree::as(tree::integer(1), weight));
    inserted.from(tree::join(tree::from(next, "n"), tree::join_kind::left, tree::from(state_table, "t"), same))
        .where(tree::all_of({visible, tree::any_of({tree::is_null(tree::col("t", "__pgt_row_id")), differs})}));
    deleted.items.emplace_back(tree::integer(-1));
    deleted.from(tree::join(tree::from(state_table, "t"), tree::join_kind::inner, tree::from(next, "n"), same))
        .where(tree::any_of({tree::negation(visible), differs}));
    return l.add_cte("d" + std::to_string(id) + "_aggregate", "n" + std::to_string(id) + ": aggregate — new minus stored output of touched groups",
                     tree::render(tree::union_all({inserted, deleted})));
}

} // namespace pgt::lower::detail
