// Nodes that hold no row whatever their sources hold. Random and generated queries carry
// conditions that can never be true (`CAST(NULL AS t) <> x`, an EXISTS over such a subquery):
// PostgreSQL folds them and skips the joins beneath, while differentiating those joins would
// build every change's product with the other inputs only to filter it all away.
#include <algorithm>
#include <set>

#include "pgt/circuit.hpp"

namespace pgt {

namespace {

/// What holds for every row of a node's output: whether it has none, and which of its
/// columns are always NULL or always FALSE.
struct facts {
    bool rowless = false;
    std::set<int> null, false_;

    /// `other`'s columns, from column `offset` on.
    void add(const facts& other, int offset) {
        for (int c : other.null) null.insert(c + offset);
        for (int c : other.false_) false_.insert(c + offset);
    }
};

/// Whether `e` is NULL for every row: a NULL constant or column under strict built-in
/// operators and casts (ir::strict_builtin).
bool always_null(const ir::expr& e, const facts& in) {
    auto any_arg = [&] { return std::ranges::any_of(e.args, [&](const ir::expr_ptr& a) { return always_null(*a, in); }); };
    switch (e.kind) {
    case ir::expr_kind::column: return in.null.contains(e.index);
    case ir::expr_kind::constant: return !e.literal;
    case ir::expr_kind::op:
    case ir::expr_kind::cast: return ir::strict_builtin(e) && any_arg();
    case ir::expr_kind::not_: return any_arg();
    default: return false;
    }
}

bool always_false(const ir::expr& e, const facts& in) {
    if (e.kind == ir::expr_kind::constant) return e.literal && (*e.literal == "false" || *e.literal == "f");
    return e.kind == ir::expr_kind::column && in.false_.contains(e.index);
}

/// Whether `e`, a condition, is never TRUE: FALSE or NULL for every row, or a conjunction with
/// such a conjunct, or a disjunction of such conditions alone.
bool never_true(const ir::expr& e, const facts& in) {
    auto never = [&](const ir::expr_ptr& a) { return never_true(*a, in); };
    if (e.kind == ir::expr_kind::and_) return std::ranges::any_of(e.args, never);
    if (e.kind == ir::expr_kind::or_) return std::ranges::all_of(e.args, never);
    return always_false(e, in) || always_null(e, in);
}

bool never_true(const ir::expr_ptr& condition, const facts& in) { return condition && never_true(*condition, in); }

facts facts_of(const circuit& c, const circuit_node& n, const std::vector<facts>& done) {
    auto input = [&](std::size_t i) -> const facts& { return done[static_cast<std::size_t>(n.inputs[i])]; };
    auto width = [&](std::size_t i) { return static_cast<int>(c.nodes[static_cast<std::size_t>(n.inputs[i])].rel->columns.size()); };
    facts out;
    switch (n.op) {
    case circuit_op::filter:
        out = input(0);
        out.rowless = out.rowless || never_true(std::get<ir::filter>(n.rel->node).predicate, input(0));
        break;
    case circuit_op::map: {
        out.rowless = input(0).rowless;
        const auto& exprs = std::get<ir::project>(n.rel->node).exprs;
        for (std::size_t i = 0; i < exprs.size(); ++i) {
            if (always_null(*exprs[i], input(0))) out.null.insert(static_cast<int>(i));
            else if (always_false(*exprs[i], input(0))) out.false_.insert(static_cast<int>(i));
        }
        break;
    }
    case circuit_op::distinct:
    case circuit_op::window: out = input(0); break; // (a window's own columns after its input's)
    case circuit_op::sublink: {
        out = input(0);
        const auto& s = std::get<ir::sublink>(n.rel->node);
        const int appended = width(0);
        // (Its condition and value read L ++ R: R's columns after L's.)
        facts both = input(0);
        both.add(input(1), appended);
        const bool no_row = input(1).rowless || never_true(s.condition, both);
        if (s.kind == ir::sublink_kind::exists || s.kind == ir::sublink_kind::any) {
            if (no_row) out.false_.insert(appended);
        } else if (s.kind == ir::sublink_kind::scalar) {
            if (no_row || (s.value && always_null(*s.value, both))) out.null.insert(appended);
        }
        break;
    }
    case circuit_op::table_function: out.rowless = !n.inputs.empty() && input(0).rowless; break;
    case circuit_op::aggregate: out.rowless = !std::get<ir::aggregate>(n.rel->node).group_by.empty() && input(0).rowless; break;
    case circuit_op::union_all:
        out.rowless = std::ranges::all_of(n.inputs, [&](int in) { return done[static_cast<std::size_t>(in)].rowless; });
        break;
    case circuit_op::join: {
        const auto& j = std::get<ir::join>(n.rel->node);
        facts both = input(0);
        both.add(input(1), width(0));
        switch (j.kind) {
        case ir::join_kind::inner:
            out = both;
            out.rowless = input(0).rowless || input(1).rowless || never_true(j.condition, both);
            break;
        case ir::join_kind::left:
        case ir::join_kind::right: {
            // The preserved side's columns as they are; the other's NULL where they were, and
            // all NULL when no row of it ever matches.
            const bool left_kept = j.kind == ir::join_kind::left;
            const std::size_t kept = left_kept ? 0 : 1, padded = left_kept ? 1 : 0;
            const int kept_at = left_kept ? 0 : width(0), padded_at = left_kept ? width(0) : 0;
            out.add(input(kept), kept_at);
            out.rowless = input(kept).rowless;
            for (int c : input(padded).null) out.null.insert(c + padded_at);
            if (input(padded).rowless || never_true(j.condition, both))
                for (int i = 0; i < width(padded); ++i) out.null.insert(padded_at + i);
            break;
        }
        case ir::join_kind::full:
            for (int c : input(0).null) out.null.insert(c);
            for (int c : input(1).null) out.null.insert(c + width(0));
            out.rowless = input(0).rowless && input(1).rowless;
            break;
        }
        break;
    }
    case circuit_op::set_operation:
        out.rowless = input(0).rowless || (std::get<ir::set_operation>(n.rel->node).kind == ir::set_op_kind::intersect && input(1).rowless);
        break;
    case circuit_op::constant: out.rowless = std::get<ir::values>(n.rel->node).rows.empty(); break;
    case circuit_op::source:
    case circuit_op::recursive:
    case circuit_op::recursive_ref: break;
    }
    return out;
}

} // namespace

std::vector<bool> rowless_nodes(const circuit& c) {
    std::vector<facts> done;
    done.reserve(c.nodes.size());
    std::vector<bool> rowless;
    for (const auto& n : c.nodes) {
        done.push_back(facts_of(c, n, done));
        rowless.push_back(done.back().rowless);
    }
    return rowless;
}

} // namespace pgt
