// WITH RECURSIVE, maintained by counting derivations. The node's rows are R = B + S(B) +
// S(S(B)) + … (UNION ALL; UNION keeps each row of that once), its state table holds each
// distinct row of R with its number of derivations. S, the recursive term, is linear in R
// (the frontend checks it), so with the sources' changes
//     ΔR = seeds + S'(seeds) + S'(S'(seeds)) + …,  seeds = ΔB + (S'(R) − S(R))
// where S' reads the sources after the change and S'(R) − S(R) is the recursive term's own
// delta rule with R held still (its state table). Inserting a leaf costs its new paths;
// deleting a subtree, the subtree's. The rounds run as a WITH RECURSIVE that carries each
// row's weight and round number: the recursive term is applied to one working row at a time
// (LATERAL), past pg_trickle.ivm_recursive_max_depth rounds the refresh fails (on cyclic
// data UNION ALL would never end). A stream table that is the recursion's rows (up to a
// projection of all its columns) is its state: the rows are not stored twice, a row's copies in
// the stream table are its derivations.
#include "lowering.hpp"

#include <algorithm>

#include "pgt/error.hpp"

namespace pgt::lower::detail {

namespace {

constexpr const char* count_col = "__pgt_count";
constexpr const char* row_id_col = "__pgt_row_id";
const tree::type_name int8 = tree::type_name::catalog("int8");

tree::expr row_id(const std::string& alias) { return tree::col(alias, row_id_col); }
/// `a.__pgt_row_id = b.__pgt_row_id`.
tree::expr same_row(const std::string& a, const std::string& b) { return tree::eq(row_id(a), row_id(b)); }
/// `EXISTS (SELECT 1 FROM relation alias [WHERE condition])`.
tree::expr any_row(const std::string& relation, const std::string& alias, std::optional<tree::expr> condition = std::nullopt) {
    tree::select s({tree::integer(1)});
    s.from(relation, alias);
    if (condition) s.where(*condition);
    return tree::exists(s);
}

/// `pg_trickle.ivm_recursive_max_depth` (0: unlimited) checked as the round of a new row is
/// computed: past it, pgtrickle.recursion_too_deep raises the error.
tree::expr next_round(const std::string& name) {
    const tree::expr limit =
        tree::cast(tree::fn("current_setting", {tree::text("pg_trickle.ivm_recursive_max_depth")}), tree::type_name::catalog("int4"));
    const tree::expr round = tree::col("p", "__pgt_round");
    return tree::case_when({{tree::any_of({tree::lt(round, limit), tree::eq(limit, tree::integer(0))}), tree::plus(round, tree::integer(1))}},
                           tree::fn("recursion_too_deep", {tree::text(name), limit}, "pgtrickle"));
}

/// The non-recursive term's columns (over alias `alias`) as the node's.
std::vector<tree::select_item> base_columns(const lowering& l, int id, const std::string& alias) {
    return l.columns_as(l.node(id).inputs[0], alias, id);
}

/// The recursive term's columns (over alias `alias`) as the node's, in its types.
std::vector<tree::select_item> step_columns(const lowering& l, int id, const std::string& alias) {
    std::vector<tree::select_item> items;
    for (std::size_t i = 0; i < l.names(id).size(); ++i)
        items.push_back(tree::as(tree::cast(tree::col(alias, l.names(l.node(id).inputs[1])[i]), l.node(id).rel->columns[i].type),
                                 l.names(id)[i]));
    return items;
}

/// The recursive term with its recursive_ref reading `working`.
std::string term_over(const lowering& l, int id, const std::string& working) {
    l.set_working(id, working);
    std::string term = l.new_sql(l.node(id).inputs[1]);
    l.set_working(id, {});
    return term;
}

/// The recursive term over the one working row `p` (for CROSS JOIN LATERAL).
std::string term_per_row(const lowering& l, int id) { return term_over(l, id, tree::parenthesised(tree::select(l.columns_as(id, "p", id)))); }

/// `(SELECT step_columns FROM term x)`, lateral to the working row p: what the recursive term
/// derives from it.
tree::relation step_of_row(const lowering& l, int id, const std::string& alias) {
    return tree::from(tree::select(step_columns(l, id, "x")).from(term_per_row(l, id), "x"), alias, true);
}

/// The rows `seeds` (the node's columns and __pgt_w) derive, themselves included, each with
/// the weight of the seed it comes from: the rounds of the recursive term, each applied to
/// the rows of the round before.
std::string derivations(const lowering& l, int id, const std::string& seeds) {
    tree::select start(l.columns(id, "s"));
    start.items.emplace_back(tree::col("s", weight));
    start.items.push_back(tree::as(tree::integer(0), "__pgt_round"));
    start.from(seeds, "s");
    tree::select round(step_columns(l, id, "x"));
    round.items.emplace_back(tree::col("p", weight));
    round.items.push_back(tree::as(next_round(std::get<ir::recursive>(l.node(id).rel->node).name), "__pgt_round"));
    round.from(tree::cross_join(tree::from(sql::ident("__pgt_rounds"), "p"), tree::from(term_per_row(l, id), "x", true)));
    tree::select rows(l.columns(id, "r"));
    rows.items.emplace_back(tree::col("r", weight));
    rows.from(sql::ident("__pgt_rounds"), "r");
    return tree::parenthesised(tree::with({{sql::ident("__pgt_rounds"), tree::union_all({start, round})}}, rows, true));
}

/// The node's rows from a relation of (columns, __pgt_count): each count times, or once (UNION).
std::string expand(const lowering& l, int id, const std::string& counted) {
    tree::select once(l.columns(id, "t"));
    once.from(counted, "t");
    if (std::get<ir::recursive>(l.node(id).rel->node).distinct) return tree::parenthesised(once);
    // Most rows have one derivation: read apart, they keep the planner's estimate of a few rows
    // (it would guess a thousand copies from each generate_series).
    const tree::expr count = tree::col("t", count_col);
    once.where(tree::eq(count, tree::integer(1)));
    tree::select copies(l.columns(id, "t"));
    copies.from(tree::cross_join(tree::from(counted, "t"),
                                 tree::from_function(tree::fn("generate_series", {tree::cast(tree::integer(1), int8), count}), "g")))
        .where(tree::gt(count, tree::integer(1)));
    return tree::parenthesised(tree::union_all({once, copies}));
}

/// The node's rows as kept before the change: its state table's counted rows, or the stream
/// table's copies.
std::string state_rows(const lowering& l, int id) {
    const std::string& state = *l.state_table(id);
    return l.state_in_result(id) ? tree::parenthesised(tree::select(l.columns(id, "t")).from(state, "t")) : expand(l, id, state);
}

/// Every derivation of the non-recursive term's rows (each of weight 1), counted rounds.
std::string base_derivations(const lowering& l, int id) {
    tree::select seeds(base_columns(l, id, "s"));
    seeds.items.push_back(tree::as(tree::integer(1), weight));
    return derivations(l, id, tree::parenthesised(seeds.from(l.new_sql(l.node(id).inputs[0]), "s")));
}

/// The stored count of changed row c, read once per changed row through the row id's index,
/// whatever the planner guesses of the number of changed rows: the state's count, or the
/// number of the stream table's copies of the row.
tree::expr stored_count(const lowering& l, int id, const std::string& state) {
    if (l.state_in_result(id))
        return tree::scalar(tree::select({tree::count_all()})
                                .from(state, "t")
                                .where(tree::all_of({same_row("t", "c"), tree::is_not_distinct(l.row_images_expr(id, "t"),
                                                                                               l.row_images_expr(id, "c"))})));
    return tree::coalesce({tree::scalar(tree::select({tree::col("t", count_col)}).from(state, "t").where(same_row("t", "c"))),
                           tree::integer(0)});
}

/// UNION ALL: the seeds' derivations, weighted, added to each row's count of derivations.
/// Returns the CTE of changed rows: row id, columns, __pgt_w, new __pgt_count, __pgt_visible.
std::string count_derivations(lowering& l, int id, const std::string& first, const std::string& state) {
    const std::string tag = "n" + std::to_string(id), d = "d" + std::to_string(id);
    const std::string seeds = l.add_cte(d + "_seeds", tag + ": the seeds, consolidated", tree::render(l.consolidation(id, first, "s")));
    const std::string change = l.add_cte(d + "_derived", tag + ": the seeds and every row they derive, weighted",
                                         tree::render(l.consolidation(id, derivations(l, id, seeds), "s")));
    tree::select with_id({tree::as(l.row_id_of(id, "c"), row_id_col), tree::all("c")});
    tree::select old({tree::as(tree::cast(stored_count(l, id, state), int8), "__pgt_old")});
    tree::select with_old({tree::all("c"), tree::col("o", "__pgt_old")});
    with_old.from(tree::cross_join(tree::from(with_id.from(change, "c"), "c"), tree::from(old.offset(0), "o", true)));
    const tree::expr now = tree::plus(tree::col("c", "__pgt_old"), tree::col("c", weight));
    tree::select counted({tree::all("c"), tree::as(now, count_col), tree::as(tree::gt(now, tree::integer(0)), "__pgt_visible")});
    return l.add_cte(d + "_counts", tag + ": derivations per changed row, stored and new", tree::render(counted.from(tree::from(with_old, "c"))));
}

/// The closure of `start` (a relation with the node's columns) under the recursive term over
/// the sources after the change, as a set, keeping rows for which `keep` (over y) holds.
std::string set_closure(const lowering& l, int id, const std::string& start, const tree::expr& keep) {
    tree::select first(l.columns(id, "s"));
    first.from(start, "s");
    tree::select step({tree::all("y")});
    step.from(tree::cross_join(tree::from(sql::ident("__pgt_rows"), "p"), step_of_row(l, id, "y"))).where(keep);
    tree::select rows({tree::as(l.row_id_of(id, "r"), row_id_col), tree::all("r")});
    rows.from(sql::ident("__pgt_rows"), "r");
    return tree::render(tree::with({{sql::ident("__pgt_rows"), tree::set_operation(tree::set_kind::union_, false, {first, step})}}, rows, true));
}

/// `SELECT alias.columns FROM relation alias [WHERE condition]`.
tree::select rows_of(const lowering& l, int id, const std::string& relation, const std::string& alias) {
    return tree::select(l.columns(id, alias)).from(relation, alias);
}

/// UNION (a set; cycles in the data allowed), by delete and rederive. D: the stored rows that
/// lost a derivation and everything derived from them; of those, the ones still derivable
/// from the stored rows outside D, with the rows new derivations reach, make N. The rows
/// become R − D + N. Returns the CTE of changed rows like count_derivations.
std::string delete_and_rederive(lowering& l, int id, const std::string& first, const std::string& state) {
    const std::string tag = "n" + std::to_string(id), d = "d" + std::to_string(id);
    auto stored = [&](const std::string& alias) { return any_row(state, "t", tree::eq(row_id("t"), l.row_id_of(id, alias))); };
    const std::string lost = tree::parenthesised(
        rows_of(l, id, first, "s").where(tree::all_of({tree::lt(tree::col("s", weight), tree::integer(0)), stored("s")})));
    const std::string doomed = l.add_cte(d + "_overdeleted", tag + ": D — stored rows that lost a derivation, and what they derive",
                                         set_closure(l, id, lost, stored("y")));
    const tree::expr in_doomed = any_row(doomed, "o", same_row("o", "t"));
    const tree::expr d_empty = tree::negation(any_row(doomed, "o"));
    const std::string kept = tree::parenthesised(rows_of(l, id, state, "t").where(tree::negation(in_doomed)));
    // Seeds of N: rows new to B; rows the new source rows derive from R (from rows outside D:
    // checked when D is not empty); and the rows of D that B or R − D still derive.
    const tree::expr term = tree::col("g", "__pgt_term");
    tree::select gained_rows(l.columns(id, "s"));
    gained_rows.items.emplace_back(tree::col("s", "__pgt_term"));
    std::vector<tree::expr> group;
    for (const auto& c : gained_rows.items) group.push_back(c.value);
    gained_rows.from(first, "s").group_by(group).having(tree::gt(tree::fn("sum", {tree::col("s", weight)}), tree::integer(0)));
    const std::string gained = tree::parenthesised(gained_rows);
    tree::select doomed_ids({row_id("o")});
    doomed_ids.from(doomed, "o");
    tree::select derived_ids({l.row_id_of(id, "g")});
    derived_ids.from(gained, "g").where(tree::eq(term, tree::integer(1)));
    tree::select from_b(l.columns(id, "b"));
    from_b.from(tree::from(tree::select(base_columns(l, id, "s")).from(l.new_sql(l.node(id).inputs[0]), "s"), "b"))
        .where(tree::in(l.row_id_of(id, "b"), doomed_ids));
    tree::select from_r(l.columns(id, "k"));
    from_r.from(tree::from(tree::select(step_columns(l, id, "x")).from(term_over(l, id, kept), "x"), "k"))
        .where(tree::all_of({any_row(doomed, "o"), tree::in(l.row_id_of(id, "k"), tree::union_all({doomed_ids, derived_ids}))}));
    tree::select new_rows(l.columns(id, "g"));
    new_rows.from(gained, "g").where(tree::any_of({tree::eq(term, tree::integer(0)), d_empty}));
    const std::string seeds = l.add_cte(d + "_seeds", tag + ": seeds of N — new rows of B, rows new source rows derive, rows of D still derived",
                                        tree::render(tree::set_operation(tree::set_kind::union_, false, {new_rows, from_b, from_r})));
    const tree::expr outside_kept =
        tree::negation(any_row(state, "t", tree::all_of({tree::eq(row_id("t"), l.row_id_of(id, "y")), tree::negation(in_doomed)})));
    const std::string fresh_seeds = tree::parenthesised(tree::select({tree::all("")}).from(seeds, "y").where(outside_kept));
    const std::string found = l.add_cte(d + "_rederived", tag + ": N — the seeds and what they derive outside R − D",
                                        set_closure(l, id, fresh_seeds, outside_kept));
    tree::select leave({tree::all("o"), tree::as(tree::cast(tree::integer(0), int8), count_col), tree::as(tree::boolean(false), "__pgt_visible")});
    leave.from(doomed, "o").where(tree::negation(any_row(found, "f", same_row("f", "o"))));
    tree::select arrive({tree::all("f"), tree::integer(1), tree::boolean(true)});
    arrive.from(found, "f").where(tree::negation(any_row(doomed, "o", same_row("o", "f"))));
    return l.add_cte(d + "_counts", tag + ": rows of D not in N leave, rows of N not in D arrive", tree::render(tree::union_all({leave, arrive})));
}

} // namespace

std::string recursive_new_sql(const lowering& l, int id) {
    if (l.state_table(id)) {
        if (const auto& now = l.stored_new(id)) return *now;
        return state_rows(l, id);
    }
    // From scratch: PostgreSQL's own UNION recursion, or counted UNION ALL rounds (guarded).
    if (std::get<ir::recursive>(l.node(id).rel->node).distinct) {
        tree::select base(base_columns(l, id, "s"));
        base.from(l.new_sql(l.node(id).inputs[0]), "s");
        tree::select step(step_columns(l, id, "x"));
        step.from(term_over(l, id, sql::ident("__pgt_rows")), "x");
        const tree::query rows = tree::set_operation(tree::set_kind::union_, false, {base, step});
        return tree::parenthesised(tree::with({{sql::ident("__pgt_rows"), rows}}, tree::select({tree::all("")}).from(sql::ident("__pgt_rows"), ""), true));
    }
    return tree::parenthesised(rows_of(l, id, base_derivations(l, id), "d"));
}

std::string recursive_ref_sql(const lowering& l, int id) {
    const int rec = l.node(id).recursion;
    if (const auto* w = l.working(rec)) return *w;
    // Outside the rounds (the recursive term's own delta rule): the rows before the change.
    if (l.state_table(rec)) return state_rows(l, rec);
    throw error(sqlstate::internal_error, "WITH RECURSIVE lowered without its state table");
}

std::string recursive_full_load(lowering& l, int id) {
    const bool distinct = std::get<ir::recursive>(l.node(id).rel->node).distinct;
    tree::select load({tree::as(l.row_id_of(id, "d"), row_id_col)});
    for (auto& c : l.columns(id, "d")) load.items.push_back(c);
    if (distinct) {
        load.items.push_back(tree::as(tree::cast(tree::integer(1), int8), count_col));
        return tree::render(load.from(recursive_new_sql(l, id), "d"));
    }
    load.items.push_back(tree::as(tree::col("d", weight), count_col));
    return tree::render(load.from(tree::from(l.consolidation(id, base_derivations(l, id), "s"), "d")));
}

std::vector<int> recursive_state_keys(const lowering& l, int id) {
    // The working table's columns the recursive term joins on: a change reads their rows.
    auto ref_column = [&](int at, int c) -> std::optional<int> {
        for (;;) {
            const auto& node = l.node(at);
            if (node.op == circuit_op::recursive_ref) return node.recursion == id ? std::optional<int>(c) : std::nullopt;
            const auto p = passed_through(l, at, c);
            if (!p) return std::nullopt;
            at = node.inputs[p->input];
            c = p->column;
        }
    };
    std::vector<int> keys;
    for (std::size_t k = 0; k < l.graph().nodes.size(); ++k) {
        const auto& node = l.graph().nodes[k];
        if (node.op != circuit_op::join) continue;
        for (const auto& eq : ir::column_equalities(std::get<ir::join>(node.rel->node).condition))
            if (const auto c = ref_column(static_cast<int>(k), eq.column))
                if (std::ranges::find(keys, *c) == keys.end()) keys.push_back(*c);
    }
    return keys;
}

std::optional<std::string> delta_recursive(lowering& l, int id) {
    const auto& n = l.node(id);
    const int base = n.inputs[0], step = n.inputs[1];
    const auto db = l.delta(base);
    const auto ds = l.delta(step); // R held still: the recursive_ref has no change of its own
    if (!db && !ds) return std::nullopt;
    const auto* state = l.state_table(id);
    if (!state) throw error(sqlstate::internal_error, "WITH RECURSIVE lowered without its state table");
    const std::string tag = "n" + std::to_string(id);
    // ΔB and S(R, Δsources) as the node's columns, each row tagged with its term (0: B).
    std::vector<tree::query> parts;
    auto term = [&](std::vector<tree::select_item> items, const std::string& delta, int number) {
        items.emplace_back(tree::col("s", weight));
        items.push_back(tree::as(tree::integer(number), "__pgt_term"));
        parts.push_back(tree::select(std::move(items)).from(delta, "s"));
    };
    if (db) term(base_columns(l, id, "s"), *db, 0);
    if (ds) term(step_columns(l, id, "s"), *ds, 1);
    const std::string first = l.add_cte("d" + std::to_string(id) + "_first", tag + ": recursive — ΔB + S(R, Δsources), R held still",
                                        tree::render(tree::union_all(std::move(parts))));
    const bool distinct = std::get<ir::recursive>(n.rel->node).distinct;
    const std::string counts = distinct ? delete_and_rederive(l, id, first, *state) : count_derivations(l, id, first, *state);
    const tree::expr untouched = tree::negation(any_row(counts, "d", same_row("t", "d")));
    tree::select now_counted(l.columns(id, "d"));
    now_counted.items.emplace_back(tree::col("d", count_col));
    now_counted.from(counts, "d").where(tree::col("d", "__pgt_visible"));
    if (l.state_in_result(id)) {
        // The stream table's apply brings the stored copies up to date.
        l.set_stored_new(id, tree::parenthesised(tree::union_all(
                                 {rows_of(l, id, *state, "t").where(untouched), rows_of(l, id, expand(l, id, tree::parenthesised(now_counted)), "n")})));
    } else {
        tree::select kept(l.columns(id, "t"));
        kept.items.emplace_back(tree::col("t", count_col));
        kept.from(*state, "t").where(untouched);
        l.set_stored_new(id, expand(l, id, tree::parenthesised(tree::union_all({kept, now_counted}))));
        l.add_state_update(aggregate_apply_ctes(state_table_layout(l, id, {{"__pgt_count", make_type(type_kind::int8), true, ""}}),
                                                *state, counts, tag + "_", tree::render(same_row("t", "d"))));
    }
    tree::select change(l.columns(id, "c"));
    if (distinct) change.items.push_back(tree::as(tree::case_when({{tree::col("c", "__pgt_visible"), tree::integer(1)}}, tree::integer(-1)), weight));
    else change.items.emplace_back(tree::col("c", weight));
    return l.add_cte("d" + std::to_string(id) + "_recursive", tag + ": recursive — the change of its rows", tree::render(change.from(counts, "c")));
}

} // namespace pgt::lower::detail

namespace pgt::lower {

int recursion_stored_as_result(const circuit& c) {
    if (c.strategy != maintenance::bag || c.query.topk) return -1;
    const auto& out = c.nodes[static_cast<std::size_t>(c.output)];
    if (out.op == circuit_op::recursive) return c.output;
    if (out.op != circuit_op::map) return -1;
    const int below = out.inputs[0];
    const auto& rec = c.nodes[static_cast<std::size_t>(below)];
    if (rec.op != circuit_op::recursive) return -1;
    const auto& exprs = std::get<ir::project>(out.rel->node).exprs;
    if (exprs.size() != rec.rel->columns.size()) return -1;
    for (std::size_t i = 0; i < exprs.size(); ++i)
        if (exprs[i]->kind != ir::expr_kind::column || exprs[i]->index != static_cast<int>(i)) return -1;
    return below;
}

} // namespace pgt::lower
