// The keyed, bag and distinct strategies: the stream table holds result rows (with their
// multiplicity for DISTINCT), and a refresh merges the consolidated net change per row.
#include "strategy.hpp"

namespace pgt::lower::detail {

namespace {

/// The node whose change is merged: the output, or for DISTINCT the node below it (the
/// stream table keeps the multiplicity DISTINCT would discard).
int merged_node(const circuit& c) {
    return c.strategy == maintenance::distinct ? c.nodes[static_cast<std::size_t>(c.output)].inputs[0] : c.output;
}

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

std::string rows_delta(lowering& l) {
    const circuit& c = l.graph();
    const int id = merged_node(c);
    const auto d = l.delta(id);
    const std::string cols = l.column_list(id, "s");
    const std::string w = sql::ident(weight);
    return l.with("SELECT " + row_id_of(l, id, "s") + " AS \"__pgt_row_id\", " + cols + ", pg_catalog.sum(s." + w +
                  ") AS " + w + " FROM " + *d + " s GROUP BY " + cols + " HAVING pg_catalog.sum(s." + w + ") <> 0");
}

std::vector<std::string> apply_statements(const circuit& c, const layout& lay, const std::string& st,
                                          const std::string& delta) {
    std::vector<std::string> all, visible, from_d, set_from_d, t_cols;
    for (const auto& col : lay.columns) {
        all.push_back(sql::ident(col.name));
        from_d.push_back(sql::column("d", col.name));
        if (col.name == "__pgt_row_id") continue;
        set_from_d.push_back(sql::ident(col.name) + " = " + sql::column("d", col.name));
        t_cols.push_back(sql::column("t", col.name));
        if (!col.hidden) visible.push_back(col.name);
    }
    const std::string w = sql::column("d", weight);
    const std::string on = " ON t.\"__pgt_row_id\" = d.\"__pgt_row_id\"\n";
    const std::string insert = "INSERT (" + sql::join(all) + ") VALUES (" + sql::join(from_d) + ")";
    std::vector<std::string> d_cols;
    for (const auto& col : lay.columns)
        if (col.name != "__pgt_row_id") d_cols.push_back(sql::column("d", col.name));
    const std::string changed = "ROW(" + sql::join(t_cols) + ") IS DISTINCT FROM ROW(" + sql::join(d_cols) + ")";

    switch (c.strategy) {
    case maintenance::aggregate:
        return {"MERGE INTO " + st + " t USING " + delta + " d" + on +
                "WHEN MATCHED AND NOT d.\"__pgt_visible\" THEN DELETE\n"
                "WHEN MATCHED AND " + changed + " THEN UPDATE SET " + sql::join(set_from_d) + "\n"
                "WHEN NOT MATCHED AND d.\"__pgt_visible\" THEN " + insert};
    case maintenance::keyed:
        // A changed row arrives as its old version (weight −1) and its new one (+1): keep the
        // new one, so that the key's row is updated in place.
        return {"MERGE INTO " + st + " t USING (SELECT DISTINCT ON (\"__pgt_row_id\") * FROM " + delta +
                " ORDER BY \"__pgt_row_id\", " + sql::ident(weight) + " DESC) d" + on + "WHEN MATCHED AND " + w +
                " < 0 THEN DELETE\nWHEN MATCHED THEN UPDATE SET " + sql::join(set_from_d) + "\nWHEN NOT MATCHED AND " + w +
                " > 0 THEN " + insert};
    case maintenance::distinct: {
        const std::string count = "t.\"__pgt_count\" + " + w;
        std::vector<std::string> values = from_d;
        values.back() = w; // __pgt_count of a new row is its weight
        return {"MERGE INTO " + st + " t USING " + delta + " d" + on + "WHEN MATCHED AND " + count +
                " <= 0 THEN DELETE\nWHEN MATCHED THEN UPDATE SET \"__pgt_count\" = " + count +
                "\nWHEN NOT MATCHED AND " + w + " > 0 THEN INSERT (" + sql::join(all) + ") VALUES (" +
                sql::join(values) + ")"};
    }
    case maintenance::bag: {
        // Remove |w| copies of each row with a negative weight, then add w copies of each row
        // with a positive one; copies are told apart by ctid.
        std::vector<std::string> same{"s.\"__pgt_row_id\" = d.\"__pgt_row_id\""};
        for (std::size_t i = 1; i < lay.columns.size(); ++i)
            same.push_back(sql::not_distinct(sql::column("s", lay.columns[i].name), sql::column("d", lay.columns[i].name),
                                             lay.columns[i].type));
        return {"DELETE FROM " + st + " t USING (SELECT x.sc FROM (SELECT s.ctid AS sc, pg_catalog.row_number() OVER "
                "(PARTITION BY d.ctid ORDER BY s.ctid) AS rn, " + w + " AS w FROM " + st + " s JOIN " + delta + " d ON " +
                sql::join(same, " AND ") + " WHERE " + w + " < 0) x WHERE x.rn <= -x.w) v WHERE t.ctid = v.sc",
                "INSERT INTO " + st + " (" + sql::join(all) + ") SELECT " + sql::join(from_d) + " FROM " + delta +
                " d CROSS JOIN LATERAL pg_catalog.generate_series(1, " + w + ") WHERE " + w + " > 0"};
    }
    }
    return {};
}

} // namespace pgt::lower::detail
