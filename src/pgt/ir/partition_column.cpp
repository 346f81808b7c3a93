// Whether a query's rows split by one column's value, the way Citus pushes a query down to
// co-located shards: each row depends only on its sources' rows of that one value.
#include "pgt/ir/rel.hpp"

namespace pgt::ir {

namespace {

/// What a relation is to the analysis: `split` by output column `column`; `unsplit`, reading
/// no keyed table (every row depends on the whole of unkeyed tables only); or `mixed`.
struct split_by {
    enum { split, unsplit, mixed } kind = mixed;
    int column = -1;
};
const split_by mixed{};
const split_by unsplit{split_by::unsplit, -1};
split_by split_at(int column) { return {split_by::split, column}; }

/// Whether `e` is a plain reference to input column `column`.
bool reads_exactly(const expr_ptr& e, int column) { return e && e->kind == expr_kind::column && e->index == column; }

/// Whether `condition` (over L ++ R) holds `left = right` (built-in equality) among its conjuncts.
bool equates(const expr_ptr& condition, int left, int right) {
    return equates_column(condition, left, [&](const expr& other) { return other.kind == expr_kind::column && other.index == right; });
}

/// Output columns computed by `exprs` (a projection's, or an aggregate's group keys) over an
/// input split as `s`: split at the first that reads its split column as it is.
split_by carried(const split_by& s, const std::vector<expr_ptr>& exprs) {
    if (s.kind != split_by::split) return s;
    for (std::size_t i = 0; i < exprs.size(); ++i)
        if (reads_exactly(exprs[i], s.column)) return split_at(static_cast<int>(i));
    return mixed;
}

split_by analyse(const rel& r, const std::function<std::optional<int>(const table&)>& key_of);

/// Inputs whose rows pass through side by side (UNION ALL, INTERSECT, EXCEPT): split where
/// every split input is split at the same column.
split_by side_by_side(const rel& r, const std::function<std::optional<int>(const table&)>& key_of) {
    split_by out = unsplit;
    for (const auto& in : r.inputs) {
        const split_by s = analyse(*in, key_of);
        if (s.kind == split_by::mixed) return mixed;
        if (s.kind == split_by::unsplit) continue;
        if (out.kind == split_by::split && out.column != s.column) return mixed;
        out = s;
    }
    return out;
}

/// `inputs[0] ⋈ inputs[1]`: a row from one side split at k keeps k when the other side is
/// unsplit, or split at a column the condition equates with k. A side whose rows may appear
/// without a match (outer) must be the split one: its unmatched rows carry it.
split_by joined(const split_by& l, const split_by& r, int width, const expr_ptr& condition, bool left_preserved, bool right_preserved) {
    if (l.kind == split_by::mixed || r.kind == split_by::mixed) return mixed;
    if (l.kind == split_by::unsplit && r.kind == split_by::unsplit) return unsplit;
    if (l.kind == split_by::split && r.kind == split_by::split) {
        if (!condition || !equates(condition, l.column, r.column + width)) return mixed;
        if (left_preserved && right_preserved) return mixed; // (a FULL JOIN's unmatched rows hold NULL on either side)
        return right_preserved ? split_at(r.column + width) : split_at(l.column);
    }
    if (l.kind == split_by::split) return right_preserved ? mixed : l;
    return left_preserved ? mixed : split_at(r.column + width);
}

split_by analyse(const rel& r, const std::function<std::optional<int>(const table&)>& key_of) {
    return std::visit(
        [&](const auto& n) -> split_by {
            using T = std::decay_t<decltype(n)>;
            const auto input = [&](std::size_t i) { return analyse(*r.inputs.at(i), key_of); };
            if constexpr (std::is_same_v<T, scan>) {
                const auto key = key_of(*n.source);
                return key ? split_at(*key) : unsplit;
            } else if constexpr (std::is_same_v<T, values>) {
                return unsplit;
            } else if constexpr (std::is_same_v<T, filter> || std::is_same_v<T, distinct>) {
                return input(0);
            } else if constexpr (std::is_same_v<T, project>) {
                return carried(input(0), n.exprs);
            } else if constexpr (std::is_same_v<T, join>) {
                return joined(input(0), input(1), static_cast<int>(r.inputs[0]->columns.size()), n.condition,
                              n.kind == join_kind::left || n.kind == join_kind::full,
                              n.kind == join_kind::right || n.kind == join_kind::full);
            } else if constexpr (std::is_same_v<T, sublink>) {
                // Each row of L with a value over its rows of R: as an inner join for L's rows.
                const split_by l = input(0), rr = input(1);
                if (l.kind == split_by::unsplit && rr.kind == split_by::unsplit) return unsplit;
                if (l.kind != split_by::split) return mixed;
                return joined(l, rr, static_cast<int>(r.inputs[0]->columns.size()), n.condition, false, false);
            } else if constexpr (std::is_same_v<T, aggregate>) {
                return carried(input(0), n.group_by); // (its group keys come first)
            } else if constexpr (std::is_same_v<T, window>) {
                const split_by s = input(0);
                if (s.kind != split_by::split) return s;
                for (const auto& call : n.calls) {
                    bool within = false;
                    for (const auto& p : call.partition_by) within = within || reads_exactly(p, s.column);
                    if (!within) return mixed;
                }
                return s;
            } else if constexpr (std::is_same_v<T, table_function>) {
                return r.inputs.empty() ? unsplit : input(0);
            } else if constexpr (std::is_same_v<T, union_all> || std::is_same_v<T, set_operation>) {
                return side_by_side(r, key_of);
            } else {
                return mixed; // (recursion: its rounds may cross values)
            }
        },
        r.node);
}

} // namespace

std::optional<int> partition_column(const rel& r, const std::function<std::optional<int>(const table&)>& key_of) {
    const split_by s = analyse(r, key_of);
    if (s.kind != split_by::split) return std::nullopt;
    return s.column;
}

} // namespace pgt::ir
