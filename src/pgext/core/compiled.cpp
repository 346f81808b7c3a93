#include "core/compiled.hpp"

#include "pgt/error.hpp"
#include "pgt/sql/builder.hpp"

#include "core/capture.hpp"
#include "core/server_catalog.hpp"
#include "pg/server.hpp"

namespace pgt::ext {

namespace {

std::map<long long, std::unique_ptr<compiled_query>>& cache() {
    static std::map<long long, std::unique_ptr<compiled_query>> c;
    return c;
}

/// The pending changes of source `t`: its columns and a weight, +1 per inserted row, −1 per
/// deleted row, from the buffer rows the frontier ($1–$3) has not yet passed.
std::string changes_relation(const ir::table& t) {
    std::vector<std::string> cols;
    for (const auto& c : t.columns) cols.push_back("b." + spi::quote_ident(c.name));
    return "(SELECT " + sql::join(cols) +
           ", CASE b.__pgt_action WHEN 'I' THEN 1::pg_catalog.int8 ELSE -1::pg_catalog.int8 END AS \"__pgt_w\" FROM " +
           buffer_name(t.oid) + " b WHERE " + pending_condition("b") + " AND b.__pgt_action <> 'T')";
}

std::vector<std::string> storage_columns(const lower::layout& lay) {
    std::vector<std::string> cols;
    for (const auto& c : lay.columns) cols.push_back(spi::quote_ident(c.name));
    return cols;
}

} // namespace

lower::options lowering_options() { return {}; }

frontend::compile_result compile_query(const std::string& sql) {
    server_catalog cat;
    try {
        return frontend::compile(sql, cat, [](const std::string& text) { return server::parse(text); });
    } catch (error& e) {
        if (e.position() >= 0 && e.query().empty()) e.set_query(sql);
        throw;
    }
}

const spi::plan& compiled_query::delta_plan(const stream_table& st, unsigned long long changed) {
    auto& p = delta_plans[changed];
    if (p.valid()) return p;
    std::vector<lower::source_changes> bindings;
    for (std::size_t i = 0; i < sources.size(); ++i)
        bindings.push_back({changes_relation(*sources[i]), ((changed >> i) & 1) != 0});
    auto plan = lower::delta_sql(*graph, bindings, st.qualified(), lowering_options());
    p = spi::plan(plan.statement, 3, true);
    return p;
}

std::string full_mode_load(const stream_table& st) {
    auto cols = spi::query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
                           "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped "
                           "AND a.attname NOT LIKE '\\_\\_pgt\\_%' ORDER BY a.attnum",
                           {std::to_string(st.relid)});
    std::vector<std::string> names, hashed;
    for (const auto& c : cols) {
        const std::string col = "q." + spi::quote_ident(*c[0]);
        names.push_back(spi::quote_ident(*c[0]));
        hashed.push_back(sql::hash_text(col, parse_type_name(*c[1])));
    }
    return "INSERT INTO " + st.qualified() + " (\"__pgt_row_id\", " + sql::join(names) + ") SELECT " +
           lowering_options().hash_function + "(ARRAY[" + sql::join(hashed) + "]), q.* FROM (" + st.defining_query +
           ") q";
}

compiled_query& compiled_for(const stream_table& st) {
    auto& slot = cache()[st.id];
    if (slot && slot->generation == st.generation) return *slot;
    auto c = std::make_unique<compiled_query>();
    c->generation = st.generation;
    c->front = compile_query(st.defining_query);
    if (st.refresh_mode == "DIFFERENTIAL") {
        if (!c->front.query) throw *c->front.unsupported;
        c->graph = build_circuit(*c->front.query);
        c->sources = c->graph->sources;
        const auto lay = lower::storage_layout(*c->graph);
        c->full_load = "INSERT INTO " + st.qualified() + " (" + sql::join(storage_columns(lay)) + ") " +
                       lower::full_load_sql(*c->graph, lowering_options());
    } else {
        c->sources = c->front.sources;
        c->full_load = full_mode_load(st);
    }
    c->full_plan = spi::plan(c->full_load, 0);
    slot = std::move(c);
    return *slot;
}

void forget_compiled(long long id) { cache().erase(id); }

} // namespace pgt::ext
