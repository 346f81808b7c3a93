#include "frontend/grouping.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "frontend/coerce.hpp"

namespace pgt::frontend {

namespace {

using ir::expr_ptr;

class rebaser {
public:
    rebaser(context& ctx, const std::vector<column_origin>& origins, std::vector<expr_ptr> keys,
            const agg_collector& aggs, bool functional_dependency)
        : ctx_(ctx), origins_(origins), keys_(std::move(keys)), functional_dependency_(functional_dependency) {
        for (std::size_t i = 0; i < aggs.results.size(); ++i) agg_index_[aggs.results[i].get()] = static_cast<int>(i);
    }

    const std::vector<expr_ptr>& keys() const { return keys_; }

    // Finds columns read outside keys and aggregates: an error, or a new key when a grouped
    // primary key determines them. `by_subquery`: the value is read by a subquery.
    void check(const expr_ptr& e, bool by_subquery = false) {
        if (agg_index_.contains(e.get()) || key_of(*e) >= 0) return;
        if (e->kind == ir::expr_kind::column) {
            // (Once the query is not maintained, as with an aggregate of this level's columns
            // inside the subquery, whether it is valid is the server's to judge.)
            if (!functionally_dependent(e->index) && !(by_subquery && ctx_.has_unsupported())) {
                const column_origin& o = origins_.at(static_cast<std::size_t>(e->index));
                const std::string column = "\"" + o.refname + "." + o.name + "\"";
                ctx_.fail(sqlstate::grouping_error,
                          by_subquery ? "subquery uses ungrouped column " + column + " from outer query"
                                      : "column " + column + " must appear in the GROUP BY clause or be used in an aggregate function",
                          ctx_.location_of(e.get()));
            }
            keys_.push_back(ir::make_column(e->index, e->type));
            return;
        }
        for (const auto& a : e->args) check(a, by_subquery);
    }

    // `e` over the aggregate's output: keys first, then aggregate j at keys().size() + j.
    expr_ptr rebase(const expr_ptr& e) const {
        if (auto it = agg_index_.find(e.get()); it != agg_index_.end())
            return ir::make_column(static_cast<int>(keys_.size()) + it->second, e->type);
        if (int k = key_of(*e); k >= 0) return ir::make_column(k, e->type);
        if (e->args.empty()) return e;
        auto copy = std::make_shared<ir::expr>(*e);
        for (auto& a : copy->args) a = rebase(a);
        return copy;
    }

private:
    int key_of(const ir::expr& e) const {
        if (e.kind == ir::expr_kind::constant) return -1;
        for (std::size_t i = 0; i < keys_.size(); ++i)
            if (ir::equivalent(e, *keys_[i])) return static_cast<int>(i);
        return -1;
    }

    // PostgreSQL accepts columns of a table whose primary key is grouped (plain columns).
    bool functionally_dependent(int column) const {
        if (!functional_dependency_) return false;
        const column_origin& o = origins_.at(static_cast<std::size_t>(column));
        if (!o.table || o.table->primary_key.empty()) return false;
        return std::ranges::all_of(o.table->primary_key, [&](int pk) {
            return std::ranges::any_of(keys_, [&](const expr_ptr& k) {
                if (k->kind != ir::expr_kind::column) return false;
                const column_origin& ko = origins_.at(static_cast<std::size_t>(k->index));
                return ko.range_id == o.range_id && ko.table_column == pk;
            });
        });
    }

    context& ctx_;
    const std::vector<column_origin>& origins_;
    std::vector<expr_ptr> keys_;
    bool functional_dependency_;
    std::unordered_map<const ir::expr*, int> agg_index_;
};

std::string key_name(const ir::expr& key, const std::vector<ir::column>& input) {
    if (key.kind == ir::expr_kind::column) return input.at(static_cast<std::size_t>(key.index)).name;
    return "?column?";
}

} // namespace

grouped build_grouping(context& ctx, const ir::rel_ptr& input, const std::vector<column_origin>& origins,
                       const agg_collector& aggs, grouping_request req) {
    rebaser rb(ctx, origins, std::move(req.keys), aggs, req.functional_dependency);
    for (const auto& t : req.targets) rb.check(t);
    if (req.having) rb.check(req.having);
    for (const auto& o : req.order_by) rb.check(o);
    for (const auto& e : req.extras) rb.check(e);
    for (const auto& e : req.subquery_outer) rb.check(e, true);

    auto rebase_all = [&](const std::vector<expr_ptr>& v) {
        std::vector<expr_ptr> r;
        for (const auto& e : v) r.push_back(rb.rebase(e));
        return r;
    };
    std::vector<expr_ptr> targets = rebase_all(req.targets), extras = rebase_all(req.extras),
                          outer = rebase_all(req.subquery_outer);
    expr_ptr having = req.having ? rb.rebase(req.having) : nullptr;

    // Keep the aggregates the result reads, renumbered.
    const int nkeys = static_cast<int>(rb.keys().size());
    std::set<int> used;
    auto collect_used = [&](const expr_ptr& e) {
        for (int c : ir::referenced_columns(*e))
            if (c >= nkeys) used.insert(c - nkeys);
    };
    for (const auto* list : {&targets, &extras, &outer})
        for (const auto& e : *list) collect_used(e);
    if (having) collect_used(having);

    ir::aggregate node{rb.keys(), {}};
    std::vector<ir::column> cols;
    std::vector<expr_ptr> remap;
    for (int k = 0; k < nkeys; ++k) {
        const auto& key = *rb.keys()[static_cast<std::size_t>(k)];
        cols.push_back({key_name(key, input->columns), key.type, never_null(key, input->columns)});
        remap.push_back(ir::make_column(k, key.type));
    }
    for (std::size_t j = 0; j < aggs.calls.size(); ++j) {
        const auto& call = aggs.calls[j];
        if (!used.contains(static_cast<int>(j))) {
            remap.push_back(nullptr);
            continue;
        }
        remap.push_back(ir::make_column(static_cast<int>(node.aggs.size()) + nkeys, call.type));
        node.aggs.push_back(call);
        if (!call.args.empty()) {
            auto& scales = node.aggs.back().arg_scales = ir::value_scales(*call.arg(), *input);
            const bool scales_known = scales.has_value();
            if (!ctx.opts.count_scales && scales && scales->size() > 1) scales.reset();
            node.aggs.back().counts_nans = ctx.opts.count_nans && call.arg()->type.kind == type_kind::numeric;
            node.aggs.back().counts_infinities = ctx.opts.count_infinities && node.aggs.back().counts_nans;
            node.aggs.back().never_infinite = node.aggs.back().counts_infinities && scales_known;
            node.aggs.back().encodes_scales = ctx.opts.encode_scales && !scales && call.arg()->type.kind == type_kind::numeric;
        }
        bool counts = call.func == ir::agg_func::count || call.func == ir::agg_func::count_star;
        cols.push_back({ir::agg_name(call), call.type, counts});
    }

    grouped out;
    out.rel = ir::make_rel(std::move(node), {input}, std::move(cols));
    if (req.after_aggregate) out.rel = req.after_aggregate(out.rel);
    auto remapped = [&](const std::vector<expr_ptr>& v) {
        std::vector<expr_ptr> r;
        for (const auto& e : v) r.push_back(ir::substitute_columns(e, remap));
        return r;
    };
    out.targets = remapped(targets);
    out.extras = remapped(extras);
    out.subquery_outer = remapped(outer);
    if (having) out.having = ir::substitute_columns(having, remap);
    return out;
}

} // namespace pgt::frontend
