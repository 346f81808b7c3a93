// Refusals with upstream pg_trickle's wording (API.md §6).
#include "frontend/hard_checks.hpp"

#include <optional>
#include <string>

#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

bool has_limit(const SelectStmt* s) {
    const Node* n = s->limitCount;
    return n && !(IsA(n, A_Const) && as<A_Const>(n)->isnull);
}

void check_into_and_locking(const context& ctx, const SelectStmt* s) {
    if (s->intoClause)
        ctx.fail(sqlstate::feature_not_supported, "SELECT INTO is not supported in defining queries",
                 s->intoClause->rel ? s->intoClause->rel->location : -1,
                 "Remove the INTO clause: the stream table stores the result.");
    if (list_length(s->lockingClause) > 0)
        ctx.fail(sqlstate::feature_not_supported,
                 "FOR UPDATE/FOR SHARE is not supported in defining queries. Stream tables do not "
                 "support row-level locking. Remove the FOR UPDATE/FOR SHARE clause.",
                 -1);
}

namespace {
// A LIMIT or OFFSET that is a non-negative integer constant.
std::optional<long long> constant_count(const Node* n) {
    if (!IsA(n, A_Const) || as<A_Const>(n)->isnull) return std::nullopt;
    const Node* v = reinterpret_cast<const Node*>(&as<A_Const>(n)->val);
    if (IsA(v, Integer)) return intVal(v) >= 0 ? std::optional<long long>(intVal(v)) : std::nullopt;
    if (IsA(v, Float)) {
        const std::string text = as<Float>(v)->fval;
        if (text.find_first_not_of("0123456789") == std::string::npos && text.size() < 18) return std::stoll(text);
    }
    return std::nullopt;
}
} // namespace

std::optional<row_limit> subquery_row_limit(context& ctx, const SelectStmt* s, bool exists_test) {
    const bool limited = has_limit(s);
    if (!limited && !s->limitOffset) return std::nullopt;
    row_limit r;
    if (limited) r.count = constant_count(s->limitCount);
    const auto offset = s->limitOffset ? constant_count(s->limitOffset) : std::optional<long long>(0);
    if ((limited && !r.count) || !offset) {
        ctx.unsupported("LIMIT or OFFSET that is not a constant", expr_location(limited && !r.count ? s->limitCount : s->limitOffset));
        return std::nullopt;
    }
    r.offset = *offset;
    // EXISTS asks whether a row exists, which a positive LIMIT alone leaves as it is.
    if (exists_test && r.offset == 0 && r.count && *r.count > 0) return std::nullopt;
    if (list_length(s->sortClause) == 0) {
        ctx.unsupported(std::string(limited ? "LIMIT" : "OFFSET") + " in a subquery without ORDER BY",
                        expr_location(limited ? s->limitCount : s->limitOffset));
        return std::nullopt;
    }
    r.with_ties = with_ties(s);
    if (r.with_ties && r.offset > 0) {
        ctx.unsupported("OFFSET with FETCH FIRST … WITH TIES in a subquery", expr_location(s->limitOffset));
        return std::nullopt;
    }
    return r;
}

top_level_order check_top_level_order_and_limit(context& ctx, const SelectStmt* s) {
    const bool limited = has_limit(s);
    const bool ordered = list_length(s->sortClause) > 0;
    if (limited && !ordered)
        ctx.fail(sqlstate::feature_not_supported,
                 "LIMIT is not supported in defining queries without ORDER BY. Use ORDER BY + LIMIT "
                 "for TopK stream tables, or omit LIMIT to materialize the full result set.",
                 expr_location(s->limitCount));
    if (s->limitOffset && !(limited && ordered))
        ctx.fail(sqlstate::feature_not_supported,
                 "OFFSET is not supported in defining queries without ORDER BY + LIMIT. Use ORDER BY "
                 "+ LIMIT + OFFSET for paged TopK stream tables, or omit OFFSET to materialize the "
                 "full result set.",
                 expr_location(s->limitOffset));
    top_level_order out;
    if (limited) {
        const auto limit = constant_count(s->limitCount);
        const auto offset = s->limitOffset ? constant_count(s->limitOffset) : std::optional<long long>(0);
        if (!limit || !offset) {
            ctx.unsupported("LIMIT or OFFSET that is not a constant", expr_location(limit ? s->limitOffset : s->limitCount));
        } else {
            out.topk.emplace();
            out.topk->limit = *limit;
            out.topk->offset = *offset;
            out.topk->with_ties = with_ties(s);
        }
    }
    // With DISTINCT ON the ORDER BY chooses the row kept for each key: it is honoured.
    const bool distinct_on = list_length(s->distinctClause) > 0 && linitial(s->distinctClause) != nullptr;
    out.ignored = ordered && !limited && !distinct_on;
    return out;
}

} // namespace pgt::frontend
