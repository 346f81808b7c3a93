#pragma once
// Correlated subqueries. A subquery in an expression, or a LATERAL subquery, that reads
// columns of an enclosing query level gets a `correlation` for its own level; name
// resolution (scope.cpp) routes every such outer reference through it. Translation of the
// subquery runs in one of three modes, chosen after a discovery pass:
//
//   discover  outer references become typed stand-ins; the pass learns which outer values
//             the subquery reads and whether its shape allows pulling them up.
//   pull_up   a simple subquery (FROM, WHERE, select list, nothing else) whose outer
//             references stand in its WHERE and select list: they become columns past its
//             FROM row, and the WHERE conjuncts reading them become the condition that
//             relates a row of the subquery to an outer row.
//   lift      anything else: the subquery is evaluated once per distinct combination D of
//             the outer values it reads. D comes first in its FROM clause, its columns come
//             first in its result, and its aggregates group by them (Neumann and Kemper,
//             "Unnesting arbitrary queries", 2015).
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "frontend/context.hpp"

namespace pgt::frontend {

class correlation {
public:
    using mode = correlation_mode;
    /// The clause of the subquery's own level being translated (where a reference stands):
    /// `lateral` is a LATERAL item (subquery or function) reading the level's FROM row to its
    /// left, which a lifted level starts with D: such a reference forces lifting.
    enum class place { from, lateral, where, select, elsewhere };

    correlation() = default;
    /// A bound mode with what discovery learnt: the types of the outer values, in order.
    correlation(mode m, std::vector<sql_type> types) : mode_(m), types_(std::move(types)) {}

    mode current_mode() const { return mode_; }
    /// The outer values read, each over the enclosing level's row, in order of first use.
    const std::vector<ir::expr_ptr>& values() const { return values_; }
    const std::vector<sql_type>& types() const { return types_; }

    /// A reference to `value` (over the enclosing level's row) made in this level or, when
    /// `nested`, in a subquery inside it. Returns the expression that stands for it here.
    ir::expr_ptr import(context& ctx, const ir::expr_ptr& value, bool nested, int location);

    /// Set by the level's translation as it goes.
    place where = place::where;
    /// Discovery: the level has a shape pull-up cannot take (grouping, DISTINCT, a set
    /// operation, VALUES, a subquery expression of its own).
    bool complex = false;
    /// pull_up: the FROM row's width (reference i is column width + i), then the results:
    /// the WHERE conjuncts that read outer values, and the select list, over FROM row ++ references.
    int width = 0;
    ir::expr_ptr condition;
    std::vector<ir::expr_ptr> targets;
    std::vector<std::string> names;
    /// lift: the stand-in for D (columns `__outer0`, …), replaced once the outer rows are known.
    ir::rel_ptr d;

    /// How the subquery can be translated, after discovery: nullopt when it reads no outer
    /// value. A LATERAL item pulls up only outer values read in WHERE (its select list
    /// becomes the item's columns, which an outer join must be able to pad with NULLs).
    std::optional<mode> choice(bool lateral) const;
    /// Discovery: an outer value is read inside the level's FROM clause (unsupported).
    bool reads_in_from() const { return in_from_; }

private:
    mode mode_ = mode::discover;
    std::vector<sql_type> types_;
    std::vector<ir::expr_ptr> values_;
    bool nested_ = false, in_from_ = false, in_lateral_ = false, in_select_ = false, elsewhere_ = false;
};

/// Sets a correlation's `where` for the scope's duration (nothing without a correlation).
class place_scope {
public:
    place_scope(correlation* c, correlation::place p) : c_(c), saved_(c ? c->where : p) {
        if (c_) c_->where = p;
    }
    ~place_scope() {
        if (c_) c_->where = saved_;
    }
    place_scope(const place_scope&) = delete;
    place_scope& operator=(const place_scope&) = delete;

private:
    correlation* c_;
    correlation::place saved_;
};

/// Runs discovery for the subquery node `key` (translating it with `translate` on a scratch
/// copy of `ctx`) unless already done, and returns the decision.
// The decision lives in ctx, not in `translate`: callers passing a lambda keep a reference to it,
// which GCC 13's -Wdangling-reference takes for one to the temporary std::function.
#if __has_cpp_attribute(gnu::no_dangling)
[[gnu::no_dangling]]
#endif
const correlation_decision& discover(context& ctx, const void* key, bool lateral,
                                     const std::function<void(context&, correlation&)>& translate);

/// The columns of D for the outer value types (`__outer0`, …).
std::vector<ir::column> d_columns(const std::vector<sql_type>& types);

/// D itself: the distinct combinations of `values` (over `outer`'s rows).
ir::rel_ptr make_d(const ir::rel_ptr& outer, const std::vector<ir::expr_ptr>& values);

/// `root` with every occurrence of node `from` replaced by `to` (shared subtrees stay shared).
ir::rel_ptr replace_rel(const ir::rel_ptr& root, const ir::rel* from, const ir::rel_ptr& to);

/// `outer value ≡ column`: `=` when the value cannot be NULL, else IS NOT DISTINCT FROM (D
/// holds NULL combinations too).
ir::expr_ptr same_value(context& ctx, const ir::expr_ptr& outer, const ir::expr_ptr& column, bool outer_not_null);

} // namespace pgt::frontend
