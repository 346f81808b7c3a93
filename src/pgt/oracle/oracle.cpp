// The oracle's wiring: one dbsp sub-circuit per circuit node, in either mode.
//   inner join      index both sides on the equi-join columns (rows with a NULL key never
//                   match), join, then re-check the whole ON condition
//   outer join      + for each preserved side P: P − (P ⋈ distinct(P-part of the inner join)),
//                   padded with NULLs
//   aggregate       index by the group key, aggregate each group; without GROUP BY, one row
//                   of "empty" aggregates while the input is empty
//   sublink         a dependent join: each row of L with the subquery's value over the rows
//                   of R its condition selects; L's rows are re-evaluated when ΔR touches them
//   set operation   per row, a function of its copies in both inputs (min, a − b, …)
#include <optional>

#include "dbsp/all.hpp"
#include "pgt/error.hpp"
#include "pgt/eval.hpp"
#include "pgt/oracle.hpp"

namespace pgt::oracle {

namespace {

using stream = dbsp::stream<relation>;
using zweight = dbsp::zweight;

enum class mode { recompute, incremental };

relation recursive_fixpoint(const circuit& c, int step, bool distinct, const std::vector<relation>& tables,
                            const relation& base);

row concat(const row& a, const row& b) {
    row r = a;
    r.cols.insert(r.cols.end(), b.cols.begin(), b.cols.end());
    return r;
}

row slice(const row& r, std::size_t from, std::size_t count) {
    row s;
    s.cols.assign(r.cols.begin() + static_cast<std::ptrdiff_t>(from),
                  r.cols.begin() + static_cast<std::ptrdiff_t>(from + count));
    return s;
}

bool any_null(const row& r) {
    for (const auto& v : r.cols)
        if (std::holds_alternative<std::monostate>(v)) return true;
    return false;
}

/// Types whose values compare equal across kinds only through conversion: an equi-join key
/// must have the same kind on both sides for grouping equality to be SQL equality.
bool same_key_kind(type_kind a, type_kind b) {
    if (is_integer(a) && is_integer(b)) return true;
    if (is_string(a) && is_string(b)) return a == b || (a != type_kind::bpchar && b != type_kind::bpchar);
    return a == b && a != type_kind::other && a != type_kind::unknown && a != type_kind::float4;
}

struct equi_keys {
    std::vector<int> left, right; // column positions in each input
};

equi_keys find_equi_keys(const ir::join& j, std::size_t left_width) {
    equi_keys k;
    const int width = static_cast<int>(left_width);
    for (const auto& c : ir::conjuncts(j.condition)) {
        if (c->kind != ir::expr_kind::op || c->name != "=" || c->args.size() != 2) continue;
        const auto& a = *c->args[0];
        const auto& b = *c->args[1];
        if (a.kind != ir::expr_kind::column || b.kind != ir::expr_kind::column) continue;
        if (!same_key_kind(a.type.kind, b.type.kind)) continue;
        if (a.index < width && b.index >= width) {
            k.left.push_back(a.index);
            k.right.push_back(b.index - width);
        } else if (b.index < width && a.index >= width) {
            k.left.push_back(b.index);
            k.right.push_back(a.index - width);
        }
    }
    return k;
}

row project_columns(const row& r, const std::vector<int>& cols) {
    row k;
    for (int c : cols) k.cols.push_back(r.cols[static_cast<std::size_t>(c)]);
    return k;
}

class wiring {
public:
    /// `working`: what the recursive_ref nodes read, when a recursive term is evaluated alone.
    wiring(const circuit& c, dbsp::circuit& dc, mode m, std::vector<stream> inputs, std::optional<stream> working = {})
        : c_(c), dc_(dc), m_(m), inputs_(std::move(inputs)), working_(working), built_(c.nodes.size()) {}

    stream build(int id) {
        auto& slot = built_[static_cast<std::size_t>(id)];
        if (!slot) slot = make(id);
        return *slot;
    }

private:
    const circuit_node& node(int id) const { return c_.nodes[static_cast<std::size_t>(id)]; }

    stream join_streams(const dbsp::stream<dbsp::indexed_zset<row, row>>& a,
                        const dbsp::stream<dbsp::indexed_zset<row, row>>& b) {
        auto combine = [](const row&, const row& x, const row& y) { return concat(x, y); };
        return m_ == mode::incremental ? dbsp::join(a, b, combine) : dbsp::stream_join(a, b, combine);
    }
    stream distinct_of(const stream& s) { return m_ == mode::incremental ? dbsp::distinct(s) : dbsp::stream_distinct(s); }

    stream make(int id) {
        const auto& n = node(id);
        switch (n.op) {
        case circuit_op::source: return inputs_[static_cast<std::size_t>(n.source)];
        case circuit_op::filter: {
            auto pred = std::get<ir::filter>(n.rel->node).predicate;
            return dbsp::filter(build(n.inputs[0]), [pred](const row& r) { return eval_predicate(*pred, r); });
        }
        case circuit_op::map: {
            auto exprs = std::get<ir::project>(n.rel->node).exprs;
            return dbsp::map(build(n.inputs[0]), [exprs](const row& r) {
                row out;
                for (const auto& e : exprs) out.cols.push_back(eval(*e, r));
                return out;
            });
        }
        case circuit_op::union_all: {
            stream s = build(n.inputs[0]);
            for (std::size_t i = 1; i < n.inputs.size(); ++i) s = dbsp::plus(s, build(n.inputs[i]));
            return s;
        }
        case circuit_op::join: return make_join(n);
        case circuit_op::aggregate: return make_aggregate(n);
        case circuit_op::distinct: return distinct_of(build(n.inputs[0]));
        case circuit_op::sublink: return make_sublink(n);
        case circuit_op::set_operation: return make_set_operation(n);
        case circuit_op::table_function: return make_table_function(n);
        case circuit_op::window: return make_window(n);
        case circuit_op::recursive: return make_recursive(n);
        case circuit_op::recursive_ref:
            if (!working_) throw error(sqlstate::internal_error, "recursive reference outside its recursive term");
            return *working_;
        case circuit_op::constant: return make_constant(n);
        }
        return {};
    }

    // The same rows at every tick; incrementally, all of them at the first and none after.
    stream make_constant(const circuit_node& n) {
        relation rows;
        for (const auto& values : std::get<ir::values>(n.rel->node).rows) {
            row r;
            for (const auto& e : values) r.cols.push_back(eval(*e, row{}));
            rows.add(r, 1);
        }
        const stream all = dc_.lift("constant", [rows] { return rows; });
        return m_ == mode::incremental ? dbsp::differentiate(all) : all;
    }

    // Not linear: the fixed point of the whole inputs, recomputed and differentiated
    // (D ∘ F ∘ I). The recursive term reads the sources too: they travel in one stream, each
    // row tagged with its source's index.
    stream make_recursive(const circuit_node& n) {
        const std::size_t sources = inputs_.size();
        stream tagged;
        for (std::size_t i = 0; i < sources; ++i) {
            stream t = dbsp::map(inputs_[i], [i](const row& r) {
                row out{{static_cast<std::int64_t>(i)}};
                out.cols.insert(out.cols.end(), r.cols.begin(), r.cols.end());
                return out;
            });
            tagged = i == 0 ? t : dbsp::plus(tagged, t);
        }
        const circuit* c = &c_;
        const int step = n.inputs[1];
        const bool distinct = std::get<ir::recursive>(n.rel->node).distinct;
        auto fixpoint = [c, step, distinct, sources](const relation& base, const relation& all) {
            std::vector<relation> tables(sources);
            for (const auto& [r, w] : all)
                tables[static_cast<std::size_t>(std::get<std::int64_t>(r.cols[0]))].add(
                    row{std::vector<value>(r.cols.begin() + 1, r.cols.end())}, w);
            return recursive_fixpoint(*c, step, distinct, tables, base);
        };
        const stream base = build(n.inputs[0]);
        if (sources == 0) throw error(sqlstate::feature_not_supported, "recursive query over no table");
        return m_ == mode::incremental
                   ? dbsp::differentiate(dc_.lift("recursive", fixpoint, dbsp::integrate(base), dbsp::integrate(tagged)))
                   : dc_.lift("recursive", fixpoint, base, tagged);
    }

    // Not linear: the windows of the whole input, recomputed and differentiated (D ∘ W ∘ I).
    stream make_window(const circuit_node& n) {
        const auto w = std::get<ir::window>(n.rel->node);
        auto windows = [w](const relation& all) {
            std::vector<std::pair<row, std::int64_t>> rows;
            for (const auto& [r, times] : all) {
                if (times < 0) throw error(sqlstate::internal_error, "window over a negative multiplicity");
                rows.emplace_back(r, times);
            }
            relation out;
            for (auto& [r, times] : eval_window(w, rows)) out.add(r, times);
            return out;
        };
        const stream in = build(n.inputs[0]);
        return m_ == mode::incremental ? dbsp::differentiate(dc_.lift("window", windows, dbsp::integrate(in)))
                                       : dc_.lift("window", windows, in);
    }

    // Linear: each row followed by its function rows (or NULLs once, when outer and none).
    stream make_table_function(const circuit_node& n) {
        const auto t = std::get<ir::table_function>(n.rel->node);
        const std::size_t width = n.rel->columns.size() - n.rel->inputs[0]->columns.size();
        return dbsp::flat_map(build(n.inputs[0]), [t, width](const row& r) {
            std::vector<row> out;
            for (const auto& f : eval_table_function(t, r)) out.push_back(concat(r, f));
            if (out.empty() && t.outer) out.push_back(concat(r, row{std::vector<value>(width)}));
            return out;
        });
    }

    stream make_sublink(const circuit_node& n) {
        const auto& s = std::get<ir::sublink>(n.rel->node);
        const stream l = build(n.inputs[0]), r = build(n.inputs[1]);
        auto belongs = [cond = s.condition](const row& x, const row& y) {
            return !cond || eval_predicate(*cond, concat(x, y));
        };
        auto value_of = [s, belongs](const row& x, const relation& all) {
            value v = s.kind == ir::sublink_kind::all ? value{true} : value{false};
            std::int64_t rows = 0;
            bool saw_null = false;
            for (const auto& [y, w] : all) {
                if (!belongs(x, y)) continue;
                rows += w;
                if (s.kind == ir::sublink_kind::exists) continue;
                value t = eval(*s.value, concat(x, y));
                if (s.kind == ir::sublink_kind::scalar) {
                    v = t;
                    continue;
                }
                if (is_null(t)) saw_null = true;
                else if (std::get<bool>(t) == (s.kind == ir::sublink_kind::any)) return t; // decided
            }
            switch (s.kind) {
            case ir::sublink_kind::exists: return value{rows > 0};
            case ir::sublink_kind::scalar:
                if (rows > 1)
                    throw error(sqlstate::cardinality_violation, "more than one row returned by a subquery used as an expression");
                return rows == 1 ? v : value{};
            default: return saw_null ? value{} : v;
            }
        };
        auto f = [value_of](const row& x, const relation& all) {
            row out = x;
            out.cols.push_back(value_of(x, all));
            return relation{{out, 1}};
        };
        return m_ == mode::incremental ? dbsp::dependent_join(l, r, f, belongs) : dbsp::stream_dependent_join(l, r, f);
    }

    stream make_set_operation(const circuit_node& n) {
        const auto& s = std::get<ir::set_operation>(n.rel->node);
        const stream a = build(n.inputs[0]), b = build(n.inputs[1]);
        const bool inc = m_ == mode::incremental;
        if (s.kind == ir::set_op_kind::intersect) {
            if (s.all) return inc ? dbsp::intersect_all(a, b) : dbsp::stream_intersect_all(a, b);
            return inc ? dbsp::intersect(a, b) : dbsp::stream_intersect(a, b);
        }
        if (s.all) return inc ? dbsp::except_all(a, b) : dbsp::stream_except_all(a, b);
        return inc ? dbsp::except(a, b) : dbsp::stream_except(a, b);
    }

    stream make_join(const circuit_node& n) {
        const auto& j = std::get<ir::join>(n.rel->node);
        const auto& lcols = node(n.inputs[0]).rel->columns;
        const auto& rcols = node(n.inputs[1]).rel->columns;
        const stream l = build(n.inputs[0]), r = build(n.inputs[1]);
        const auto keys = find_equi_keys(j, lcols.size());
        auto keyed = [&](const stream& s, std::vector<int> cols) {
            auto usable = dbsp::filter(s, [cols](const row& x) { return !any_null(project_columns(x, cols)); });
            return dbsp::index_by(usable, [cols](const row& x) { return project_columns(x, cols); });
        };
        stream inner = join_streams(keyed(l, keys.left), keyed(r, keys.right));
        if (j.condition) {
            auto cond = j.condition;
            inner = dbsp::filter(inner, [cond](const row& x) { return eval_predicate(*cond, x); });
        }
        stream out = inner;
        auto unmatched = [&](const stream& p, std::size_t from, std::size_t width) {
            auto matched = distinct_of(dbsp::map(inner, [from, width](const row& x) { return slice(x, from, width); }));
            auto whole = [](const row& x) { return x; };
            auto with_match = join_streams(dbsp::index_by(p, whole), dbsp::index_by(matched, whole));
            // join_streams concatenates p ++ p: keep the first copy.
            auto kept = dbsp::map(with_match, [width](const row& x) { return slice(x, 0, width); });
            return dbsp::minus(p, kept);
        };
        auto nulls = [](const std::vector<ir::column>& cols) { return row{std::vector<value>(cols.size())}; };
        if (j.kind == ir::join_kind::left || j.kind == ir::join_kind::full) {
            const row pad = nulls(rcols);
            out = dbsp::plus(out, dbsp::map(unmatched(l, 0, lcols.size()), [pad](const row& x) { return concat(x, pad); }));
        }
        if (j.kind == ir::join_kind::right || j.kind == ir::join_kind::full) {
            const row pad = nulls(lcols);
            out = dbsp::plus(out, dbsp::map(unmatched(r, lcols.size(), rcols.size()),
                                            [pad](const row& x) { return concat(pad, x); }));
        }
        return out;
    }

    stream make_aggregate(const circuit_node& n) {
        const auto& a = std::get<ir::aggregate>(n.rel->node);
        const stream in = build(n.inputs[0]);
        auto keys = a.group_by;
        auto grouped = dbsp::index_by(in, [keys](const row& x) {
            row k;
            for (const auto& e : keys) k.cols.push_back(eval(*e, x));
            return k;
        });
        auto aggs = a.aggs;
        auto compute = [aggs](const row& key, const relation& group) {
            std::vector<std::pair<const row*, std::int64_t>> rows;
            for (const auto& [r, w] : group) rows.emplace_back(&r, w);
            row out = key;
            for (const auto& call : aggs) out.cols.push_back(eval_aggregate(call, rows));
            return out;
        };
        stream out = m_ == mode::incremental ? dbsp::aggregate(grouped, compute) : dbsp::stream_aggregate(grouped, compute);
        if (!a.group_by.empty()) return out;
        // SQL's scalar aggregate: one row even over no input.
        const row empty_row = compute(row{}, relation{});
        auto when_empty = [empty_row](const relation& all) {
            relation r;
            if (all.empty()) r.add(empty_row);
            return r;
        };
        stream correction = m_ == mode::incremental
                                ? dbsp::differentiate(dc_.lift("empty_aggregate", when_empty, dbsp::integrate(in)))
                                : dc_.lift("empty_aggregate", when_empty, in);
        return dbsp::plus(out, correction);
    }

    const circuit& c_;
    dbsp::circuit& dc_;
    mode m_;
    std::vector<stream> inputs_;
    std::optional<stream> working_;
    std::vector<std::optional<stream>> built_;
};

struct built {
    std::vector<dbsp::input_handle<row>> inputs;
    dbsp::output_handle<relation> output;
};

/// A dbsp circuit computing node `output` of `c`: one input per source and, with `working`,
/// one more (the last) that the recursive_ref nodes read.
auto build_circuit(const circuit& c, mode m, int output, bool working = false) {
    return dbsp::root_circuit::build([&](dbsp::circuit& dc) {
        std::vector<stream> streams;
        std::vector<dbsp::input_handle<row>> handles;
        for (std::size_t i = 0; i < c.sources.size() + (working ? 1 : 0); ++i) {
            auto [s, h] = dbsp::add_input_zset<row>(dc, "source");
            streams.push_back(s);
            handles.push_back(h);
        }
        std::optional<stream> work;
        if (working) {
            work = streams.back();
            streams.pop_back();
        }
        wiring w(c, dc, m, streams, work);
        auto out = dbsp::add_output(w.build(output));
        return built{std::move(handles), out};
    });
}

/// The recursive term `step` of `c` applied once to `working`, over the sources' `tables`.
relation apply_step(const circuit& c, int step, const std::vector<relation>& tables, const relation& working) {
    auto [rc, h] = build_circuit(c, mode::recompute, step, true);
    for (std::size_t i = 0; i < tables.size(); ++i) h.inputs[i].push(tables[i]);
    h.inputs.back().push(working);
    rc.step();
    return h.output.value();
}

/// PostgreSQL's evaluation of WITH RECURSIVE: the working table starts as the non-recursive
/// term's rows and is replaced by what the recursive term makes of it, until that is empty;
/// UNION keeps only rows not seen before (and each once). Past the depth PostgreSQL would
/// reach only on data with a cycle, the oracle gives up.
relation recursive_fixpoint(const circuit& c, int step, bool distinct, const std::vector<relation>& tables,
                            const relation& base) {
    constexpr int max_rounds = 1000;
    relation result = distinct ? base.distinct() : base;
    relation working = result;
    for (int round = 0; !working.empty(); ++round) {
        if (round == max_rounds) throw error(sqlstate::feature_not_supported, "recursion deeper than the oracle follows");
        relation next = apply_step(c, step, tables, working);
        if (distinct) {
            relation fresh;
            for (const auto& [r, w] : next.distinct())
                if (result.weight(r) == 0) fresh.add(r, 1);
            next = std::move(fresh);
        }
        result += next;
        working = std::move(next);
    }
    return result;
}

} // namespace

relation evaluate(const circuit& c, const std::vector<relation>& tables) {
    auto [rc, h] = build_circuit(c, mode::recompute, c.output);
    for (std::size_t i = 0; i < tables.size(); ++i) h.inputs.at(i).push(tables[i]);
    rc.step();
    return h.output.value();
}

struct incremental::impl {
    decltype(build_circuit(std::declval<const circuit&>(), mode::incremental, 0)) state;
};

incremental::incremental(const circuit& c) : p_(new impl{build_circuit(c, mode::incremental, c.output)}) {}
incremental::~incremental() = default;

void incremental::push(int source, const row& r, dbsp::zweight w) {
    p_->state.second.inputs.at(static_cast<std::size_t>(source)).push(r, w);
}

relation incremental::step() {
    p_->state.first.step();
    relation delta = p_->state.second.output.value();
    result_ += delta;
    return delta;
}

} // namespace pgt::oracle
