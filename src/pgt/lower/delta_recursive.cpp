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

const std::string count_col = sql::ident("__pgt_count");

/// `pg_trickle.ivm_recursive_max_depth` (0: unlimited) checked as the round of a new row is
/// computed: past it, pgtrickle.recursion_too_deep raises the error.
std::string next_round(const std::string& name) {
    const std::string limit = "pg_catalog.current_setting('pg_trickle.ivm_recursive_max_depth')::pg_catalog.int4";
    return "CASE WHEN " + sql::binary("<", "p.\"__pgt_round\"", limit) + " OR " + sql::binary("=", limit, "0") + " THEN " +
           sql::binary("+", "p.\"__pgt_round\"", "1") + " ELSE " +
           "pgtrickle.recursion_too_deep(" + sql::literal(name) + ", " + limit + ") END";
}

/// The non-recursive term's columns (over alias `alias`) as the node's.
std::vector<std::string> base_columns(const lowering& l, int id, const std::string& alias) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < l.names(id).size(); ++i)
        items.push_back(sql::column(alias, l.names(l.node(id).inputs[0])[i]) + " AS " + sql::ident(l.names(id)[i]));
    return items;
}

/// The recursive term's columns (over alias `alias`) as the node's, in its types.
std::vector<std::string> step_columns(const lowering& l, int id, const std::string& alias) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < l.names(id).size(); ++i)
        items.push_back(sql::cast(sql::column(alias, l.names(l.node(id).inputs[1])[i]), l.node(id).rel->columns[i].type) +
                        " AS " + sql::ident(l.names(id)[i]));
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
std::string term_per_row(const lowering& l, int id) {
    std::vector<std::string> working;
    for (const auto& c : l.names(id)) working.push_back(sql::column("p", c) + " AS " + sql::ident(c));
    return term_over(l, id, "(SELECT " + sql::join(working) + ")");
}

/// The rows `seeds` (the node's columns and __pgt_w) derive, themselves included, each with
/// the weight of the seed it comes from: the rounds of the recursive term, each applied to
/// the rows of the round before.
std::string derivations(const lowering& l, int id, const std::string& seeds) {
    const std::string w = sql::ident(weight);
    std::vector<std::string> next = step_columns(l, id, "x");
    next.push_back(sql::column("p", weight));
    next.push_back(next_round(std::get<ir::recursive>(l.node(id).rel->node).name));
    return "(WITH RECURSIVE \"__pgt_rounds\" AS (SELECT " + l.column_list(id, "s") + ", s." + w + ", 0 AS \"__pgt_round\" FROM " +
           seeds + " s UNION ALL SELECT " + sql::join(next) + " FROM \"__pgt_rounds\" p CROSS JOIN LATERAL " +
           term_per_row(l, id) + " x) SELECT " +
           l.column_list(id, "r") + ", " + sql::column("r", weight) + " FROM \"__pgt_rounds\" r)";
}

/// The node's rows from a relation of (columns, __pgt_count): each count times, or once (UNION).
std::string expand(const lowering& l, int id, const std::string& counted) {
    if (std::get<ir::recursive>(l.node(id).rel->node).distinct)
        return "(SELECT " + l.column_list(id, "t") + " FROM " + counted + " t)";
    // Most rows have one derivation: read apart, they keep the planner's estimate of a few rows
    // (it would guess a thousand copies from each generate_series).
    return "(SELECT " + l.column_list(id, "t") + " FROM " + counted + " t WHERE " + sql::binary("=", "t." + count_col, "1") + " UNION ALL SELECT " +
           l.column_list(id, "t") + " FROM " + counted + " t CROSS JOIN LATERAL pg_catalog.generate_series(1::pg_catalog.int8, t." +
           count_col + ") g WHERE " + sql::binary(">", "t." + count_col, "1") + ")";
}

/// The node's rows as kept before the change: its state table's counted rows, or the stream
/// table's copies.
std::string state_rows(const lowering& l, int id) {
    const std::string& state = *l.state_table(id);
    return l.state_in_result(id) ? "(SELECT " + l.column_list(id, "t") + " FROM " + state + " t)" : expand(l, id, state);
}

std::vector<sql_type> types_of(const lowering& l, int id) {
    std::vector<sql_type> types;
    for (const auto& c : l.node(id).rel->columns) types.push_back(c.type);
    return types;
}

/// `(columns, __pgt_w)` of `weighted` summed per row (identical rows together), zeros dropped.
std::string consolidated(const lowering& l, int id, const std::string& weighted) {
    return "SELECT " + l.grouped_column_list(id, "s") + ", pg_catalog.sum(s." + sql::ident(weight) + ")::pg_catalog.int8 AS " +
           sql::ident(weight) + " FROM " + weighted + " s GROUP BY " + l.image_list(id, "s") + " HAVING " +
           sql::binary("<>", "pg_catalog.sum(s." + sql::ident(weight) + ")", "0");
}

/// Every derivation of the non-recursive term's rows (each of weight 1), counted rounds.
std::string base_derivations(const lowering& l, int id) {
    return derivations(l, id, "(SELECT " + sql::join(base_columns(l, id, "s")) + ", 1 AS " + sql::ident(weight) + " FROM " +
                                  l.new_sql(l.node(id).inputs[0]) + " s)");
}

/// The row id of the node's columns seen through `alias`.
std::string row_hash(const lowering& l, int id, const std::string& alias) {
    std::vector<std::string> values;
    for (const auto& c : l.names(id)) values.push_back(sql::column(alias, c));
    return l.row_id(values, types_of(l, id));
}

/// UNION ALL: the seeds' derivations, weighted, added to each row's count of derivations.
/// Returns the CTE of changed rows: row id, columns, __pgt_w, new __pgt_count, __pgt_visible.
std::string count_derivations(lowering& l, int id, const std::string& first, const std::string& state) {
    const std::string tag = "n" + std::to_string(id);
    const std::string w = sql::ident(weight);
    const std::string seeds = l.add_cte("d" + std::to_string(id) + "_seeds", tag + ": the seeds, consolidated",
                                        consolidated(l, id, first));
    const std::string change = l.add_cte("d" + std::to_string(id) + "_derived", tag + ": the seeds and every row they derive, weighted",
                                         consolidated(l, id, derivations(l, id, seeds)));
    // The stored count read once per changed row through the row id's index, whatever the
    // planner guesses of the number of changed rows: the state's count, or the number of the
    // stream table's copies of the row.
    std::string old_count;
    if (l.state_in_result(id)) {
        old_count = "(SELECT pg_catalog.count(*) FROM " + state + " t WHERE " + sql::binary("=", "t.\"__pgt_row_id\"", "c.\"__pgt_row_id\"") + " AND " +
                    l.row_images(id, "t") + " IS NOT DISTINCT FROM " + l.row_images(id, "c") + ")";
    } else {
        old_count = "COALESCE((SELECT t." + count_col + " FROM " + state + " t WHERE " + sql::binary("=", "t.\"__pgt_row_id\"", "c.\"__pgt_row_id\"") + "), 0)";
    }
    return l.add_cte("d" + std::to_string(id) + "_counts", tag + ": derivations per changed row, stored and new",
                     "SELECT c.*, " + sql::binary("+", "c.\"__pgt_old\"", "c." + w) + " AS " + count_col + ", " +
                         sql::binary(">", sql::binary("+", "c.\"__pgt_old\"", "c." + w), "0") +
                         " AS \"__pgt_visible\" FROM (SELECT c.*, o.\"__pgt_old\" FROM (SELECT " + row_hash(l, id, "c") +
                         " AS \"__pgt_row_id\", c.* FROM " + change + " c) c CROSS JOIN LATERAL (SELECT " + old_count +
                         "::pg_catalog.int8 AS \"__pgt_old\" OFFSET 0) o) c");
}

/// The closure of `start` (a relation with the node's columns) under the recursive term over
/// the sources after the change, as a set, keeping rows for which `keep` (over x) holds.
std::string set_closure(const lowering& l, int id, const std::string& start, const std::string& keep) {
    return "WITH RECURSIVE \"__pgt_rows\" AS (SELECT " + l.column_list(id, "s") + " FROM " + start +
           " s UNION SELECT y.* FROM \"__pgt_rows\" p CROSS JOIN LATERAL (SELECT " + sql::join(step_columns(l, id, "x")) +
           " FROM " + term_per_row(l, id) +
           " x) y WHERE " + keep + ") SELECT " + row_hash(l, id, "r") + " AS \"__pgt_row_id\", r.* FROM \"__pgt_rows\" r";
}

/// UNION (a set; cycles in the data allowed), by delete and rederive. D: the stored rows that
/// lost a derivation and everything derived from them; of those, the ones still derivable
/// from the stored rows outside D, with the rows new derivations reach, make N. The rows
/// become R − D + N. Returns the CTE of changed rows like count_derivations.
std::string delete_and_rederive(lowering& l, int id, const std::string& first, const std::string& state) {
    const std::string tag = "n" + std::to_string(id), d = "d" + std::to_string(id);
    const std::string w = sql::ident(weight);
    auto stored = [&](const std::string& alias) {
        return "EXISTS (SELECT 1 FROM " + state + " t WHERE " + sql::binary("=", "t.\"__pgt_row_id\"", row_hash(l, id, alias)) + ")";
    };
    const std::string lost = "(SELECT " + l.column_list(id, "s") + " FROM " + first + " s WHERE " + sql::binary("<", "s." + w, "0") + " AND " +
                             stored("s") + ")";
    const std::string doomed = l.add_cte(d + "_overdeleted", tag + ": D — stored rows that lost a derivation, and what they derive",
                                         set_closure(l, id, lost, stored("y")));
    const std::string in_doomed = "EXISTS (SELECT 1 FROM " + doomed + " o WHERE " + sql::binary("=", "o.\"__pgt_row_id\"", "t.\"__pgt_row_id\"") + ")";
    const std::string kept = "(SELECT " + l.column_list(id, "t") + " FROM " + state + " t WHERE NOT " + in_doomed + ")";
    // Seeds of N: rows new to B; rows the new source rows derive from R (from rows outside D:
    // checked when D is not empty); and the rows of D that B or R − D still derive.
    const std::string gained = "(SELECT " + l.column_list(id, "s") + ", s.\"__pgt_term\" FROM " + first + " s GROUP BY " +
                               l.column_list(id, "s") + ", s.\"__pgt_term\" HAVING " + sql::binary(">", "pg_catalog.sum(s." + w + ")", "0") + ")";
    const std::string candidates = "(SELECT o.\"__pgt_row_id\" FROM " + doomed + " o UNION ALL SELECT " + row_hash(l, id, "g") +
                                   " FROM " + gained + " g WHERE " + sql::binary("=", "g.\"__pgt_term\"", "1") + ")";
    const std::string seeds = l.add_cte(
        d + "_seeds", tag + ": seeds of N — new rows of B, rows new source rows derive, rows of D still derived",
        "SELECT " + l.column_list(id, "g") + " FROM " + gained + " g WHERE " + sql::binary("=", "g.\"__pgt_term\"", "0") + " OR NOT EXISTS (SELECT 1 FROM " +
            doomed + ") UNION SELECT " + l.column_list(id, "b") + " FROM (SELECT " + sql::join(base_columns(l, id, "s")) + " FROM " +
            l.new_sql(l.node(id).inputs[0]) + " s) b WHERE " + row_hash(l, id, "b") + " IN (SELECT o.\"__pgt_row_id\" FROM " +
            doomed + " o) UNION SELECT " + l.column_list(id, "k") + " FROM (SELECT " + sql::join(step_columns(l, id, "x")) +
            " FROM " + term_over(l, id, kept) + " x) k WHERE EXISTS (SELECT 1 FROM " +
            doomed + ") AND " + row_hash(l, id, "k") + " IN " + candidates);
    const std::string outside_kept = "NOT EXISTS (SELECT 1 FROM " + state + " t WHERE " +
                                     sql::binary("=", "t.\"__pgt_row_id\"", row_hash(l, id, "y")) + " AND NOT " + in_doomed + ")";
    const std::string fresh_seeds = "(SELECT * FROM " + seeds + " y WHERE " + outside_kept + ")";
    const std::string found = l.add_cte(d + "_rederived", tag + ": N — the seeds and what they derive outside R − D",
                                        set_closure(l, id, fresh_seeds, outside_kept));
    return l.add_cte(d + "_counts", tag + ": rows of D not in N leave, rows of N not in D arrive",
                     "SELECT o.*, 0::pg_catalog.int8 AS " + count_col + ", false AS \"__pgt_visible\" FROM " + doomed +
                         " o WHERE NOT EXISTS (SELECT 1 FROM " + found + " f WHERE " + sql::binary("=", "f.\"__pgt_row_id\"", "o.\"__pgt_row_id\"") + ") " +
                         "UNION ALL SELECT f.*, 1, true FROM " + found + " f WHERE NOT EXISTS (SELECT 1 FROM " + doomed +
                         " o WHERE " + sql::binary("=", "o.\"__pgt_row_id\"", "f.\"__pgt_row_id\"") + ")");
}

} // namespace

std::string recursive_new_sql(const lowering& l, int id) {
    if (l.state_table(id)) {
        if (const auto& now = l.stored_new(id)) return *now;
        return state_rows(l, id);
    }
    // From scratch: PostgreSQL's own UNION recursion, or counted UNION ALL rounds (guarded).
    if (std::get<ir::recursive>(l.node(id).rel->node).distinct)
        return "(WITH RECURSIVE \"__pgt_rows\" AS (SELECT " + sql::join(base_columns(l, id, "s")) + " FROM " +
               l.new_sql(l.node(id).inputs[0]) + " s UNION SELECT " + sql::join(step_columns(l, id, "x")) + " FROM " +
               term_over(l, id, "\"__pgt_rows\"") + " x) SELECT * FROM \"__pgt_rows\")";
    return "(SELECT " + l.column_list(id, "d") + " FROM " + base_derivations(l, id) + " d)";
}

std::string recursive_ref_sql(const lowering& l, int id) {
    const int rec = l.node(id).recursion;
    if (const auto* w = l.working(rec)) return *w;
    // Outside the rounds (the recursive term's own delta rule): the rows before the change.
    if (l.state_table(rec)) return state_rows(l, rec);
    throw error(sqlstate::internal_error, "WITH RECURSIVE lowered without its state table");
}

std::string recursive_full_load(lowering& l, int id) {
    if (std::get<ir::recursive>(l.node(id).rel->node).distinct)
        return "SELECT " + row_hash(l, id, "d") + " AS \"__pgt_row_id\", " + l.column_list(id, "d") + ", 1::pg_catalog.int8 AS " +
               count_col + " FROM " + recursive_new_sql(l, id) + " d";
    return "SELECT " + row_hash(l, id, "d") + " AS \"__pgt_row_id\", " + l.column_list(id, "d") + ", " +
           sql::column("d", weight) + " AS " + count_col + " FROM (" + consolidated(l, id, base_derivations(l, id)) + ") d";
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
    const std::string w = sql::ident(weight);
    // ΔB and S(R, Δsources) as the node's columns, each row tagged with its term (0: B).
    std::vector<std::string> parts;
    if (db) parts.push_back("SELECT " + sql::join(base_columns(l, id, "s")) + ", s." + w + ", 0 AS \"__pgt_term\" FROM " + *db + " s");
    if (ds) parts.push_back("SELECT " + sql::join(step_columns(l, id, "s")) + ", s." + w + ", 1 AS \"__pgt_term\" FROM " + *ds + " s");
    const std::string first = l.add_cte("d" + std::to_string(id) + "_first", tag + ": recursive — ΔB + S(R, Δsources), R held still",
                                        sql::join(parts, " UNION ALL "));
    const std::string same = sql::binary("=", "t.\"__pgt_row_id\"", "d.\"__pgt_row_id\"");
    const bool distinct = std::get<ir::recursive>(n.rel->node).distinct;
    const std::string counts = distinct ? delete_and_rederive(l, id, first, *state) : count_derivations(l, id, first, *state);
    const std::string untouched = " t WHERE NOT EXISTS (SELECT 1 FROM " + counts + " d WHERE " + same + ")";
    const std::string now_counted = "SELECT " + l.column_list(id, "d") + ", d." + count_col + " FROM " + counts +
                                    " d WHERE d.\"__pgt_visible\"";
    if (l.state_in_result(id)) {
        // The stream table's apply brings the stored copies up to date.
        l.set_stored_new(id, "(SELECT " + l.column_list(id, "t") + " FROM " + *state + untouched + " UNION ALL SELECT " +
                                 l.column_list(id, "n") + " FROM " + expand(l, id, "(" + now_counted + ")") + " n)");
    } else {
        l.set_stored_new(id, expand(l, id, "(SELECT " + l.column_list(id, "t") + ", t." + count_col + " FROM " + *state +
                                               untouched + " UNION ALL " + now_counted + ")"));
        l.add_state_update(aggregate_apply_ctes(state_table_layout(l, id, {{"__pgt_count", make_type(type_kind::int8), true, ""}}),
                                                *state, counts, tag + "_", same));
    }
    return l.add_cte("d" + std::to_string(id) + "_recursive", tag + ": recursive — the change of its rows",
                     distinct ? "SELECT " + l.column_list(id, "c") + ", CASE WHEN c.\"__pgt_visible\" THEN 1 ELSE -1 END AS " + w +
                                    " FROM " + counts + " c"
                              : "SELECT " + l.column_list(id, "c") + ", c." + w + " FROM " + counts + " c");
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
