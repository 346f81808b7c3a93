// Column pruning: each base table is read for the columns something above it uses. A change is
// carried through every join and materialized between the delta statement's steps with all
// the columns its rows have, so a join of wide tables moved comments and addresses nobody
// reads, and a refresh's statement spelled them out at every level (parse, plan and executor
// set-up grow with it). Projection commutes with the bag operators it is pushed through, so
// the rows the query returns are the same.
//
// Equal subtrees are pruned alike, for all their readers at once: the circuit computes equal
// operators once (circuit_node::same_as), and a lifted subquery reads a copy of the outer rows
// that must stay equal to them.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "pgt/interrupts.hpp"
#include "pgt/ir/rel.hpp"

namespace pgt::ir {

namespace {

/// A rewritten operator and where each column of the original went (-1: dropped).
struct pruned {
    rel_ptr rel;
    std::vector<int> map;
};

using wanted = std::vector<bool>;

void want_columns(wanted& w, const expr_ptr& e, int from = 0, int to = -1) {
    if (!e) return;
    for (int c : referenced_columns(*e))
        if (c >= from && (to < 0 || c < to)) w[static_cast<std::size_t>(c - from)] = true;
}

expr_ptr moved(const expr_ptr& e, const std::vector<int>& map) {
    if (!e) return e;
    return map_columns(e, [&](const expr& c) { return make_column(map.at(static_cast<std::size_t>(c.index)), c.type); });
}

std::vector<int> identity(std::size_t n) {
    std::vector<int> m(n);
    for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<int>(i);
    return m;
}

/// The columns of `left` then `right` as one row: where each of a join's (or a sublink's) input
/// columns went.
std::vector<int> concatenated(const pruned& left, const pruned& right) {
    std::vector<int> m = left.map;
    const int shift = static_cast<int>(left.rel->columns.size());
    for (int r : right.map) m.push_back(r < 0 ? -1 : r + shift);
    return m;
}

/// The columns of `r` that `map` keeps, where it puts them: as `r` describes them (an outer
/// join's nullable side, a filter's tested columns), not as its pruned inputs do.
std::vector<column> kept_columns(const rel& r, const std::vector<int>& map) {
    std::vector<column> c;
    for (std::size_t i = 0; i < map.size(); ++i)
        if (map[i] >= 0) {
            if (c.size() <= static_cast<std::size_t>(map[i])) c.resize(static_cast<std::size_t>(map[i]) + 1);
            c[static_cast<std::size_t>(map[i])] = r.columns[i];
        }
    return c;
}

/// `p` as the columns of `w` alone: a join carries its inputs' columns up to the operators above
/// it (a change is materialized between a refresh's steps), so what a filter below it tested and
/// nothing above reads is dropped before it. Unchanged when it is not a filter, has nothing
/// more, or would have no column left.
pruned narrowed(pruned p, const wanted& w) {
    std::vector<int> keep; // new positions, ascending
    for (std::size_t i = 0; i < w.size(); ++i)
        if (w[i] && p.map[i] >= 0) keep.push_back(p.map[i]);
    std::ranges::sort(keep);
    if (!std::holds_alternative<filter>(p.rel->node) || keep.empty() || keep.size() == p.rel->columns.size()) return p;
    std::vector<expr_ptr> exprs;
    std::vector<column> columns;
    for (int k : keep) {
        exprs.push_back(make_column(k, p.rel->columns[static_cast<std::size_t>(k)].type));
        columns.push_back(p.rel->columns[static_cast<std::size_t>(k)]);
    }
    for (std::size_t i = 0; i < w.size(); ++i)
        p.map[i] = w[i] && p.map[i] >= 0 ? static_cast<int>(std::ranges::find(keep, p.map[i]) - keep.begin()) : -1;
    p.rel = make_rel(project{std::move(exprs)}, {p.rel}, std::move(columns));
    return p;
}

std::string exprs_text(const std::vector<expr_ptr>& exprs) {
    std::string t;
    for (const auto& e : exprs) t += (e ? to_string(*e) : "-") + ",";
    return t;
}

/// The operator alone as text, for telling equal subtrees (with equal inputs) apart from others;
/// an operator pruning never looks into is its own (equal trees that differ here only keep
/// more columns than they might).
std::string operator_text(const rel& r) {
    return std::visit(
        [&](const auto& node) -> std::string {
            using T = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<T, scan>) {
                return "scan " + node.source->schema + "." + node.source->name;
            } else if constexpr (std::is_same_v<T, filter>) {
                return "filter " + to_string(*node.predicate);
            } else if constexpr (std::is_same_v<T, project>) {
                return r.inputs.empty() ? "rows " + std::to_string(reinterpret_cast<std::uintptr_t>(&r)) : "project " + exprs_text(node.exprs);
            } else if constexpr (std::is_same_v<T, join>) {
                return "join " + std::to_string(static_cast<int>(node.kind)) + " " + exprs_text({node.condition});
            } else if constexpr (std::is_same_v<T, aggregate>) {
                std::string t = "aggregate " + exprs_text(node.group_by);
                for (const auto& a : node.aggs) {
                    t += " " + a.schema + "." + a.name + (a.distinct ? " distinct " : " ") + exprs_text(a.args) + exprs_text({a.filter});
                    for (const auto& k : a.order_by) t += exprs_text({k.expr}) + (k.descending ? "d" : "a") + (k.nulls_first ? "f" : "l");
                }
                return t;
            } else {
                return "other " + std::to_string(reinterpret_cast<std::uintptr_t>(&r));
            }
        },
        r.node);
}

struct pruner {
    std::map<const rel*, int> key_of;
    std::map<std::string, int> keys;        ///< an operator's text and its inputs' keys: its key
    std::vector<const rel*> representative; ///< one subtree per key
    std::map<int, wanted> wanted_of;        ///< per key: what all readers of such subtrees use
    std::map<const rel*, pruned> done;

    /// Subtrees with equal keys compute the same rows (the same operators over equal inputs).
    /// A key names its inputs by their keys' numbers: spelled out, a subtree read twice (a lifted
    /// subquery's outer rows) would double its readers' keys at each level.
    int key(const rel& r) {
        if (auto it = key_of.find(&r); it != key_of.end()) return it->second;
        std::string k = operator_text(r) + " (";
        for (const auto& in : r.inputs) k += std::to_string(key(*in)) + ";";
        k += ")";
        const auto [it, fresh] = keys.try_emplace(std::move(k), static_cast<int>(keys.size()));
        if (fresh) representative.push_back(&r);
        return key_of.emplace(&r, it->second).first->second;
    }

    /// What each input of `r` must keep for the columns `w` of `r`.
    std::vector<wanted> inputs_wanted(const rel& r, const wanted& w) const {
        std::vector<wanted> in;
        for (const auto& i : r.inputs) in.emplace_back(i->columns.size(), false);
        std::visit(
            [&](const auto& node) {
                using T = std::decay_t<decltype(node)>;
                if constexpr (std::is_same_v<T, scan>) {
                } else if constexpr (std::is_same_v<T, filter>) {
                    in[0] = w;
                    want_columns(in[0], node.predicate);
                } else if constexpr (std::is_same_v<T, project>) {
                    for (const auto& e : node.exprs)
                        if (!in.empty()) want_columns(in[0], e);
                } else if constexpr (std::is_same_v<T, join> || std::is_same_v<T, sublink>) {
                    const int width = static_cast<int>(r.inputs[0]->columns.size());
                    std::copy(w.begin(), w.begin() + width, in[0].begin());
                    if constexpr (std::is_same_v<T, join>) std::copy(w.begin() + width, w.end(), in[1].begin());
                    std::vector<expr_ptr> reads;
                    if constexpr (std::is_same_v<T, join>) reads = {node.condition};
                    else reads = {node.condition, node.value};
                    for (const auto& e : reads) {
                        want_columns(in[0], e, 0, width);
                        want_columns(in[1], e, width);
                    }
                } else if constexpr (std::is_same_v<T, aggregate>) {
                    for (const auto& g : node.group_by) want_columns(in[0], g);
                    for (const auto& a : node.aggs) {
                        for (const auto& arg : a.args) want_columns(in[0], arg);
                        want_columns(in[0], a.filter);
                        for (const auto& k : a.order_by) want_columns(in[0], k.expr);
                    }
                } else {
                    // DISTINCT, set operations, a window's tie break, recursion, …: every column.
                    for (auto& x : in) x.assign(x.size(), true);
                }
            },
            r.node);
        return in;
    }

    /// Every key's columns wanted, from the root down: a subtree's are known once all subtrees
    /// reading one with its key have added theirs.
    void collect(const rel& root) {
        std::map<int, int> readers; // per key: reading subtrees (one per distinct key and input)
        std::map<int, bool> seen;
        std::vector<const rel*> stack{&root};
        while (!stack.empty()) {
            const rel* r = stack.back();
            stack.pop_back();
            if (seen[key(*r)]) continue;
            seen[key(*r)] = true;
            for (const auto& in : r->inputs) {
                ++readers[key(*in)];
                stack.push_back(in.get());
            }
        }
        wanted_of[key(root)] = wanted(root.columns.size(), true);
        std::vector<const rel*> ready{&root};
        while (!ready.empty()) {
            const rel* r = ready.back();
            ready.pop_back();
            const auto in = inputs_wanted(*r, wanted_of.at(key(*r)));
            for (std::size_t i = 0; i < in.size(); ++i) {
                const int k = key(*r->inputs[i]);
                auto [it, fresh] = wanted_of.try_emplace(k, in[i]);
                if (!fresh)
                    for (std::size_t c = 0; c < in[i].size(); ++c) it->second[c] = it->second[c] || in[i][c];
                if (--readers[k] == 0) ready.push_back(representative.at(static_cast<std::size_t>(k)));
            }
        }
    }

    pruned prune(const rel_ptr& r) {
        if (auto it = done.find(r.get()); it != done.end()) return it->second;
        check_interrupts();
        const wanted& w = wanted_of.at(key(*r));
        std::vector<pruned> in;
        for (const auto& i : r->inputs) in.push_back(prune(i));
        pruned out = std::visit([&](const auto& node) { return rebuild(r, node, w, std::move(in)); }, r->node);
        return done.emplace(r.get(), std::move(out)).first->second;
    }

    /// Operators whose inputs keep every column: the same operator over the pruned inputs.
    template <class T>
    pruned rebuild(const rel_ptr& r, const T&, const wanted&, std::vector<pruned> in) {
        std::vector<rel_ptr> inputs;
        bool changed = false;
        for (std::size_t i = 0; i < in.size(); ++i) {
            inputs.push_back(in[i].rel);
            changed = changed || in[i].rel != r->inputs[i];
        }
        return {changed ? make_rel(r->node, std::move(inputs), r->columns) : r, identity(r->columns.size())};
    }

    pruned rebuild(const rel_ptr& r, const scan& s, const wanted& w, std::vector<pruned>) {
        std::vector<expr_ptr> exprs;
        std::vector<column> columns;
        std::vector<int> map(r->columns.size(), -1);
        for (std::size_t i = 0; i < r->columns.size(); ++i)
            if (w[i]) {
                map[i] = static_cast<int>(exprs.size());
                exprs.push_back(make_column(static_cast<int>(i), r->columns[i].type));
                columns.push_back(r->columns[i]);
            }
        if (exprs.size() == r->columns.size()) return {r, identity(r->columns.size())};
        if (exprs.empty()) { // (a row without columns: keep the key, or the first column)
            const int keep = s.source->primary_key.empty() ? 0 : s.source->primary_key.front();
            map[static_cast<std::size_t>(keep)] = 0;
            exprs.push_back(make_column(keep, r->columns[static_cast<std::size_t>(keep)].type));
            columns.push_back(r->columns[static_cast<std::size_t>(keep)]);
        }
        return {make_rel(project{std::move(exprs)}, {r}, std::move(columns)), std::move(map)};
    }

    pruned rebuild(const rel_ptr& r, const filter& f, const wanted&, std::vector<pruned> in) {
        return {make_rel(filter{moved(f.predicate, in[0].map)}, {in[0].rel}, kept_columns(*r, in[0].map)), in[0].map};
    }

    pruned rebuild(const rel_ptr& r, const project& p, const wanted&, std::vector<pruned> in) {
        // (Without inputs: a lifted subquery's stand-in. Straight over a table it narrows the
        // table already.)
        if (in.empty() || std::holds_alternative<scan>(r->inputs[0]->node)) return {r, identity(r->columns.size())};
        std::vector<expr_ptr> exprs;
        for (const auto& e : p.exprs) exprs.push_back(moved(e, in[0].map));
        return {make_rel(project{std::move(exprs)}, {in[0].rel}, r->columns), identity(r->columns.size())};
    }

    pruned rebuild(const rel_ptr& r, const join& j, const wanted& w, std::vector<pruned> in) {
        const auto own = inputs_wanted(*r, w);
        pruned l = narrowed(std::move(in[0]), own[0]), rr = narrowed(std::move(in[1]), own[1]);
        auto map = concatenated(l, rr);
        join out = j;
        out.condition = moved(j.condition, map);
        auto columns = kept_columns(*r, map);
        return {make_rel(out, {l.rel, rr.rel}, std::move(columns)), std::move(map)};
    }

    pruned rebuild(const rel_ptr& r, const aggregate& a, const wanted&, std::vector<pruned> in) {
        aggregate out = a;
        for (auto& g : out.group_by) g = moved(g, in[0].map);
        for (auto& call : out.aggs) {
            for (auto& arg : call.args) arg = moved(arg, in[0].map);
            call.filter = moved(call.filter, in[0].map);
            for (auto& k : call.order_by) k.expr = moved(k.expr, in[0].map);
        }
        return {make_rel(std::move(out), {in[0].rel}, r->columns), identity(r->columns.size())};
    }

    /// L's rows, each with the subquery's value over the rows of R: R is read for the columns
    /// its condition and value use, L for those and the ones used above.
    pruned rebuild(const rel_ptr& r, const sublink& s, const wanted& w, std::vector<pruned> in) {
        const auto own = inputs_wanted(*r, w);
        pruned l = narrowed(std::move(in[0]), own[0]), rr = narrowed(std::move(in[1]), own[1]);
        const auto both = concatenated(l, rr);
        sublink out = s;
        out.condition = moved(s.condition, both);
        out.value = moved(s.value, both);
        std::vector<int> map = l.map;
        map.push_back(static_cast<int>(l.rel->columns.size()));
        auto columns = kept_columns(*r, map);
        return {make_rel(std::move(out), {l.rel, rr.rel}, std::move(columns)), std::move(map)};
    }
};

} // namespace

rel_ptr prune_columns(const rel_ptr& root) {
    pruner p;
    p.collect(*root);
    return p.prune(root).rel;
}

} // namespace pgt::ir
