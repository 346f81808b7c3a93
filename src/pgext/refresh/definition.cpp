#include "refresh/definition.hpp"

#include "pgt/sql/builder.hpp"
#include "pgt/sql/ddl.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "pgt/error.hpp"

#include "capture/citus.hpp"
#include "catalog/server_catalog.hpp"
#include "pg/analyzer.hpp"
#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"
#include "refresh/aggregate_states.hpp"
#include "refresh/compiled.hpp"

namespace pgt::ext {

namespace {

std::string json_string(const std::string& s) {
    std::string r = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') r += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            r += buf;
            continue;
        }
        r += c;
    }
    return r + "\"";
}

/// Where the compiler's reading of the output columns of `sql` disagrees with PostgreSQL's own
/// analysis of it (`output`: names and types as spi::describe gives them): the column, how each
/// reads it. A type is compared with its modifier, resolved to the same type both ways; a
/// column both read as a table's column passed on, by the table and column.
std::optional<std::string> misread_output(const ir::query& q, const std::string& sql,
                                         const std::vector<std::pair<std::string, std::string>>& output) {
    const std::size_t visible = q.topk ? q.topk->visible : q.root->columns.size();
    if (visible != output.size())
        return "the query has " + std::to_string(output.size()) + " output columns, the compiler reads " +
               std::to_string(visible);
    for (std::size_t i = 0; i < visible; ++i) {
        const auto& c = q.root->columns[i];
        // An untyped literal in the select list is text, as PostgreSQL resolves it.
        const std::string spelling = c.type.kind == type_kind::unknown ? "pg_catalog.text" : c.type.name;
        const auto ours = server::analyzer::parse_type(spelling), theirs = server::analyzer::parse_type(output[i].second);
        // The server describes the planned query, whose constant folding may find a modifier
        // that parse analysis (and the compiler) does not: COALESCE(v, NULL::varchar) is v,
        // varchar(12), once the NULL is dropped. The compiler relies on none then.
        if (ours != theirs && !(ours.type == theirs.type && ours.typmod == -1))
            return "column \"" + output[i].first + "\" is " + output[i].second + " for PostgreSQL, the compiler reads " +
                   (c.type.kind == type_kind::unknown ? std::string("an untyped literal") : c.type.name);
    }
    // Where both read an output column as a table's column passed on, it must be the same one.
    const auto origins = server::analyzer::output_origins(sql);
    for (std::size_t i = 0; i < visible && i < origins.size(); ++i) {
        const auto ours = ir::source_of(*q.root, static_cast<int>(i));
        if (origins[i] && ours && (ours->table != origins[i]->table || ours->column != origins[i]->column))
            return "column \"" + output[i].first + "\" comes from column " + origins[i]->column + " of relation " +
                   std::to_string(origins[i]->table) + " for PostgreSQL, the compiler reads column " + ours->column +
                   " of relation " + std::to_string(ours->table);
    }
    return std::nullopt;
}

/// Past this size a refresh statement is more than PostgreSQL plans and runs in reasonable
/// time (the largest of TPC-H's 22 queries is under 100 kB): the query is refreshed FULL.
constexpr std::size_t max_delta_bytes = 1 << 20;

/// Why the refresh statements of `q` are too large to maintain it incrementally, if they are:
/// the statement a refresh would run when every source changed, or the circuit's full load
/// (which spells a subtree out wherever it is read: nested subqueries over the rows below
/// them double it at each level).
std::optional<std::string> oversized_delta(const ir::query& q) {
    const circuit graph = build_circuit(q);
    lower::options opts;
    opts.max_statement_bytes = max_delta_bytes;
    const std::vector<lower::source_changes> changes(graph.sources.size(), {"changes", true});
    try {
        // (The state tables' loads too: each spells out its aggregate's input.)
        for (const auto& s : lower::aggregate_states(graph, opts)) opts.aggregate_states[s.node] = "state";
        lower::delta_sql(graph, changes, "stream_table", opts);
        if (graph.query.topk) lower::topk_state_load(graph, opts);
        else lower::full_load_sql(graph, opts);
        return std::nullopt;
    } catch (const lower::statement_too_large&) {
        return "a refresh statement of more than " + std::to_string(max_delta_bytes >> 10) + " kB";
    }
}

} // namespace

mode normalize_mode(const std::string& text) {
    std::string m = text;
    std::ranges::transform(m, m.begin(), [](unsigned char c) { return std::toupper(c); });
    if (m == "INCREMENTAL") m = "DIFFERENTIAL";
    for (mode known : {mode::automatic, mode::full, mode::differential, mode::immediate})
        if (m == mode_name(known)) return known;
    throw error(sqlstate::invalid_parameter_value,
                "unknown refresh mode: " + text + ". Must be 'AUTO', 'FULL', 'DIFFERENTIAL', or 'IMMEDIATE'");
}

namespace {

using output_columns = std::vector<std::pair<std::string, std::string>>;

/// Drops the compiled query (`def.front.unsupported` says why): it is not maintained from it.
void not_incremental(definition& def, const std::string& why) {
    def.front.unsupported = unsupported_error(why);
    def.front.query.reset();
}

/// Values a nondeterministic collation deems equal ('a', 'A') may differ in the text that row
/// ids hash, keeping one group apart: a new definition over a table with such a column is not
/// maintained incrementally. (Stream tables defined before keep their mode.)
void refuse_nondeterministic_sources(definition& def) {
    for (const auto& src : def.front.sources)
        if (const auto column = spi::scalar(
                "SELECT a.attname::text FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_collation c ON c.oid = a.attcollation "
                "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT c.collisdeterministic "
                "ORDER BY a.attnum LIMIT 1",
                {std::to_string(src->oid)}))
            return not_incremental(def, "column " + *column + " of " + src->name + " with a nondeterministic collation");
}

/// A column of a type without an array type anywhere in the compiled query (a subquery's column
/// the query never reads included): maintenance groups rows whose values have no equality by
/// image, picking one through array_agg, which PostgreSQL cannot build for such a type (the
/// planner's statistics types pg_ndistinct, pg_dependencies, pg_mcv_list; pg_node_tree).
void refuse_arrayless_columns(definition& def) {
    // (The tree shares subtrees: each node, and each type name, is looked at once.)
    std::set<const ir::rel*> seen;
    std::set<std::string> names;
    const auto note = [&](const auto& self, const ir::rel& r) -> void {
        if (!seen.insert(&r).second) return;
        // (The types the compiler knows by kind all have arrays; "(…)": a stand-in of no type.)
        for (const auto& c : r.columns)
            if (c.type.kind == type_kind::other && !c.type.name.starts_with("(")) names.insert(c.type.name);
        for (const auto& in : r.inputs) self(self, *in);
    };
    note(note, *def.front.query->root);
    std::set<server::oid> types;
    for (const auto& name : names) types.insert(server::analyzer::parse_type(name).type);
    if (types.empty()) return;
    std::string oids;
    for (const server::oid t : types) oids += (oids.empty() ? "{" : ",") + std::to_string(t);
    // (The same test as check_storable's for output columns.)
    if (const auto name = spi::scalar("SELECT pg_catalog.format_type(oid, NULL) FROM pg_catalog.pg_type "
                                      "WHERE oid = ANY ($1::pg_catalog.oid[]) AND typarray = 0::pg_catalog.oid "
                                      "AND typelem = 0::pg_catalog.oid ORDER BY oid LIMIT 1",
                                      {oids + "}"}))
        not_incremental(def, "a column of type " + *name + ", which has no array type, inside the query");
}

/// One catalog lookup per output column, for two refusals in every mode: a pseudo-type
/// (cast(NULL AS record), anyarray) cannot be stored; a type without an array type
/// (pg_node_tree, the planner's statistics types) cannot be maintained, FULL included, as
/// maintenance carries a value it groups by image through array_agg.
void check_storable(const output_columns& output) {
    std::vector<spi::row> kinds;
    for (const auto& [name, type] : output)
        kinds.push_back(spi::query("SELECT typtype = 'p', typarray = 0::pg_catalog.oid AND typelem = 0::pg_catalog.oid "
                                   "FROM pg_catalog.pg_type WHERE oid = $1::pg_catalog.regtype::pg_catalog.oid",
                                   {type})
                            .at(0));
    for (std::size_t i = 0; i < output.size(); ++i)
        if (kinds[i][0] == "t")
            throw error(sqlstate::feature_not_supported,
                        "column \"" + output[i].first + "\" of the query has pseudo-type " + output[i].second +
                            ": a stream table cannot store it",
                        {}, "Cast the column to a storable type, or leave it out.");
    for (std::size_t i = 0; i < output.size(); ++i)
        if (kinds[i][1] == "t")
            throw error(sqlstate::feature_not_supported,
                        "column \"" + output[i].first + "\" of the query has type " + output[i].second +
                            ", which has no array type: a stream table cannot maintain it",
                        {}, "Cast the column to text, or leave it out.");
}

/// The compiler's reading must agree with the server's view of the output columns, or the
/// query is not maintained from that reading (an error when DIFFERENTIAL or IMMEDIATE was
/// asked for); nor is it where its refresh statement would be too large.
void check_compiled_reading(definition& def, const output_columns& output) {
    if (def.requested_mode == mode::full) return;
    if (auto misread = misread_output(*def.front.query, def.query, output)) {
        if (def.requested_mode != mode::automatic)
            throw error(sqlstate::internal_error, "pg_trickle: internal consistency check failed: " + *misread, {},
                        "Please report this query; refresh_mode => 'FULL' maintains it meanwhile.");
        return not_incremental(def, "internal consistency check: " + *misread);
    }
    if (auto oversized = oversized_delta(*def.front.query)) not_incremental(def, *oversized);
}

/// The refresh mode from the one asked for and whether the query is maintained incrementally
/// (volatile functions are among the constructs the front end reports as unsupported).
void choose_mode(definition& def, const std::string& display_name) {
    if (def.requested_mode == mode::full) {
        def.refresh_mode = mode::full;
    } else if (def.front.query) {
        def.refresh_mode = def.requested_mode == mode::immediate ? mode::immediate : mode::differential;
    } else if (def.requested_mode == mode::immediate) {
        const auto& u = *def.front.unsupported;
        error e(sqlstate::feature_not_supported, "unsupported operator for IMMEDIATE mode: " + u.construct(), u.detail(),
                "IMMEDIATE maintains what DIFFERENTIAL maintains; use refresh_mode = 'FULL' for this query.", u.position());
        e.set_query(u.query());
        throw e;
    } else if (def.requested_mode == mode::differential) {
        throw *def.front.unsupported;
    } else {
        def.refresh_mode = mode::full;
        def.downgrade_reason = def.front.unsupported->construct();
        def.warnings.push_back("[pg_trickle] Stream table '" + display_name +
                               "' will use FULL refresh instead of DIFFERENTIAL. Reason: " + def.downgrade_reason);
    }
}

void add_warnings(definition& def) {
    if (def.front.ignored_order_by)
        def.warnings.push_back("pg_trickle: ORDER BY without LIMIT has no effect on stream tables — storage row order is "
                               "undefined. The ORDER BY clause is ignored.");
    // A logical replication apply worker fires no statement triggers (health_check's
    // subscribed_sources).
    for (const auto& src : def.front.sources)
        if (const auto sub = spi::scalar("SELECT s.subname::text FROM pg_catalog.pg_subscription_rel r JOIN "
                                         "pg_catalog.pg_subscription s ON s.oid = r.srsubid WHERE r.srrelid = $1::oid LIMIT 1",
                                         {std::to_string(src->oid)}))
            def.warnings.push_back("pg_trickle: table " + src->schema + "." + src->name + " is written by subscription " + *sub +
                                   ", whose changes capture by triggers does not see" +
                                   (def.refresh_mode == mode::immediate ? ": IMMEDIATE maintenance misses them"
                                                                    : " (capture them from the WAL: cdc_mode => 'wal')"));
    if (incremental(def.refresh_mode) && def.front.query->max_volatility == ir::volatility::stable)
        def.warnings.push_back("Defining query contains stable functions (e.g. now()); their value is taken at each "
                               "refresh, so rows not touched by a refresh keep earlier values.");
}

void check_output_names(const output_columns& output) {
    std::set<std::string> seen;
    for (const auto& [col, type] : output) {
        if (col.starts_with("__pgt_"))
            throw error(sqlstate::invalid_parameter_value, "column name \"" + col + "\" is reserved",
                        "Names starting with __pgt_ are used by pg_trickle's bookkeeping.", "Rename the column with an alias.");
        if (!seen.insert(col).second)
            throw error(sqlstate::duplicate_column, "column \"" + col + "\" specified more than once",
                        {}, "Give the output columns distinct names with aliases.");
    }
}

/// Visible columns take the server's types, position by position (a TopK's state table holds
/// them first, then its sort keys).
void take_server_types(lower::layout& lay, const output_columns& output) {
    std::size_t v = 0;
    for (auto& c : lay.columns) {
        if (c.hidden || v == output.size()) continue;
        if (output[v].first != c.name)
            throw error(sqlstate::internal_error, "pg_trickle: output columns of the compiled query differ from the server's");
        c.type = server_type(output[v++].second);
    }
    if (v != output.size())
        throw error(sqlstate::internal_error, "pg_trickle: output columns of the compiled query differ from the server's");
}

/// Storage columns take, by name, the collation their values have in the output `columns` of
/// the SELECT that loads them: a hidden min(x) of a column declared COLLATE "C", or a TopK's sort
/// key `x COLLATE "C"`, then compares as it does in the query.
void take_collations(lower::layout& lay, const std::vector<sql::ddl::column_definition>& columns) {
    for (auto& c : lay.columns)
        for (const auto& loaded : columns)
            if (loaded.name == c.name) c.collation = loaded.collation;
}

/// Whether the current user may read every table `g` reads. The collations are taken from a
/// load that reads them; without that right, creation fails later in the rights check, which
/// says what the owner lacks.
bool reads_every_source(const circuit& g) {
    std::vector<unsigned> oids;
    for (const auto& t : g.sources) oids.push_back(t->oid);
    return spi::scalar("SELECT pg_catalog.bool_and(pg_catalog.has_table_privilege(s, 'SELECT')) IS NOT FALSE "
                       "FROM pg_catalog.unnest($1::pg_catalog.oid[]) s",
                       {spi::integer_array(oids)}) == "t";
}

/// IMMEDIATE maintenance runs in the writing transaction, which over a Citus table commits on
/// the nodes holding its shards.
void refuse_immediate_over_citus(const definition& def) {
    for (const auto& src : def.front.sources)
        if (citus::placement_of(src->oid).kind != citus::placement::local)
            throw error(sqlstate::feature_not_supported,
                        "unsupported operator for IMMEDIATE mode: " + *spi::scalar("SELECT $1::oid::regclass::text", {std::to_string(src->oid)}) +
                            " is distributed by Citus",
                        "Its writes commit on the nodes holding its shards, where this stream table is not maintained.",
                        "Use refresh_mode => 'DIFFERENTIAL' (or 'AUTO', 'FULL').");
}

/// A query whose maintenance the server cannot carry out, for `reason` (`where`: " over
/// Citus", or empty): AUTO recomputes the stream table in full; DIFFERENTIAL and IMMEDIATE are
/// refused with the reason.
void kept_full(definition& def, const std::string& display_name, const std::string& reason, const std::string& where = {}) {
    if (def.requested_mode != mode::automatic) {
        std::string detail = reason + ".";
        detail[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(detail[0])));
        throw error(sqlstate::feature_not_supported, "stream table " + display_name + " cannot be maintained incrementally" + where,
                    detail, "Use refresh_mode => 'FULL', or 'AUTO', which then recomputes it in full.");
    }
    def.refresh_mode = mode::full;
    def.downgrade_reason = reason;
    def.graph.reset();
    def.state_layout.reset();
    def.layout = {};
    def.warnings.push_back("[pg_trickle] Stream table '" + display_name + "' will use FULL refresh instead of DIFFERENTIAL. Reason: " +
                           reason);
}

/// Citus plans the maintenance SQL of a query over its tables as it plans a refresh's, and
/// refuses some (`refused`, 0A000: a subquery per row over a distributed table, such as an
/// uncorrelated IN in the full load's select list). (The server's own 0A000 refusals of the same
/// SQL take this path too: the reason quotes the message as raised.)
void citus_refused(definition& def, const std::string& display_name, const error& refused) {
    kept_full(def, display_name, std::string("the SQL that maintains it over Citus tables was refused: ") + refused.what(), " over Citus");
}

/// The first of `columns` of a pseudo-type, described.
std::optional<std::string> pseudo_typed(const std::vector<sql::ddl::column_definition>& columns) {
    for (const auto& c : columns)
        if (spi::scalar("SELECT typtype = 'p' FROM pg_catalog.pg_type WHERE oid = $1::pg_catalog.regtype::pg_catalog.oid",
                        {c.type}) == "t")
            return "maintenance would keep state column \"" + c.name + "\" of pseudo-type " + c.type + ", which no table can store";
    return std::nullopt;
}

/// Why the storage or a state table of the incremental plan cannot be made, if it cannot: a
/// value of a pseudo-type kept between refreshes (PostgreSQL 18's min() and max() of a
/// composite value return record), which PostgreSQL stores in no table. (`loaded`: the storage
/// load's columns.)
std::optional<std::string> unstorable_state(const circuit& g, const lower::options& opts,
                                            const std::vector<sql::ddl::column_definition>& loaded) {
    if (auto column = pseudo_typed(loaded)) return column;
    for (const auto& state : lower::aggregate_states(g, opts))
        if (auto column = pseudo_typed(spi::describe_columns(state.select))) return column;
    return std::nullopt;
}

/// The storage layout (and a TopK's state table's): the circuit's, or a FULL stream table's bag
/// (`described`: the query's output columns, as `output` with their collations).
void make_layouts(definition& def, const std::string& display_name, const output_columns& output,
                  const std::vector<sql::ddl::column_definition>& described) {
    const lower::options opts = lowering_options();
    if (incremental(def.refresh_mode)) {
        def.graph = build_circuit(*def.front.query);
        def.layout = lower::storage_layout(*def.graph, opts);
        if (def.graph->query.topk) {
            def.state_layout = def.layout;
            def.layout = lower::topk_layout(*def.graph, opts);
        }
        if (reads_every_source(*def.graph)) {
            const std::string load = def.state_layout ? lower::topk_state_load(*def.graph, opts) : lower::full_load_sql(*def.graph, opts);
            std::vector<sql::ddl::column_definition> loaded;
            std::optional<std::string> unstorable;
            try {
                pg::in_subtransaction([&] {
                    loaded = spi::describe_columns(load);
                    unstorable = unstorable_state(*def.graph, opts, loaded);
                });
            } catch (const error& e) {
                if (e.code() != sqlstate::feature_not_supported || !citus::reads_citus_tables(def.front.sources)) throw;
                citus_refused(def, display_name, e);
                return make_layouts(def, display_name, output, described);
            }
            if (unstorable) {
                kept_full(def, display_name, *unstorable);
                return make_layouts(def, display_name, output, described);
            }
            take_collations(def.layout, loaded);
            if (def.state_layout) take_collations(*def.state_layout, loaded);
        }
    } else {
        def.layout.strategy = maintenance::bag;
        def.layout.unique_row_id = false;
        def.layout.columns.push_back({"__pgt_row_id", lower::row_id_type(opts), true, lower::row_id_purpose(maintenance::bag)});
        for (const auto& [col, type] : output) def.layout.columns.push_back({col, server_type(type), false, ""});
        take_collations(def.layout, described);
    }
    take_server_types(def.layout, output);
    if (def.state_layout) take_server_types(*def.state_layout, output);
}

} // namespace

definition analyze(const std::string& display_name, const std::string& query, mode requested_mode) {
    definition def;
    def.query = query;
    def.requested_mode = requested_mode;
    def.front = compile_query(query, &def.objects);
    if (def.front.query && requested_mode != mode::full) refuse_nondeterministic_sources(def);
    // (The first refusal drops the compiled query.)
    if (def.front.query && requested_mode != mode::full) refuse_arrayless_columns(def);
    // The server's own view of the output columns: names and exact types (and a privilege check).
    const auto described = spi::describe_columns(query);
    output_columns output;
    for (const auto& c : described) output.emplace_back(c.name, c.type);
    check_storable(output);
    if (def.front.query) check_compiled_reading(def, output);
    choose_mode(def, display_name);
    if (def.refresh_mode == mode::immediate) refuse_immediate_over_citus(def);
    check_output_names(output);
    make_layouts(def, display_name, output, described);
    // (After the layouts: they may turn AUTO into FULL.)
    add_warnings(def);
    return def;
}

namespace {
/// The index on `table`'s row id (and `distribution_column`, which a distributed table's unique
/// indexes must include), unique (then the table's replica identity) or not.
void create_row_id_index(const std::string& table, bool unique, const std::string& distribution_column = {}) {
    std::vector<std::string> columns{sql::ident("__pgt_row_id")};
    if (!distribution_column.empty()) columns.push_back(sql::ident(distribution_column));
    spi::exec(sql::ddl::create_index(table, columns, unique));
    if (!unique) return;
    const auto index = spi::scalar("SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c "
                                   "ON c.oid = i.indexrelid JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid "
                                   "AND a.attnum = i.indkey[0] WHERE i.indrelid = $1::pg_catalog.regclass::pg_catalog.oid "
                                   "AND i.indisunique AND a.attname = '__pgt_row_id'",
                                   {table});
    spi::exec(sql::ddl::replica_identity(table, *index));
}
} // namespace

bool has_row_id_index(const stream_table_key& st) { return !server::indexes_led_by(st.relid, "__pgt_row_id").empty(); }

void create_row_id_index(const stream_table_key& st, bool unique, const std::string& distribution_column) {
    server::internal_ddl_scope internal;
    create_row_id_index(st.qualified(), unique, distribution_column);
}

void ensure_row_id_index(const stream_table_key& st, bool unique) {
    if (!has_row_id_index(st)) create_row_id_index(st, unique);
}

void drop_row_id_index(const stream_table_key& st) {
    server::internal_ddl_scope internal;
    for (const auto& index : server::indexes_led_by(st.relid, "__pgt_row_id"))
        spi::exec(sql::ddl::drop_index(spi::quote_ident(st.schema) + "." + spi::quote_ident(index)));
}

namespace {
/// CREATE TABLE with the layout's columns and its row-id index (`row_id_index`: a FULL stream
/// table's storage has none until another stream table reads it, ensure_row_id_index). The row
/// id is the table's replica identity (all columns for a bag, whose row ids repeat), so that a
/// stream table can be published: subscribers apply its refreshes as ordinary row changes.
void create_table(const std::string& table, const lower::layout& lay, bool row_id_index = true, std::optional<int> fillfactor = {}) {
    std::vector<sql::ddl::column_definition> cols;
    for (const auto& c : lay.columns) cols.push_back({c.name, c.type.name, c.name == "__pgt_row_id", c.collation});
    spi::exec(sql::ddl::create_table(table, cols, fillfactor));
    if (row_id_index) create_row_id_index(table, lay.unique_row_id);
    if (!lay.unique_row_id) spi::exec(sql::ddl::replica_identity(table));
    if (!lay.lookup_columns.empty()) spi::exec(sql::ddl::create_index(table, lay.lookup_columns));
}
} // namespace

unsigned relid_of(const std::string& table) {
    return static_cast<unsigned>(std::stoul(*spi::scalar("SELECT $1::regclass::oid::text", {table})));
}

std::string state_table(unsigned relid) { return "pgtrickle_state." + spi::quote_ident("topk_" + std::to_string(relid)); }

void drop_state_tables(unsigned relid) {
    const auto tables = state_tables_of(relid);
    if (tables.empty()) return;
    server::internal_ddl_scope internal;
    server::role_scope as_ext(server::extension_owner(), false);
    for (const auto& t : tables) spi::exec(sql::ddl::drop_table(t));
}

namespace {
/// What makes a table a stream table's storage besides its columns: the write guard, the
/// extension dependency (DROP EXTENSION drops it), and a TopK's state table.
void attach_storage(const std::string& table, unsigned relid, const definition& def) {
    spi::exec(sql::ddl::create_statement_trigger("pgt_dml_guard", "BEFORE", "INSERT OR UPDATE OR DELETE OR TRUNCATE", table,
                                                 "pgtrickle._dml_guard"));
    server::depend_on_extension("pg_class", relid);
    if (def.state_layout) {
        // The whole result, ordered by the TopK keys through an index, owned like the storage.
        const std::string state = state_table(relid);
        const std::string owner = spi::quote_ident(server::role_name(server::current_user()));
        server::role_scope as_ext(server::extension_owner(), false);
        create_table(state, *def.state_layout);
        spi::exec(sql::ddl::create_index(state, {lower::topk_index_columns(*def.graph)}));
        spi::exec(sql::ddl::alter_owner(state, owner));
        server::depend_on_extension("pg_class", relid_of(state));
    }
}

/// An aggregate's stored groups are rewritten by each change of their group. Pages filled half
/// way keep a group's new version beside its old one: a HOT update, with no new entry in the
/// row-id index, and the old version pruned when its page is next read rather than left to
/// VACUUM (a refresh touching every group of a page each time rewrites them all).
constexpr int updated_groups_fillfactor = 50;
} // namespace

unsigned create_storage(const std::string& schema, const std::string& name, const definition& def) {
    server::internal_ddl_scope internal;
    const std::string table = spi::quote_ident(schema) + "." + spi::quote_ident(name);
    const bool updated_groups = incremental(def.refresh_mode) && def.graph && def.graph->strategy == maintenance::aggregate;
    create_table(table, def.layout, incremental(def.refresh_mode), updated_groups ? std::optional(updated_groups_fillfactor) : std::nullopt);
    const unsigned relid = relid_of(table);
    attach_storage(table, relid, def);
    return relid;
}

namespace {

/// The layouts a restored storage table may have: the one made now, the same with a bigint row
/// identity (made before 0.2.0, or on its catalog) and, for an aggregate, those of earlier
/// versions (compile_incremental tells them apart).
std::vector<lower::layout> restorable_layouts(const definition& def) {
    std::vector<lower::layout> layouts{def.layout, def.layout};
    lower::options narrow;
    narrow.wide_row_id = false;
    layouts.back().columns.front().type = lower::row_id_type(narrow);
    if (!def.graph) return layouts;
    for (auto before : lower::earlier_storage_layouts(*def.graph)) {
        for (auto& c : before.columns)
            for (const auto& now : def.layout.columns)
                if (now.name == c.name) c.type = now.type; // the server's types of the visible ones
        layouts.push_back(std::move(before));
    }
    return layouts;
}

} // namespace

unsigned adopt_storage(const std::string& schema, const std::string& name, definition& def) {
    server::internal_ddl_scope internal;
    const std::string table = spi::quote_ident(schema) + "." + spi::quote_ident(name);
    const auto have = spi::query("SELECT attname::text, atttypid::int8 FROM pg_catalog.pg_attribute WHERE attrelid = "
                                 "$1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                                 {table});
    const auto layouts = restorable_layouts(def);
    const auto same = std::ranges::find_if(layouts, [&](const lower::layout& lay) {
        bool alike = have.size() == lay.columns.size();
        for (std::size_t i = 0; alike && i < have.size(); ++i)
            alike = have[i][0] == lay.columns[i].name &&
                    have[i][1] == spi::scalar("SELECT pg_catalog.to_regtype($1)::oid::int8", {lay.columns[i].type.name});
        return alike;
    });
    if (same == layouts.end())
        throw error(sqlstate::invalid_object_definition,
                    "table " + schema + "." + name + " does not have the columns its stream table stores",
                    "It was restored from a different definition, or changed after the dump.",
                    "Drop or rename it, and run pgtrickle.restore_stream_tables() again to create the stream table afresh.");
    def.layout = *same; // (its hidden columns are the catalog's auxiliary_columns)
    const unsigned relid = relid_of(table);
    attach_storage(table, relid, def);
    return relid;
}

std::string auxiliary_columns_json(const lower::layout& lay) {
    std::string r = "[";
    bool first = true;
    for (const auto& c : lay.columns) {
        if (!c.hidden) continue;
        r += (first ? "" : ", ") + std::string("{\"name\": ") + json_string(c.name) + ", \"type\": " + json_string(c.type.name) +
             ", \"purpose\": " + json_string(c.purpose) + "}";
        first = false;
    }
    return r + "]";
}

} // namespace pgt::ext
