#include "refresh/aggregate_states.hpp"

#include "pgt/sql/builder.hpp"
#include "pgt/sql/ddl.hpp"
#include "pgt/sql/tree.hpp"

#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "refresh/definition.hpp"

namespace pgt::ext {

std::string aggregate_state_table(unsigned relid, int node) {
    return "pgtrickle_state." + spi::quote_ident("n" + std::to_string(node) + "_" + std::to_string(relid));
}

std::vector<std::string> state_tables_of(unsigned relid) {
    std::vector<std::string> tables;
    for (const auto& r : spi::query("SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN "
                                    "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgtrickle_state' "
                                    "AND c.relkind = 'r' AND c.relname ~ ('^(topk|n[0-9]+)_' || $1 || '$') ORDER BY 1",
                                    {std::to_string(relid)}))
        tables.push_back("pgtrickle_state." + *r[0]);
    return tables;
}

bool aggregate_states_exist(const compiled_query& comp) {
    const auto* inc = comp.incremental();
    if (!inc) return true;
    for (const auto& def : inc->aggregate_state_defs) {
        const auto relid = spi::prepared("SELECT pg_catalog.to_regclass($1)::pg_catalog.oid::text", 1).query({inc->aggregate_states.at(def.node)}).at(0)[0];
        if (!relid) return false;
        for (const auto& column : def.state_columns)
            if (!server::has_column(static_cast<server::oid>(std::stoul(*relid)), column.c_str())) return false;
    }
    return true;
}

void rebuild_aggregate_states(const compiled_query& comp, unsigned owner, const spi::snapshot& snap) {
    const auto* inc = comp.incremental();
    if (!inc) return;
    for (const auto& def : inc->aggregate_state_defs) {
        const std::string& table = inc->aggregate_states.at(def.node);
        const auto columns = spi::describe_columns(def.select); // as the owner: a privilege check too
        std::vector<std::string> names;
        for (const auto& c : columns) names.push_back(c.name);
        {
            // Created and indexed by the extension's owner in its schema (an index there needs
            // CREATE on it, which the stream table's owner lacks), then handed to that owner.
            server::internal_ddl_scope internal;
            server::role_scope as_ext(server::extension_owner(), false);
            if (spi::scalar("SELECT pg_catalog.to_regclass($1)", {table})) spi::exec(sql::ddl::drop_table(table));
            spi::exec(sql::ddl::create_table(table, columns));
            spi::exec(sql::ddl::create_index(table, {sql::ident("__pgt_row_id")}));
            if (!def.key_columns.empty()) spi::exec(sql::ddl::create_index(table, def.key_columns));
            spi::exec(sql::ddl::alter_owner(table, spi::quote_ident(server::role_name(owner))));
            server::depend_on_extension("pg_class", relid_of(table));
        }
        snap.exec(sql::tree::render(sql::tree::insert{table, names, sql::tree::rendered_query(def.select), {}}));
        server::internal_ddl_scope internal;
        spi::exec(sql::ddl::analyze(table));
    }
}

} // namespace pgt::ext
