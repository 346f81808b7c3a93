#include <algorithm>
#include <numeric>
#include <map>

#include "pgt/circuit.hpp"
#include "pgt/interrupts.hpp"

namespace pgt {

namespace {

struct builder {
    circuit& c;
    std::map<const ir::table*, int> source_index;
    std::map<const ir::rel*, int> built; ///< a subtree shared in the IR (a CTE, a subquery's outer rows) is one node

    int add(const ir::rel& r) {
        if (auto it = built.find(&r); it != built.end()) return it->second;
        check_interrupts();
        const int id = make(r);
        built.emplace(&r, id);
        return id;
    }

    int make(const ir::rel& r) {
        circuit_node n;
        n.rel = &r;
        for (const auto& in : r.inputs) n.inputs.push_back(add(*in));
        n.op = std::visit(
            [&](const auto& node) {
                using T = std::decay_t<decltype(node)>;
                if constexpr (std::is_same_v<T, ir::scan>) {
                    n.source = source_of(node.source);
                    return circuit_op::source;
                } else if constexpr (std::is_same_v<T, ir::filter>) {
                    return circuit_op::filter;
                } else if constexpr (std::is_same_v<T, ir::project>) {
                    return circuit_op::map;
                } else if constexpr (std::is_same_v<T, ir::join>) {
                    return circuit_op::join;
                } else if constexpr (std::is_same_v<T, ir::aggregate>) {
                    return circuit_op::aggregate;
                } else if constexpr (std::is_same_v<T, ir::distinct>) {
                    return circuit_op::distinct;
                } else if constexpr (std::is_same_v<T, ir::sublink>) {
                    return circuit_op::sublink;
                } else if constexpr (std::is_same_v<T, ir::set_operation>) {
                    return circuit_op::set_operation;
                } else if constexpr (std::is_same_v<T, ir::table_function>) {
                    return circuit_op::table_function;
                } else if constexpr (std::is_same_v<T, ir::window>) {
                    return circuit_op::window;
                } else if constexpr (std::is_same_v<T, ir::recursive>) {
                    return circuit_op::recursive;
                } else if constexpr (std::is_same_v<T, ir::recursive_ref>) {
                    return circuit_op::recursive_ref;
                } else if constexpr (std::is_same_v<T, ir::values>) {
                    return circuit_op::constant;
                } else {
                    return circuit_op::union_all;
                }
            },
            r.node);
        n.same_as = earlier_equal(n);
        c.nodes.push_back(std::move(n));
        const int id = static_cast<int>(c.nodes.size()) - 1;
        if (const auto* rec = std::get_if<ir::recursive>(&r.node))
            for (auto& ref : c.nodes)
                if (const auto* x = std::get_if<ir::recursive_ref>(&ref.rel->node); x && x->id == rec->id) ref.recursion = id;
        return id;
    }

    /// The node `n` computes the rows of, before it: same operator over the same inputs (taken
    /// through their own same_as), same columns and same deterministic expressions.
    int earlier_equal(const circuit_node& n) const {
        auto canonical = [&](int id) {
            const int same = c.nodes[static_cast<std::size_t>(id)].same_as;
            return same >= 0 ? same : id;
        };
        auto alike = [](const ir::expr_ptr& a, const ir::expr_ptr& b) {
            if (!a || !b) return !a && !b;
            return ir::max_volatility(*a) != ir::volatility::volatile_ && ir::equivalent(*a, *b);
        };
        for (std::size_t i = 0; i < c.nodes.size(); ++i) {
            const circuit_node& o = c.nodes[i];
            if (o.same_as >= 0 || o.op != n.op || o.inputs.size() != n.inputs.size() || o.rel->columns != n.rel->columns) continue;
            if (!std::ranges::equal(o.inputs, n.inputs, {}, canonical, canonical)) continue;
            bool same = false;
            if (n.op == circuit_op::source) {
                same = o.source == n.source;
            } else if (const auto* f = std::get_if<ir::filter>(&n.rel->node)) {
                same = alike(f->predicate, std::get<ir::filter>(o.rel->node).predicate);
            } else if (const auto* p = std::get_if<ir::project>(&n.rel->node)) {
                const auto& q = std::get<ir::project>(o.rel->node);
                same = std::ranges::equal(p->exprs, q.exprs, alike);
            } else if (const auto* j = std::get_if<ir::join>(&n.rel->node)) {
                const auto& k = std::get<ir::join>(o.rel->node);
                same = j->kind == k.kind && alike(j->condition, k.condition);
            }
            if (same) return static_cast<int>(i);
        }
        return -1;
    }

    int source_of(const ir::table_ptr& t) {
        // The same table read twice (a self-join) is one source with one change stream.
        for (const auto& [table, index] : source_index)
            if (table->schema == t->schema && table->name == t->name) return index;
        const int index = static_cast<int>(c.sources.size());
        c.sources.push_back(t);
        source_index.emplace(t.get(), index);
        return index;
    }
};

/// Chooses how the stream table stores the result: per-group state for a top-level
/// aggregate (possibly under HAVING and final expressions), multiplicities for a top-level
/// DISTINCT, rows keyed by a unique key when one exists, otherwise a bag of rows.
void choose_maintenance(circuit& c) {
    int n = c.output;
    std::vector<int> post;
    while (c.nodes[static_cast<std::size_t>(n)].op == circuit_op::filter ||
           c.nodes[static_cast<std::size_t>(n)].op == circuit_op::map) {
        post.push_back(n);
        n = c.nodes[static_cast<std::size_t>(n)].inputs.front();
    }
    const auto& top = c.nodes[static_cast<std::size_t>(n)];
    if (top.op == circuit_op::aggregate) {
        c.strategy = maintenance::aggregate;
        c.state_node = n;
        std::ranges::reverse(post);
        c.post = std::move(post);
        return;
    }
    if (c.nodes[static_cast<std::size_t>(c.output)].op == circuit_op::distinct) {
        c.strategy = maintenance::distinct;
        c.state_node = c.output;
        return;
    }
    if (auto key = unique_key(*c.query.root)) {
        c.strategy = maintenance::keyed;
        c.key = std::move(*key);
        return;
    }
    c.strategy = maintenance::bag;
}

} // namespace

namespace {

/// Whether `condition` equates every column of `key` of one side of a join (the right when
/// `right`) with a column of the other side.
bool key_equated(const ir::expr_ptr& condition, const std::vector<int>& key, int left_width, bool right) {
    auto other_side = [&](const ir::expr& e) { return e.kind == ir::expr_kind::column && (e.index >= left_width) != right; };
    return std::ranges::all_of(key, [&](int k) { return ir::equates_column(condition, right ? k + left_width : k, other_side); });
}

/// A union whose branches each have a unique key and set one column to a constant of their
/// own (grouping sets number theirs) has a key: those keys and that column.
std::optional<std::vector<int>> union_key(const ir::rel& r) {
    for (std::size_t c = 0; c < r.columns.size(); ++c) {
        std::vector<std::string> seen;
        bool tags = true;
        for (const auto& in : r.inputs) {
            const auto* p = std::get_if<ir::project>(&in->node);
            const ir::expr* e = p && c < p->exprs.size() ? p->exprs[c].get() : nullptr;
            if (!e || e->kind != ir::expr_kind::constant || !e->literal || std::ranges::find(seen, *e->literal) != seen.end()) {
                tags = false;
                break;
            }
            seen.push_back(*e->literal);
        }
        if (!tags) continue;
        std::vector<int> key{static_cast<int>(c)};
        for (const auto& in : r.inputs) {
            auto k = unique_key(*in);
            if (!k) return std::nullopt;
            for (int col : *k)
                if (std::ranges::find(key, col) == key.end()) key.push_back(col);
        }
        std::ranges::sort(key);
        return key;
    }
    return std::nullopt;
}

} // namespace

std::optional<std::vector<int>> unique_key(const ir::rel& r) {
    return std::visit(
        [&](const auto& node) -> std::optional<std::vector<int>> {
            using T = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<T, ir::scan>) {
                if (node.source->primary_key.empty()) return std::nullopt;
                return node.source->primary_key;
            } else if constexpr (std::is_same_v<T, ir::filter>) {
                return unique_key(*r.inputs[0]);
            } else if constexpr (std::is_same_v<T, ir::project>) {
                if (r.inputs.empty()) {
                    // The front end's stand-in for a lifted subquery's D while it translates
                    // the subquery: distinct rows, keyed on all their columns.
                    std::vector<int> all(r.columns.size());
                    std::iota(all.begin(), all.end(), 0);
                    return all;
                }
                auto inner = unique_key(*r.inputs[0]);
                if (!inner) return std::nullopt;
                std::vector<int> out;
                for (int k : *inner) {
                    auto it = std::ranges::find_if(node.exprs, [k](const ir::expr_ptr& e) {
                        return e->kind == ir::expr_kind::column && e->index == k;
                    });
                    if (it == node.exprs.end()) return std::nullopt;
                    out.push_back(static_cast<int>(it - node.exprs.begin()));
                }
                return out;
            } else if constexpr (std::is_same_v<T, ir::join>) {
                // Every output row pairs at most one row of each side (or a side's NULLs).
                auto l = unique_key(*r.inputs[0]);
                auto rk = unique_key(*r.inputs[1]);
                const int width = static_cast<int>(r.inputs[0]->columns.size());
                // A side matched on its whole key at most once per row of the other keeps that
                // side's key (a lookup join), unless its own unmatched rows are kept too.
                if (l && rk && node.kind != ir::join_kind::right && node.kind != ir::join_kind::full &&
                    key_equated(node.condition, *rk, width, true))
                    return l;
                if (l && rk && node.kind != ir::join_kind::left && node.kind != ir::join_kind::full &&
                    key_equated(node.condition, *l, width, false)) {
                    for (int& k : *rk) k += width;
                    return rk;
                }
                if (!l || !rk) return std::nullopt;
                for (int k : *rk) l->push_back(k + width);
                return l;
            } else if constexpr (std::is_same_v<T, ir::aggregate>) {
                std::vector<int> out;
                for (std::size_t i = 0; i < node.group_by.size(); ++i) out.push_back(static_cast<int>(i));
                return out;
            } else if constexpr (std::is_same_v<T, ir::sublink> || std::is_same_v<T, ir::window>) {
                return unique_key(*r.inputs[0]); // one output row per input row
            } else if constexpr (std::is_same_v<T, ir::table_function>) {
                // The function rows of one input row differ in their ordinality.
                auto in = unique_key(*r.inputs[0]);
                if (!in || !node.ordinality) return std::nullopt;
                in->push_back(static_cast<int>(r.columns.size()) - 1);
                return in;
            } else if constexpr (std::is_same_v<T, ir::union_all>) {
                return union_key(r);
            } else if constexpr (std::is_same_v<T, ir::recursive>) {
                if (!node.distinct) return std::nullopt;
                std::vector<int> out;
                for (std::size_t i = 0; i < r.columns.size(); ++i) out.push_back(static_cast<int>(i));
                return out;
            } else if constexpr (std::is_same_v<T, ir::recursive_ref> || std::is_same_v<T, ir::values>) {
                return std::nullopt;
            } else if constexpr (std::is_same_v<T, ir::distinct> || std::is_same_v<T, ir::set_operation>) {
                if constexpr (std::is_same_v<T, ir::set_operation>)
                    if (node.all) return unique_key(*r.inputs[0]); // at most the copies of the left input
                std::vector<int> out;
                for (std::size_t i = 0; i < r.columns.size(); ++i) out.push_back(static_cast<int>(i));
                return out;
            } else {
                return std::nullopt;
            }
        },
        r.node);
}

circuit build_circuit(ir::query q) {
    circuit c;
    c.query = std::move(q);
    c.query.root = ir::prune_columns(c.query.root);
    builder b{c, {}, {}};
    c.output = b.add(*c.query.root);
    choose_maintenance(c);
    return c;
}

const char* to_string(maintenance m) {
    switch (m) {
    case maintenance::keyed: return "keyed";
    case maintenance::bag: return "bag";
    case maintenance::aggregate: return "aggregate";
    case maintenance::distinct: return "distinct";
    }
    return "?";
}

std::vector<int> stored_aggregates(const circuit& c) {
    std::vector<int> ids;
    for (std::size_t i = 0; i < c.nodes.size(); ++i)
        if (c.nodes[i].op == circuit_op::aggregate && static_cast<int>(i) != c.state_node) ids.push_back(static_cast<int>(i));
    return ids;
}

bool lifts_subquery(const circuit& c) {
    return std::ranges::any_of(c.nodes, [](const circuit_node& n) {
        const auto* d = std::get_if<ir::distinct>(&n.rel->node);
        return d && d->outer_values;
    });
}

std::vector<int> recursions(const circuit& c) {
    std::vector<int> ids;
    for (std::size_t i = 0; i < c.nodes.size(); ++i)
        if (c.nodes[i].op == circuit_op::recursive) ids.push_back(static_cast<int>(i));
    return ids;
}

} // namespace pgt
