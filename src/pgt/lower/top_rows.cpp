// The keyed, bag and distinct strategies: the stream table holds result rows (with their
// multiplicity for DISTINCT), and a refresh merges the consolidated net change per row.
#include "strategy.hpp"

namespace pgt::lower::detail {

int merged_node(const circuit& c) {
    return c.strategy == maintenance::distinct ? c.nodes[static_cast<std::size_t>(c.output)].inputs[0] : c.output;
}

namespace {

/// The row id of a row of node `id` seen through `alias`.
std::string row_id_of(const lowering& l, int id, const std::string& alias) {
    const circuit& c = l.graph();
    const auto& cols = l.node(id).rel->columns;
    std::vector<std::string> values;
    std::vector<sql_type> types;
    auto add = [&](std::size_t i) {
        values.push_back(sql::column(alias, l.names(id)[i]));
        types.push_back(cols[i].type);
    };
    if (c.strategy == maintenance::keyed)
        for (int k : c.key) add(static_cast<std::size_t>(k));
    else
        for (std::size_t i = 0; i < cols.size(); ++i) add(i);
    return l.row_id(values, types);
}

} // namespace

std::string rows_full_load(lowering& l) {
    const circuit& c = l.graph();
    const int id = merged_node(c);
    const std::string cols = l.column_list(id, "q");
    if (c.strategy == maintenance::distinct)
        return l.with("SELECT " + row_id_of(l, id, "q") + " AS \"__pgt_row_id\", " + cols +
                      ", pg_catalog.count(*) AS \"__pgt_count\" FROM " + l.new_sql(id) + " q GROUP BY " + cols);
    return l.with("SELECT " + row_id_of(l, id, "q") + " AS \"__pgt_row_id\", " + cols + " FROM " + l.new_sql(id) + " q");
}

std::string rows_query_load(lowering& l, const std::string& query) {
    const int id = l.graph().output;
    std::vector<std::string> names;
    for (const auto& n : l.names(id)) names.push_back(sql::ident(n));
    return "SELECT " + row_id_of(l, id, "q") + " AS \"__pgt_row_id\", " + l.column_list(id, "q") + " FROM (" + query + ") q(" +
           sql::join(names) + ")";
}

std::string rows_delta(lowering& l) {
    const circuit& c = l.graph();
    const int id = merged_node(c);
    const auto d = l.delta(id);
    const std::string cols = l.column_list(id, "s");
    const std::string w = sql::ident(weight);
    // One row (a change merged a row at a time) is its own net change.
    if (l.single_row(id)) return "SELECT " + row_id_of(l, id, "s") + " AS \"__pgt_row_id\", " + cols + ", s." + w + " FROM " + *d + " s";
    std::string consolidated = "SELECT " + row_id_of(l, id, "s") + " AS \"__pgt_row_id\", " + l.grouped_column_list(id, "s") +
                               ", pg_catalog.sum(s." + w + ") AS " + w + " FROM " + *d + " s GROUP BY " + l.image_list(id, "s") +
                               " HAVING " + sql::binary("<>", "pg_catalog.sum(s." + w + ")", "0");
    if (c.strategy != maintenance::keyed) return consolidated;
    // A changed row arrives as its old version (weight −1) and its new one (+1): keep the new
    // one, so that the key's row is updated in place.
    return "SELECT DISTINCT ON (\"__pgt_row_id\") * FROM (" + consolidated + ") s ORDER BY \"__pgt_row_id\", " + w +
           " DESC";
}

namespace {

/// Column lists of the storage layout, spelled for the apply CTEs.
struct apply_columns {
    std::vector<std::string> all;       ///< every storage column, quoted
    std::vector<std::string> from_d;    ///< d."col" for every storage column
    std::vector<std::string> set_from_d; ///< "col" = d."col", all but the row id
    std::vector<std::string> t_rest, d_rest;
    std::vector<sql_type> rest_types;

    explicit apply_columns(const layout& lay) {
        for (const auto& col : lay.columns) {
            all.push_back(sql::ident(col.name));
            from_d.push_back(sql::column("d", col.name));
            if (col.name == "__pgt_row_id") continue;
            set_from_d.push_back(sql::ident(col.name) + " = " + sql::column("d", col.name));
            t_rest.push_back(sql::column("t", col.name));
            d_rest.push_back(sql::column("d", col.name));
            rest_types.push_back(col.type);
        }
    }

    /// A stored row (t) prints differently from its new version (d) in a column but the row id
    /// (a sum 7.25 that is now 7.250 is rewritten).
    std::string changed() const {
        std::vector<std::string> t, d;
        for (std::size_t i = 0; i < t_rest.size(); ++i) {
            t.push_back(sql::printed(t_rest[i], rest_types[i]));
            d.push_back(sql::printed(d_rest[i], rest_types[i]));
        }
        return "ROW(" + sql::join(t) + ") IS DISTINCT FROM ROW(" + sql::join(d) + ")";
    }
};

/// `alias."__pgt_row_id" OPERATOR(pg_catalog.=) ANY (ARRAY(…))` of the row ids of `d` where `where` holds: stored
/// rows found through the row id's index, even where the planner has no statistics on the
/// table or expects many rows of `d`.
std::string row_id_among(const std::string& alias, const std::string& d, const std::string& where = {}) {
    return sql::column(alias, "__pgt_row_id") + " OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT d.\"__pgt_row_id\" FROM " + d + " d" +
           (where.empty() ? "" : " WHERE " + where) + "))";
}

cte modify(const char* name, const char* comment, const std::string& body) {
    return {sql::ident(name), comment, body + " RETURNING 1"};
}

} // namespace

std::vector<cte> bag_apply_ctes(const layout& lay, const std::string& st) {
    const apply_columns cols(lay);
    const std::string d = sql::ident(delta_cte);
    const std::string w = sql::column("d", weight);
    // Remove |w| copies of each row with a negative weight, add w copies of each row with a
    // positive one; copies are told apart by ctid. (Rows equal but for their id are distinct
    // rows: a TopK's stream table shows its state's rows without their hidden sort keys.)
    std::vector<std::string> same{sql::binary("=", "s.\"__pgt_row_id\"", "d.\"__pgt_row_id\"")};
    for (std::size_t i = 1; i < lay.columns.size(); ++i)
        same.push_back(sql::identical(sql::column("s", lay.columns[i].name), sql::column("d", lay.columns[i].name),
                                      lay.columns[i].type));
    // Each removed row's copies are looked up through the row id's index, |w| of them at most.
    return {modify("__pgt_del", "delete |w| copies of removed rows",
                   "DELETE FROM " + st + " t WHERE t.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT x.sc FROM " + d +
                       " d CROSS JOIN LATERAL (SELECT s.ctid AS sc FROM " + st + " s WHERE " + sql::join(same, " AND ") +
                       " LIMIT " + sql::negated(w) + "::pg_catalog.int8) x WHERE " + sql::binary("<", w, "0") + "))"),
            modify("__pgt_ins", "insert w copies of added rows",
                   "INSERT INTO " + st + " (" + sql::join(cols.all) + ") SELECT " + sql::join(cols.from_d) + " FROM " + d +
                       " d CROSS JOIN LATERAL pg_catalog.generate_series(1, " + w + ") WHERE " + sql::binary(">", w, "0"))};
}

std::vector<cte> aggregate_apply_ctes(const layout& lay, const std::string& st, const std::string& d,
                                      const std::string& prefix, const std::string& same_id) {
    const apply_columns cols(lay);
    const std::string touched = " AND " + row_id_among("t", d);
    return {modify((prefix + "del").c_str(), "delete groups that became empty or fail HAVING",
                   "DELETE FROM " + st + " t USING " + d + " d WHERE " + same_id + " AND NOT d.\"__pgt_visible\"" + touched),
            modify((prefix + "upd").c_str(), "update changed groups",
                   "UPDATE " + st + " t SET " + sql::join(cols.set_from_d) + " FROM " + d + " d WHERE " + same_id + touched +
                       " AND d.\"__pgt_visible\" AND " + cols.changed()),
            modify((prefix + "ins").c_str(), "insert groups new to the table",
                   "INSERT INTO " + st + " (" + sql::join(cols.all) + ") SELECT " + sql::join(cols.from_d) + " FROM " + d +
                       " d WHERE d.\"__pgt_visible\" AND NOT EXISTS (SELECT 1 FROM " + st + " t WHERE " + same_id + touched + ")")};
}

std::vector<cte> apply_ctes(const circuit& c, const layout& lay, const std::string& st) {
    const apply_columns cols(lay);
    const std::string d = sql::ident(delta_cte);
    const std::string w = sql::column("d", weight);
    const std::string same_id = sql::binary("=", "t.\"__pgt_row_id\"", "d.\"__pgt_row_id\"");
    auto insert_new = [&](const std::string& condition, const std::vector<std::string>& values) {
        return modify("__pgt_ins", "insert rows new to the stream table",
                      "INSERT INTO " + st + " (" + sql::join(cols.all) + ") SELECT " + sql::join(values) + " FROM " + d +
                          " d WHERE " + condition + " AND NOT EXISTS (SELECT 1 FROM " + st + " t WHERE " + same_id + ")");
    };
    switch (c.strategy) {
    case maintenance::aggregate: return aggregate_apply_ctes(lay, st, d, "__pgt_", same_id);
    case maintenance::keyed:
        return {modify("__pgt_del", "delete rows whose key disappeared",
                       "DELETE FROM " + st + " t USING " + d + " d WHERE " + same_id + " AND " + sql::binary("<", w, "0")),
                modify("__pgt_upd", "update rows whose key remains",
                       "UPDATE " + st + " t SET " + sql::join(cols.set_from_d) + " FROM " + d + " d WHERE " + same_id +
                           " AND " + sql::binary(">", w, "0")),
                insert_new(sql::binary(">", w, "0"), cols.from_d)};
    case maintenance::distinct: {
        const std::string count = sql::binary("+", "t.\"__pgt_count\"", w);
        std::vector<std::string> values = cols.from_d;
        values.back() = w; // a new row's multiplicity is its weight
        return {modify("__pgt_del", "delete rows whose multiplicity drops to zero",
                       "DELETE FROM " + st + " t USING " + d + " d WHERE " + same_id + " AND " + sql::binary("<=", count, "0")),
                modify("__pgt_upd", "adjust multiplicities",
                       "UPDATE " + st + " t SET \"__pgt_count\" = " + count + " FROM " + d + " d WHERE " + same_id + " AND " +
                           sql::binary(">", count, "0")),
                insert_new(sql::binary(">", w, "0"), values)};
    }
    case maintenance::bag: return bag_apply_ctes(lay, st);
    }
    return {};
}

std::string merge_apply(const circuit& c, const layout& lay, const std::string& st) {
    const apply_columns cols(lay);
    const std::string w = sql::column("d", weight);
    const std::string head = "MERGE INTO " + st + " t USING " + sql::ident(delta_cte) +
                             " d ON " + sql::binary("=", "t.\"__pgt_row_id\"", "d.\"__pgt_row_id\"") + " ";
    auto insert = [&](const std::string& condition, const std::vector<std::string>& values) {
        return "WHEN NOT MATCHED AND " + condition + " THEN INSERT (" + sql::join(cols.all) + ") VALUES (" +
               sql::join(values) + ")";
    };
    switch (c.strategy) {
    case maintenance::aggregate:
        return head + "WHEN MATCHED AND NOT d.\"__pgt_visible\" THEN DELETE WHEN MATCHED AND " + cols.changed() +
               " THEN UPDATE SET " + sql::join(cols.set_from_d) + " " + insert("d.\"__pgt_visible\"", cols.from_d);
    case maintenance::keyed:
        return head + "WHEN MATCHED AND " + sql::binary("<", w, "0") + " THEN DELETE WHEN MATCHED THEN UPDATE SET " +
               sql::join(cols.set_from_d) + " " + insert(sql::binary(">", w, "0"), cols.from_d);
    case maintenance::distinct: {
        const std::string count = sql::binary("+", "t.\"__pgt_count\"", w);
        std::vector<std::string> values = cols.from_d;
        values.back() = w; // a new row's multiplicity is its weight
        return head + "WHEN MATCHED AND " + sql::binary("<=", count, "0") +
               " THEN DELETE WHEN MATCHED THEN UPDATE SET \"__pgt_count\" = " + count + " " +
               insert(sql::binary(">", w, "0"), values);
    }
    case maintenance::bag: break;
    }
    return {};
}

} // namespace pgt::lower::detail
