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
            const agg_collector& aggs)
        : ctx_(ctx), origins_(origins), keys_(std::move(keys)) {
        for (std::size_t i = 0; i < aggs.results.size(); ++i) agg_index_[aggs.results[i].get()] = static_cast<int>(i);
    }

    const std::vector<expr_ptr>& keys() const { return keys_; }

    // Finds columns read outside keys and aggregates: an error, or a new key when a grouped
    // primary key determines them.
    void check(const expr_ptr& e) {
        if (agg_index_.contains(e.get()) || key_of(*e) >= 0) return;
        if (e->kind == ir::expr_kind::column) {
            if (!functionally_dependent(e->index)) {
                const column_origin& o = origins_.at(static_cast<std::size_t>(e->index));
                ctx_.fail(sqlstate::grouping_error,
                          "column \"" + o.refname + "." + o.name +
                              "\" must appear in the GROUP BY clause or be used in an aggregate function",
                          ctx_.location_of(e.get()));
            }
            keys_.push_back(ir::make_column(e->index, e->type));
            return;
        }
        for (const auto& a : e->args) check(a);
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
    std::unordered_map<const ir::expr*, int> agg_index_;
};

std::string key_name(const ir::expr& key, const std::vector<ir::column>& input) {
    if (key.kind == ir::expr_kind::column) return input.at(static_cast<std::size_t>(key.index)).name;
    return "?column?";
}

} // namespace

grouped build_grouping(context& ctx, const ir::rel_ptr& input, const std::vector<column_origin>& origins,
                       std::vector<expr_ptr> keys, const agg_collector& aggs,
                       const std::vector<expr_ptr>& targets, const expr_ptr& having,
                       const std::vector<expr_ptr>& order_by) {
    rebaser rb(ctx, origins, std::move(keys), aggs);
    for (const auto& t : targets) rb.check(t);
    if (having) rb.check(having);
    for (const auto& o : order_by) rb.check(o);

    std::vector<expr_ptr> rebased;
    for (const auto& t : targets) rebased.push_back(rb.rebase(t));
    expr_ptr rebased_having = having ? rb.rebase(having) : nullptr;

    // Keep the aggregates the result reads, renumbered.
    const int nkeys = static_cast<int>(rb.keys().size());
    std::set<int> used;
    auto collect_used = [&](const expr_ptr& e) {
        for (int c : ir::referenced_columns(*e))
            if (c >= nkeys) used.insert(c - nkeys);
    };
    for (const auto& t : rebased) collect_used(t);
    if (rebased_having) collect_used(rebased_having);

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
        bool counts = call.func == ir::agg_func::count || call.func == ir::agg_func::count_star;
        cols.push_back({ir::agg_name(call.func), call.type, counts});
    }

    grouped out;
    out.rel = ir::make_rel(std::move(node), {input}, std::move(cols));
    if (rebased_having) {
        expr_ptr predicate = ir::substitute_columns(rebased_having, remap);
        out.rel = ir::make_rel(ir::filter{predicate}, {out.rel}, out.rel->columns);
    }
    for (const auto& t : rebased) out.targets.push_back(ir::substitute_columns(t, remap));
    return out;
}

} // namespace pgt::frontend
