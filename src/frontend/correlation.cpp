#include "frontend/correlation.hpp"

#include "frontend/operators.hpp"
#include "frontend/scope.hpp"
#include "frontend/translate_expr.hpp"

namespace pgt::frontend {

ir::expr_ptr correlation::import(context& ctx, const ir::expr_ptr& value, bool nested, int location) {
    std::size_t i = 0;
    while (i < values_.size() && !ir::equivalent(*values_[i], *value)) ++i;
    if (i == values_.size()) values_.push_back(value);
    if (mode_ == mode::discover) {
        types_.resize(values_.size());
        types_[i] = value->type;
        nested_ |= nested;
        in_from_ |= where == place::from;
        in_lateral_ |= where == place::lateral;
        in_select_ |= where == place::select;
        elsewhere_ |= where == place::elsewhere;
        // Each outer value gets its own stand-in, so that a subquery nested in this one tells
        // two outer values of one type apart during its own discovery.
        auto stand_in = std::make_shared<ir::expr>(*placeholder(value->type));
        stand_in->name = "outer#" + std::to_string(i);
        return stand_in;
    }
    if (i >= types_.size())
        ctx.fail(sqlstate::internal_error, "correlated reference not seen while discovering the subquery", location);
    return ir::make_column(static_cast<int>(mode_ == mode::pull_up ? width + static_cast<int>(i) : static_cast<int>(i)),
                           types_[i]);
}

std::optional<correlation::mode> correlation::choice(bool lateral) const {
    if (values_.empty()) return std::nullopt;
    if (!complex && !nested_ && !elsewhere_ && !in_lateral_ && !(lateral && in_select_)) return mode::pull_up;
    return mode::lift;
}

const correlation_decision& discover(context& ctx, const void* key, bool lateral,
                                     const std::function<void(context&, correlation&)>& translate) {
    auto& cache = ctx.decisions();
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    correlation_decision d;
    {
        // The scratch copy's side effects (sources, refusals, locations) are discarded: the
        // real translation repeats them.
        context scratch = ctx;
        correlation c;
        translate(scratch, c);
        d.mode = c.choice(lateral);
        d.types = c.types();
        if (c.reads_in_from()) d.refusal = "correlated reference in the FROM clause of a subquery";
    }
    return cache.emplace(key, std::move(d)).first->second;
}

std::vector<ir::column> d_columns(const std::vector<sql_type>& types) {
    std::vector<ir::column> cols;
    for (std::size_t i = 0; i < types.size(); ++i) cols.push_back({"__outer" + std::to_string(i), types[i], false});
    return cols;
}

ir::rel_ptr make_d(const ir::rel_ptr& outer, const std::vector<ir::expr_ptr>& values) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < values.size(); ++i) names.push_back("__outer" + std::to_string(i));
    ir::rel_ptr p = make_project(outer, values, names);
    return ir::make_rel(ir::distinct{true}, {p}, p->columns);
}

namespace {
ir::rel_ptr replace(const ir::rel_ptr& r, const ir::rel* from, const ir::rel_ptr& to,
                    std::map<const ir::rel*, ir::rel_ptr>& done) {
    if (r.get() == from) return to;
    if (auto it = done.find(r.get()); it != done.end()) return it->second;
    std::vector<ir::rel_ptr> inputs;
    bool changed = false;
    for (const auto& in : r->inputs) {
        inputs.push_back(replace(in, from, to, done));
        changed |= inputs.back() != in;
    }
    ir::rel_ptr out = changed ? ir::make_rel(r->node, std::move(inputs), r->columns) : r;
    done.emplace(r.get(), out);
    return out;
}
} // namespace

ir::rel_ptr replace_rel(const ir::rel_ptr& root, const ir::rel* from, const ir::rel_ptr& to) {
    std::map<const ir::rel*, ir::rel_ptr> done;
    return replace(root, from, to, done);
}

ir::expr_ptr same_value(context& ctx, const ir::expr_ptr& outer, const ir::expr_ptr& column, bool outer_not_null) {
    const bool comparable = outer->type.kind != type_kind::other && outer->type.kind != type_kind::unknown;
    if (outer_not_null && comparable) return make_operator(ctx, "=", outer, column, -1);
    auto e = std::make_shared<ir::expr>(*ir::make_node(ir::expr_kind::is_distinct_from, make_type(type_kind::boolean),
                                                       {outer, column}));
    e->negated = true;
    return e;
}

} // namespace pgt::frontend
