#include "lifecycle/distributed_storage.hpp"

#include <algorithm>

#include "pgt/error.hpp"
#include "pgt/sql/ddl.hpp"

#include "capture/citus.hpp"
#include "catalog/stream_table.hpp"
#include "pg/spi.hpp"
#include "pg/transactions.hpp"

namespace pgt::ext {

namespace {

void not_distributable(const std::string& why) {
    throw error(sqlstate::feature_not_supported, "output_distribution_column: " + why);
}

/// The source to co-locate the storage with: the first of `def`'s distributed sources whose
/// distribution column has the type of the storage's `column_type` ('default' when none has:
/// Citus then co-locates it with tables of that type, or starts a group).
std::string colocation_of(const definition& def, const std::string& column_type) {
    for (const auto& source : def.front.sources) {
        const auto where = citus::placement_of(source->oid);
        if (where.kind != citus::placement::distributed) continue;
        const bool same_type = spi::scalar("SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = $1::pg_catalog.oid AND attname = $2 "
                                           "AND atttypid = pg_catalog.to_regtype($3)",
                                           {std::to_string(source->oid), where.column, column_type})
                                   .has_value();
        if (same_type) return *spi::scalar("SELECT $1::pg_catalog.oid::pg_catalog.regclass::text", {std::to_string(source->oid)});
    }
    return "default";
}

} // namespace

void distribute_storage(const std::string& schema, const std::string& name, unsigned relid, const definition& def,
                        const std::string& column) {
    const std::string table = spi::quote_ident(schema) + "." + spi::quote_ident(name);
    if (!citus::installed()) not_distributable("Citus is not installed in this database");
    if (def.refresh_mode == mode::immediate) not_distributable("IMMEDIATE stream tables are not distributed");
    if (!def.graph || def.refresh_mode != mode::differential)
        not_distributable("the stream table must be maintained incrementally (DIFFERENTIAL or AUTO): " +
                          (def.downgrade_reason.empty() ? std::string("it is FULL") : def.downgrade_reason));
    if (const auto why = lower::why_not_distributable(*def.graph)) not_distributable(*why);
    if (!citus::reads_citus_tables(def.front.sources))
        not_distributable("the query reads no table of Citus (distributed or reference)");
    const auto col = std::ranges::find_if(def.layout.columns, [&](const lower::storage_column& c) { return !c.hidden && c.name == column; });
    if (col == def.layout.columns.end())
        throw error(sqlstate::undefined_column, "output_distribution_column: the query has no column \"" + column + "\"");

    server::internal_ddl_scope internal;
    spi::exec(sql::ddl::drop_trigger("pgt_dml_guard", table));
    const stream_table_key key{0, relid, schema, name};
    drop_row_id_index(key);
    // (Citus refuses a NULL distribution value; NOT NULL says so before a refresh finds one.)
    spi::exec(sql::ddl::set_not_null(table, spi::quote_ident(column)));
    spi::exec("SELECT pg_catalog.create_distributed_table($1::pg_catalog.regclass, $2, colocate_with => $3)",
              {table, column, colocation_of(def, col->type.name)});
    // Also the replica identity, as a local storage's: Citus moves shards by logical replication.
    create_row_id_index(key, true, column);
}

std::string storage_distribution_column(unsigned relid) {
    const auto where = citus::placement_of(relid);
    return where.kind == citus::placement::distributed ? where.column : std::string();
}

void refuse_distributed_stream_table_sources(const definition& def) {
    for (const auto& source : def.front.sources)
        if (citus::placement_of(source->oid).kind == citus::placement::distributed && stream_table_by_relid(source->oid))
            throw error(sqlstate::feature_not_supported,
                        "a stream table cannot read a distributed stream table (" + source->schema + "." + source->name + ")",
                        "Read its defining query's sources instead.");
}

} // namespace pgt::ext
