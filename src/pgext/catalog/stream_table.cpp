#include "catalog/stream_table.hpp"

#include "pgt/error.hpp"
#include "pgt/sql/tree.hpp"

#include "catalog/catalog_oids.hpp"

#include "pg/gucs.hpp"
#include "pg/roles.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

namespace {

std::optional<stream_table> load(sql::tree::expr where, const std::vector<spi::param>& params) {
    namespace t = sql::tree;
    auto rows = spi::prepared(t::render(stream_table_rows().where(std::move(where))), static_cast<int>(params.size())).query(params);
    if (rows.empty()) return std::nullopt;
    return stream_table_from_row(rows[0]);
}

/// The row of the stream table a bare name finds along the search_path ($1), or of the one
/// `schema.name` names ($1, $2).
sql::tree::expr named_by_search_path() {
    namespace t = sql::tree;
    return t::eq(t::col("", "pgt_relid"), t::fn("to_regclass", {t::fn("quote_ident", {t::param(1)})}));
}
sql::tree::expr named_in_schema() {
    namespace t = sql::tree;
    return t::all_of({t::eq(t::col("", "pgt_schema"), t::param(1)), t::eq(t::col("", "pgt_name"), t::param(2))});
}

/// grouping_possible, on a catalog with refresh groups or without, of stream table `id` stored in
/// relation `relid` (SQL expressions).
sql::tree::expr grouping_test(sql::tree::expr id, sql::tree::expr relid, bool with_refresh_groups) {
    namespace t = sql::tree;
    t::select reads({t::integer(1)});
    reads.from(t::join(t::from("pgtrickle.pgt_dependencies", "d"), t::join_kind::inner, t::from("pgtrickle.pgt_stream_tables", "u"),
                       t::eq(t::col("u", "pgt_relid"), t::col("d", "source_relid"))))
        .where(t::eq(t::col("d", "pgt_id"), id));
    // (Read by one: a dependency on its storage, found through the index on source_relid, not
    // by a join with every stream table.)
    t::select read({t::integer(1)});
    read.from("pgtrickle.pgt_dependencies", "d").where(t::eq(t::col("d", "source_relid"), std::move(relid)));
    std::vector<t::expr> any{t::exists(std::move(reads)), t::exists(std::move(read))};
    if (with_refresh_groups) {
        t::select listed({t::integer(1)});
        listed.from("pgtrickle.pgt_refresh_groups", "g").where(t::quantified("=", id, true, t::col("g", "members")));
        any.push_back(t::exists(std::move(listed)));
    }
    return t::any_of(std::move(any));
}

/// The key of the stream table `where` finds (read as `k`), and whether it may be grouped
/// (statements rendered once: a refresh looks one up at every call).
std::optional<refresh_target> load_target(bool by_search_path, const std::vector<spi::param>& params) {
    namespace t = sql::tree;
    auto keys = [](t::expr where, bool with_refresh_groups) {
        return t::render(t::select({t::col("k", "pgt_id"), t::col("k", "pgt_relid"), t::col("k", "pgt_schema"), t::col("k", "pgt_name"),
                                    grouping_test(t::col("k", "pgt_id"), t::col("k", "pgt_relid"), with_refresh_groups)})
                             .from("pgtrickle.pgt_stream_tables", "k")
                             .where(std::move(where)));
    };
    // [by search path][with refresh groups]
    static const std::string statements[2][2] = {{keys(named_in_schema(), false), keys(named_in_schema(), true)},
                                                 {keys(named_by_search_path(), false), keys(named_by_search_path(), true)}};
    auto rows = spi::prepared(statements[by_search_path][stream_table_catalog_oids().has_refresh_groups], static_cast<int>(params.size()))
                    .query(params);
    if (rows.empty()) return std::nullopt;
    const auto& r = rows[0];
    return refresh_target{{std::stoll(*r[0]), static_cast<unsigned>(std::stoul(*r[1])), *r[2], *r[3]}, r[4] == "t"};
}

} // namespace

const char* mode_name(mode m) {
    switch (m) {
    case mode::automatic: return "AUTO";
    case mode::full: return "FULL";
    case mode::differential: return "DIFFERENTIAL";
    case mode::immediate: return "IMMEDIATE";
    }
    return "AUTO";
}

const char* status_name(st_status s) {
    switch (s) {
    case st_status::initializing: return "INITIALIZING";
    case st_status::active: return "ACTIVE";
    case st_status::suspended: return "SUSPENDED";
    case st_status::error: return "ERROR";
    }
    return "ERROR";
}

mode mode_named(const std::string& name) {
    for (mode m : {mode::automatic, mode::full, mode::differential, mode::immediate})
        if (name == mode_name(m)) return m;
    throw error(sqlstate::internal_error, "pg_trickle: unknown refresh mode in the catalog: " + name);
}

st_status status_named(const std::string& name) {
    for (st_status s : {st_status::initializing, st_status::active, st_status::suspended, st_status::error})
        if (name == status_name(s)) return s;
    throw error(sqlstate::internal_error, "pg_trickle: unknown stream table status in the catalog: " + name);
}

sql::tree::select stream_table_rows() {
    namespace t = sql::tree;
    t::select rows;
    for (const char* c : {"pgt_id", "pgt_relid", "pgt_schema", "pgt_name", "defining_query", "schedule", "refresh_mode", "requested_mode", "status"})
        rows.items.emplace_back(t::col("", c));
    rows.items.emplace_back(t::coalesce({t::col("", "maintenance"), t::text("")}));
    for (const char* c : {"is_populated", "needs_reinit", "consecutive_errors", "generation"}) rows.items.emplace_back(t::col("", c));
    if (stream_table_catalog_oids().has_settings) {
        rows.items.emplace_back(t::col("", "settings"));
        rows.items.emplace_back(t::col("", "auto_costs"));
    } else {
        rows.items.emplace_back(t::cast(t::null(), t::type_name::catalog("text[]")));
        rows.items.emplace_back(t::cast(t::null(), t::type_name::catalog("float8[]")));
    }
    return rows.from("pgtrickle.pgt_stream_tables", "");
}

void record_settings(long long id, const std::vector<std::pair<std::string, std::string>>& settings) {
    if (!stream_table_catalog_oids().has_settings) return;
    std::vector<std::string> items;
    for (const auto& [name, value] : settings) items.push_back(name + "=" + value);
    server::role_scope as_ext(server::extension_owner(), false);
    spi::exec("UPDATE pgtrickle.pgt_stream_tables SET settings = $2::text[] WHERE pgt_id = $1::int8",
              {std::to_string(id), spi::text_array(items)});
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_settings(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : spi::parse_text_array(*text)) {
        const auto eq = item.find('=');
        if (eq != std::string::npos) out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    return out;
}

stream_table stream_table_from_row(const spi::row& r) {
    stream_table st;
    st.id = std::stoll(*r[0]);
    st.relid = static_cast<unsigned>(std::stoul(*r[1]));
    st.schema = *r[2];
    st.name = *r[3];
    st.defining_query = *r[4];
    st.schedule = r[5];
    st.refresh_mode = mode_named(*r[6]);
    st.requested_mode = mode_named(*r[7]);
    st.status = status_named(*r[8]);
    st.maintenance = *r[9];
    st.is_populated = r[10] == "t";
    st.needs_reinit = r[11] == "t";
    st.consecutive_errors = std::stoi(*r[12]);
    st.generation = std::stoll(*r[13]);
    st.settings = parse_settings(r[14]);
    if (r[15])
        for (const auto& x : spi::parse_text_array(*r[15])) st.auto_costs.push_back(std::stod(x));
    return st;
}

std::vector<std::pair<std::string, std::string>> visible_columns(const stream_table& st) {
    // (Types spelled as spi::describe spells them.)
    const server::qualified_type_names_scope qualified;
    std::vector<std::pair<std::string, std::string>> cols;
    for (const auto& r : spi::query("SELECT attname, pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
                                    "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped "
                                    "AND attname NOT LIKE '\\_\\_pgt\\_%' ORDER BY attnum",
                                    {std::to_string(st.relid)}))
        cols.emplace_back(*r[0], *r[1]);
    return cols;
}

std::string stream_table_key::qualified() const { return spi::quote_ident(schema) + "." + spi::quote_ident(name); }

std::pair<std::string, std::string> split_name(const std::string& name) {
    if (name.empty()) throw error(sqlstate::invalid_parameter_value, "invalid argument: stream table name must not be empty");
    const auto dot = name.find('.');
    if (dot == std::string::npos) {
        auto schema = server::current_schema();
        if (!schema)
            throw error("3F000", "invalid argument: no schema has been selected to create the stream table in",
                        {}, "Qualify the name as schema.table.");
        return {*schema, name};
    }
    if (dot == 0 || dot + 1 == name.size())
        throw error(sqlstate::invalid_parameter_value, "invalid argument: malformed stream table name '" + name + "'");
    return {name.substr(0, dot), name.substr(dot + 1)};
}

std::optional<stream_table> find_stream_table(const std::string& name) {
    auto [schema, table] = split_name(name);
    return load(named_in_schema(), {schema, table});
}

namespace {
// An existing stream table's unqualified name is looked up along the search_path, as
// PostgreSQL finds a table (the current schema is only where new ones are made); other names
// as find_stream_table.
bool bare(const std::string& name) { return !name.empty() && name.find('.') == std::string::npos; }
error not_found(const std::string& name) { return error(sqlstate::undefined_table, "stream table not found: " + name); }
} // namespace

refresh_target require_refresh_target(const std::string& name) {
    if (bare(name))
        if (auto target = load_target(true, {name})) return *target;
    auto [schema, table] = split_name(name);
    if (auto target = load_target(false, {schema, table})) return *target;
    throw not_found(name);
}

sql::tree::expr grouping_possible(sql::tree::expr id) {
    namespace t = sql::tree;
    t::select relid({t::col("s", "pgt_relid")});
    relid.from("pgtrickle.pgt_stream_tables", "s").where(t::eq(t::col("s", "pgt_id"), id));
    return grouping_test(id, t::scalar(std::move(relid)), stream_table_catalog_oids().has_refresh_groups);
}

stream_table require_stream_table(const std::string& name) {
    if (bare(name))
        if (auto st = load(named_by_search_path(), {name})) return *st;
    if (auto st = find_stream_table(name)) return *st;
    throw not_found(name);
}

std::optional<stream_table> stream_table_by_id(long long id) {
    namespace t = sql::tree;
    return load(t::eq(t::col("", "pgt_id"), t::cast(t::param(1), t::type_name::catalog("int8"))), {std::to_string(id)});
}

std::optional<stream_table> stream_table_by_relid(unsigned relid) {
    namespace t = sql::tree;
    return load(t::eq(t::col("", "pgt_relid"), t::cast(t::param(1), t::type_name::catalog("oid"))), {std::to_string(relid)});
}

} // namespace pgt::ext
