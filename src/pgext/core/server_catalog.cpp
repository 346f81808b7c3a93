#include "core/server_catalog.hpp"

#include "pg/server.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

relation_kind kind_of(const std::string& relkind) {
    switch (relkind.empty() ? ' ' : relkind[0]) {
    case 'r':
    case 'p': return relation_kind::table;
    case 'v': return relation_kind::view;
    case 'm': return relation_kind::materialized_view;
    case 'f': return relation_kind::foreign_table;
    default: return relation_kind::other;
    }
}

std::optional<relation_info> describe(const std::string& relid) {
    auto rel = spi::query("SELECT n.nspname, c.relname, c.relkind, c.relpersistence, "
                          "CASE WHEN c.relkind = 'v' THEN pg_catalog.pg_get_viewdef(c.oid) END, "
                          "c.relkind = 'p' OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid), "
                          "(SELECT i.inhparent::pg_catalog.regclass::text FROM pg_catalog.pg_inherits i "
                          " WHERE i.inhrelid = c.oid ORDER BY i.inhseqno LIMIT 1), c.relispartition "
                          "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE c.oid = $1::oid",
                          {relid});
    if (rel.empty()) return std::nullopt;
    relation_info info;
    info.kind = kind_of(*rel[0][2]);
    info.is_temporary = rel[0][3] == "t";
    if (rel[0][4]) info.view_definition = *rel[0][4];
    info.partitioned = rel[0][2] == "p";
    info.has_children = rel[0][5] == "t";
    if (rel[0][6]) info.parent = *rel[0][6];
    info.is_partition = rel[0][7] == "t";
    auto t = std::make_shared<ir::table>();
    t->schema = *rel[0][0];
    t->name = *rel[0][1];
    t->oid = static_cast<std::uint32_t>(std::stoul(relid));
    // Hidden bookkeeping columns of a stream table are not part of it. (A change buffer is made
    // with these types as the extension owner.)
    const server::qualified_type_names_scope qualified;
    auto cols = spi::query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                           "a.attnum = ANY (COALESCE((SELECT k.conkey FROM pg_catalog.pg_constraint k "
                           "  WHERE k.conrelid = a.attrelid AND k.contype = 'p'), '{}')) "
                           "FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 "
                           "AND NOT a.attisdropped AND a.attname NOT LIKE '\\_\\_pgt\\_%' ORDER BY a.attnum",
                           {relid});
    for (const auto& c : cols) {
        if (*c[3] == "t") t->primary_key.push_back(static_cast<int>(t->columns.size()));
        t->columns.push_back({*c[0], parse_type_name(*c[1]), *c[2] == "t"});
    }
    info.table = std::move(t);
    return info;
}

} // namespace

std::optional<relation_info> server_catalog::find_relation(const std::string& schema, const std::string& name) const {
    const std::string qualified =
        schema.empty() ? spi::quote_ident(name) : spi::quote_ident(schema) + "." + spi::quote_ident(name);
    auto relid = spi::scalar("SELECT pg_catalog.to_regclass($1)::oid::text", {qualified});
    if (!relid) return std::nullopt;
    return describe(*relid);
}

std::optional<relation_info> server_catalog::relation_by_oid(unsigned relid) const {
    return describe(std::to_string(relid));
}

namespace {
// Resolution by name and argument count along the search path (argument types are not
// matched); among overloads in the first schema that has one, the most volatile is reported,
// so that a volatile overload is never missed.
std::optional<function_info> find_routine(const std::string& schema, const std::string& name, int nargs, char kind) {
    auto rows = spi::query(
        "SELECT n.nspname, pg_catalog.format_type(p.prorettype, NULL), p.provolatile, p.proretset "
        "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.proname = $1 AND p.pronargs = $2::int AND p.prokind = $4 "
        "AND ($3::text IS NULL OR n.nspname = $3) "
        "AND ($3::text IS NOT NULL OR n.nspname = ANY (pg_catalog.current_schemas(true))) "
        "ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname), "
        "CASE p.provolatile WHEN 'v' THEN 0 WHEN 's' THEN 1 ELSE 2 END",
        {name, std::to_string(nargs), schema.empty() ? spi::param{} : spi::param{schema}, std::string(1, kind)});
    if (rows.empty()) return std::nullopt;
    function_info f;
    f.schema = *rows[0][0];
    f.result = parse_type_name(*rows[0][1]);
    const std::string vol = *rows[0][2];
    f.vol = vol == "v" ? ir::volatility::volatile_ : vol == "s" ? ir::volatility::stable : ir::volatility::immutable;
    return f;
}
} // namespace

std::optional<function_info> server_catalog::find_function(const std::string& schema, const std::string& name,
                                                           const std::vector<sql_type>& args) const {
    return find_routine(schema, name, static_cast<int>(args.size()), 'f');
}

std::optional<function_info> server_catalog::find_aggregate(const std::string& schema, const std::string& name,
                                                            int nargs) const {
    return find_routine(schema, name, nargs, 'a');
}

} // namespace pgt::ext
