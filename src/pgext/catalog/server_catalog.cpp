#include "catalog/server_catalog.hpp"

#include "pgt/error.hpp"

#include "pg/gucs.hpp"
#include "pg/relations.hpp"
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
    auto cols = spi::query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atttypid, "
                           "a.attnum = ANY (COALESCE((SELECT k.conkey FROM pg_catalog.pg_constraint k "
                           "  WHERE k.conrelid = a.attrelid AND k.contype = 'p'), '{}')) "
                           "FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 "
                           "AND NOT a.attisdropped AND a.attname NOT LIKE '\\_\\_pgt\\_%' ORDER BY a.attnum",
                           {relid});
    for (const auto& c : cols) {
        if (*c[4] == "t") t->primary_key.push_back(static_cast<int>(t->columns.size()));
        sql_type type = parse_type_name(*c[1]);
        type.equality = server::analyzer::has_equality(static_cast<server::analyzer::oid>(std::stoul(*c[3])));
        t->columns.push_back({*c[0], std::move(type), *c[2] == "t"});
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
    auto info = describe(*relid);
    if (info && info->kind == relation_kind::view)
        objects_.insert({server::query_object::kind::view, static_cast<server::oid>(std::stoul(*relid))});
    return info;
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

namespace analyzer = server::analyzer;

namespace {

ir::volatility volatility(char v) {
    return v == 'v' ? ir::volatility::volatile_ : v == 's' ? ir::volatility::stable : ir::volatility::immutable;
}

/// Runs a resolution; PostgreSQL's error, if any, points at `position` in the defining query.
template <class F>
auto at_position(int position, F&& f) {
    try {
        return f();
    } catch (const error& e) {
        if (e.position() >= 0 || position < 0) throw;
        throw error(e.code(), e.what(), e.detail(), e.hint(), position);
    }
}

} // namespace

sql_type server_type(const std::string& spelling) {
    sql_type t = parse_type_name(spelling);
    t.equality = analyzer::has_equality(analyzer::parse_type(spelling).type);
    return t;
}

server::analyzer::type_ref server_catalog::ref(const sql_type& t) const {
    if (t.kind == type_kind::unknown) return analyzer::unknown_type();
    auto it = refs_.find(t.name);
    if (it != refs_.end()) return it->second;
    return refs_[t.name] = analyzer::parse_type(t.name);
}

sql_type server_catalog::type(type_ref t) const {
    if (t == analyzer::unknown_type()) return {};
    auto [it, fresh] = types_.try_emplace({t.type, t.typmod});
    if (fresh) {
        it->second = parse_type_name(analyzer::spell_type(t));
        it->second.equality = analyzer::has_equality(t.type);
        refs_.emplace(it->second.name, t);
    }
    return it->second;
}

typing::resolved_call server_catalog::to_resolved(const analyzer::call& c) const {
    if (c.routine) objects_.insert({server::query_object::kind::function, c.routine});
    if (c.operator_id) objects_.insert({server::query_object::kind::operator_, c.operator_id});
    typing::resolved_call r;
    for (const auto& a : c.args) r.args.push_back(type(a));
    r.result = type(c.result);
    r.vol = volatility(c.volatility);
    r.schema = c.schema;
    r.returns_set = c.returns_set;
    r.is_cast = c.is_cast;
    for (const auto& col : c.set_columns) r.set_columns.push_back({col.name, type(col.type)});
    r.composite = c.composite;
    return r;
}

std::optional<sql_type> server_catalog::find_type(const std::string& spelling, int position) const {
    return at_position(position, [&] { return type(analyzer::parse_type(spelling)); });
}

std::optional<typing::resolved_call> server_catalog::resolve_operator(const std::string& schema, const std::string& op,
                                                                      const sql_type* left, const sql_type& right,
                                                                      int position) const {
    return at_position(position, [&] {
        const auto l = left ? std::optional<type_ref>(ref(*left)) : std::nullopt;
        return to_resolved(analyzer::resolve_operator(schema, op, l ? &*l : nullptr, ref(right), position));
    });
}

std::optional<typing::resolved_call> server_catalog::resolve_function(const call_request& call) const {
    return at_position(call.position, [&] {
        std::vector<type_ref> args, ordered;
        for (const auto& a : call.args) args.push_back(ref(a));
        for (const auto& o : call.ordered) ordered.push_back(ref(o));
        const auto kind = call.kind == call_kind::aggregate ? analyzer::call_kind::aggregate
                          : call.kind == call_kind::window  ? analyzer::call_kind::window
                                                            : analyzer::call_kind::function;
        return to_resolved(analyzer::resolve_function(call.schema, call.name, args, kind, call.star, ordered, call.position));
    });
}

std::optional<sql_type> server_catalog::common_type(const std::vector<sql_type>& types, std::string_view context,
                                                    const std::vector<int>& positions) const {
    std::vector<type_ref> refs;
    for (const auto& t : types) refs.push_back(ref(t));
    return type(analyzer::common_type(refs, std::string(context), positions));
}

std::optional<ir::volatility> server_catalog::cast(const sql_type& from, const sql_type& to) const {
    auto v = analyzer::cast_volatility(ref(from), ref(to));
    if (!v) return std::nullopt;
    return volatility(*v);
}

std::optional<bool> server_catalog::is_boolean(const sql_type& t) const { return analyzer::is_boolean(ref(t)); }

std::optional<sql_type> server_catalog::array_type(const sql_type& element) const {
    const auto a = analyzer::array_type(ref(element));
    if (!a) return std::nullopt;
    return type(*a);
}

sql_type server_catalog::base_type(const sql_type& t) const {
    if (t.kind != type_kind::other) return t;
    const type_ref base = analyzer::base_type(ref(t));
    return base.type == ref(t).type ? t : type(base);
}

std::optional<sql_type> server_catalog::element_type(const sql_type& t) const {
    const auto e = analyzer::element_type(ref(t));
    if (!e) return std::nullopt;
    return type(*e);
}

std::optional<std::pair<std::string, std::string>> server_catalog::find_collation(const std::vector<std::string>& names,
                                                                                  int position) const {
    return analyzer::find_collation(names, position);
}

std::optional<std::vector<ir::column>> server_catalog::fields_of(const sql_type& t) const {
    const auto fields = analyzer::fields_of(ref(t));
    if (!fields) return std::nullopt;
    std::vector<ir::column> columns;
    for (const auto& [name, r] : *fields) columns.push_back({name, type(r)});
    return columns;
}

std::optional<sql_type> server_catalog::field_type(const sql_type& t, const std::string& name, int position) const {
    const auto f = analyzer::field_type(ref(t), name, position);
    if (!f) return std::nullopt;
    return type(*f);
}

} // namespace pgt::ext
