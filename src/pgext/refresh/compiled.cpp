#include "refresh/compiled.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "pgt/error.hpp"
#include "pgt/sql/builder.hpp"
#include "pgt/sql/ddl.hpp"

#include "capture/capture.hpp"
#include "capture/citus.hpp"
#include "catalog/catalog_oids.hpp"
#include "catalog/server_catalog.hpp"
#include "pg/parser.hpp"
#include "pg/relations.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "refresh/aggregate_states.hpp"
#include "refresh/definition.hpp"

namespace pgt::ext {

namespace {

std::map<long long, std::unique_ptr<compiled_query>>& cache() {
    static std::map<long long, std::unique_ptr<compiled_query>> c;
    return c;
}
/// The stream tables compiled since this transaction began.
std::set<long long>& compiled_this_transaction() {
    static std::set<long long> ids;
    return ids;
}

namespace t = sql::tree;

const t::type_name int8 = t::type_name::catalog("int8");
constexpr const char* weight_column = "__pgt_w";

/// The pending changes of source `t`: its columns and a weight, +1 per inserted row, −1 per
/// deleted row, from the buffer rows the frontier ($1–$3) has not yet passed; `cap`: known to
/// be at most that many rows (0: not known). A capped one reads the buffer from the tid
/// `$read_from` on (0: from its start): a small change need not be looked for among the many
/// records a slower reader holds back, which a sequential scan would read at every refresh.
/// (Not a large one: the restriction's estimate, a third of the buffer, would reshape its
/// plan, where a capped change's LIMIT sets it.) `only_pending`: every buffer row the
/// statement sees is pending, and none is tested against the frontier.
std::string changes_relation(const ir::table& table, long long cap, int read_from, bool only_pending) {
    const t::expr action = t::col("b", "__pgt_action");
    t::expr kept = t::ne(action, t::text("T"));
    if (cap > 0 && read_from > 0)
        kept = t::all_of({std::move(kept), t::ge(t::col("b", "ctid"), t::cast(t::param(read_from), t::type_name::catalog("tid")))});
    t::select rows;
    if (only_pending)
        rows.from(buffer_name(table.oid), "b").where(std::move(kept));
    else
        rows = pending_rows(table.oid, "b", std::move(kept));
    for (const auto& c : table.columns) rows.items.emplace_back(t::col("b", c.name));
    rows.items.push_back(t::as(t::case_when({{t::eq(action, t::text("I")), t::cast(t::integer(1), int8)}}, t::cast(t::integer(-1), int8)), weight_column));
    if (cap > 0) rows.limit(t::integer(cap));
    return t::parenthesised(rows);
}

/// The statements' changes of source `i` (table `t`) from its rows inserted and deleted.
std::string immediate_changes_relation(std::size_t i, const ir::table& table) {
    t::select inserted, deleted;
    for (const auto& c : table.columns) {
        inserted.items.emplace_back(t::col("e", c.name));
        deleted.items.emplace_back(t::col("e", c.name));
    }
    inserted.items.push_back(t::as(t::cast(t::integer(1), int8), weight_column));
    deleted.items.emplace_back(t::cast(t::integer(-1), int8));
    inserted.from(spi::quote_ident(compiled_query::inserted_rows(i)), "e");
    deleted.from(spi::quote_ident(compiled_query::deleted_rows(i)), "e");
    return t::parenthesised(t::union_all({inserted, deleted}));
}

/// A one-row relation of source `t`'s columns, from parameters $first…, and weight `weight`.
std::string parameter_row(const ir::table& table, std::size_t first, int weight) {
    t::select row;
    for (const auto& c : table.columns) row.items.push_back(t::as(t::param(static_cast<int>(first + row.items.size())), c.name));
    row.items.push_back(t::as(t::cast(t::integer(weight > 0 ? 1 : -1), int8), weight_column));
    return t::parenthesised(row);
}

/// `INSERT INTO table (columns) select`.
std::string insert_rows(const std::string& table, const std::vector<std::string>& columns, const std::string& select) {
    return t::render(t::insert{table, columns, t::rendered_query(select), {}});
}

std::vector<std::string> storage_columns(const lower::layout& lay) {
    std::vector<std::string> cols;
    for (const auto& c : lay.columns) cols.push_back(c.name);
    return cols;
}

} // namespace

lower::options lowering_options() {
    lower::options opts;
    // (A 0.1.0 catalog, which the library also serves, has no pg_trickle_row_id; one before
    // 0.3.0 no pg_trickle_row_id_of.)
    opts.wide_row_id = stream_table_catalog_oids().has_settings;
    opts.row_id_of_values = stream_table_catalog_oids().has_row_id_of;
    return opts;
}

frontend::compile_result compile_query(const std::string& sql, std::vector<server::query_object>* objects,
                                       const frontend::options& opts) {
    server_catalog cat;
    try {
        auto result = frontend::compile(sql, cat, [](const std::string& text) { return server::parse(text); }, opts);
        if (objects) objects->assign(cat.objects().begin(), cat.objects().end());
        return result;
    } catch (error& e) {
        if (e.position() >= 0 && e.query().empty()) e.set_query(sql);
        throw;
    }
}

incremental_plan* compiled_query::incremental() {
    return const_cast<incremental_plan*>(std::as_const(*this).incremental());
}

const incremental_plan* compiled_query::incremental() const {
    if (const auto* d = std::get_if<differential_plan>(&plan)) return &d->deltas;
    if (const auto* t = std::get_if<topk_plan>(&plan)) return &t->deltas;
    return nullptr;
}

lower::options compiled_query::delta_options(bool merge, long long cap) const {
    auto opts = options;
    opts.aggregate_states = incremental()->aggregate_states;
    opts.merge = merge;
    opts.data_exception_recomputes = !merge; // (a refresh's, not IMMEDIATE's)
    opts.few_changes = cap > 0 && cap <= tiny_change_records;
    // (A large change lists no distribution values: its rows are merged on every shard by one
    // upsert, not returned to the coordinator to be inserted.)
    if (cap == 0) opts.shard_values_param = 0;
    return opts;
}

lower::refresh_plan compiled_query::delta(const std::vector<lower::source_changes>& changes, bool merge, long long cap,
                                          const std::string& stage_table) const {
    const auto& inc = *incremental();
    auto opts = delta_options(merge, cap);
    opts.stage_table = stage_table;
    return lower::delta_sql(inc.graph, changes, inc.target, opts);
}

std::vector<lower::source_changes> compiled_query::delta_bindings(unsigned long long changed, long long cap, bool only_pending) const {
    std::vector<lower::source_changes> bindings;
    for (std::size_t i = 0; i < sources.size(); ++i)
        bindings.push_back({citus[i] ? citus::changes_relation(*sources[i], static_cast<int>(4 + i), cap,
                                                               in_place[i] ? std::optional(in_place[i]->where) : std::nullopt)
                                     : changes_relation(*sources[i], cap, reads_citus() ? 0 : static_cast<int>(4 + i), only_pending),
                            ((changed >> i) & 1) != 0});
    return bindings;
}

std::string compiled_query::delta_statement(unsigned long long changed, long long cap, bool only_pending) const {
    return delta(delta_bindings(changed, cap, only_pending), false, cap).statement;
}

namespace {
/// The qualified name of the session's stage table `name`.
std::string stage_table(const std::string& name) { return "pg_temp." + spi::quote_ident(name); }

/// Empties the session's stage table `name`.
void empty_stage(const std::string& name) {
    t::delete_from emptied;
    emptied.target = stage_table(name);
    spi::exec(t::render(emptied));
}

/// Makes the session's stage table `name` like `select` (whose parameters have `types`) where it
/// has none, or `anew` (a stream table altered since: its change may have other columns). It is
/// empty: emptied after each apply (compiled_query::done_with_stage), in the subtransaction that
/// filled it, whose failure takes the rows back, so that no other stream table's owner
/// refreshing in the session reads them. (Granted to PUBLIC, not to the owner: a privilege
/// granted to a role, in a session that lasts, would keep the role from being dropped.)
void ready_stage(const std::string& name, const std::string& select, const std::vector<unsigned>& types, bool anew) {
    const bool exists = server::temporary_relation_oid_if_any(name) != 0;
    if (exists && !anew) return;
    server::role_scope as_ext(server::extension_owner(), false);
    const std::string table = stage_table(name);
    if (exists) spi::exec(sql::ddl::drop_table(table, false));
    spi::plan(sql::ddl::create_temporary_table_like(table, select), types, false).execute(std::vector<spi::param>(types.size()));
    // (The change is computed and applied as the stream table's owner.)
    spi::exec(sql::ddl::grant_read_write(table, "PUBLIC"));
}
} // namespace

const delta_statements& compiled_query::delta_plan(unsigned long long changed, long long cap, bool only_pending) {
    auto& d = incremental()->deltas[{changed, cap, only_pending}];
    if (d.apply.valid()) {
        if (!d.stage.empty()) ready_stage(d.stage, d.stage_select, delta_parameter_types(), false);
        return d;
    }
    if (!reads_citus()) {
        d.apply = spi::plan(delta_statement(changed, cap, only_pending), delta_parameter_types(), true);
        return d;
    }
    // (Citus plans a statement mixing distributed and local tables only with its parameters'
    // values: a custom plan each time.)
    const auto types = delta_parameter_types();
    // (One per stream table: its changes of any size have the same columns.)
    const std::string stage = options.distribution_column.empty() ? "pgt_delta_" + std::to_string(id) : std::string();
    const lower::refresh_plan plan = delta(delta_bindings(changed, cap, only_pending), false, cap, stage.empty() ? stage : stage_table(stage));
    if (plan.stage_fill.empty()) {
        d.apply = spi::plan(plan.statement, types, false);
        if (!plan.insert_rows.empty())
            d.insert_rows = spi::plan(plan.insert_rows, plan.insert_rows_params, false);
        return d;
    }
    // (Prepared once the stage exists: they name it. Made anew by the first statement prepared
    // for this compiled query; the others are planned again when it is.)
    ready_stage(stage, plan.stage_select, types, !stage_made);
    stage_made = true;
    d.fill = spi::plan(plan.stage_fill, types, false);
    d.apply = spi::plan(plan.statement, 0, true);
    d.stage = stage;
    d.stage_select = plan.stage_select;
    return d;
}

void compiled_query::done_with_stage(const delta_statements& d) {
    if (d.stage.empty()) return;
    server::role_scope as_ext(server::extension_owner(), false);
    empty_stage(d.stage);
}

std::vector<unsigned> compiled_query::delta_parameter_types() const {
    // (The frontier, then per source: where its buffer is read from, or, over Citus, its
    // last applied batch.)
    std::vector<unsigned> types(3 + sources.size(), spi::text_type);
    if (!reads_citus()) return types;
    for (const auto& where : in_place) types.push_back(where ? where->values_type : spi::text_type);
    if (pruning) types.push_back(pruning->values_type);
    return types;
}

bool compiled_query::delta_prepared(unsigned long long changed, long long cap, bool only_pending) const {
    const auto* plans = incremental();
    if (!plans) return false;
    const auto it = plans->deltas.find({changed, cap, only_pending});
    return it != plans->deltas.end() && it->second.apply.valid();
}

std::string compiled_query::inserted_rows(std::size_t i) { return "__pgt_inserted_" + std::to_string(i); }
std::string compiled_query::deleted_rows(std::size_t i) { return "__pgt_deleted_" + std::to_string(i); }

lower::refresh_plan compiled_query::immediate_statement(unsigned long long changed) const {
    std::vector<lower::source_changes> bindings;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const bool is_changed = ((changed >> i) & 1) != 0;
        bindings.push_back({is_changed ? immediate_changes_relation(i, *sources[i]) : std::string(), is_changed});
    }
    return delta(bindings, true);
}

std::optional<lower::refresh_plan> compiled_query::immediate_row_statements(std::size_t i, int weight) const {
    if (!lower::single_row_maintainable(incremental()->graph, i)) return std::nullopt;
    std::vector<lower::source_changes> bindings(sources.size(), {std::string(), false});
    bindings[i] = {parameter_row(*sources[i], 1, weight), true, true, weight};
    return delta(bindings, true);
}

std::string compiled_query::immediate_pair_statement(std::size_t i) const {
    const auto& inc = *incremental();
    return lower::single_row_pair_update(inc.graph, i, parameter_row(*sources[i], 1, -1),
                                         parameter_row(*sources[i], sources[i]->columns.size() + 1, 1), inc.target,
                                         delta_options(true));
}

/// A FULL-mode stream table: its storage layout (row id and visible columns, a bag) and the
/// SELECT of its new contents.
struct full_mode {
    lower::layout layout;
    std::string select;
};

full_mode full_mode_query(const stream_table& st, const lower::options& opts) {
    full_mode f;
    f.layout.strategy = maintenance::bag;
    f.layout.unique_row_id = false;
    f.layout.columns.push_back({"__pgt_row_id", lower::row_id_type(opts), true, ""});
    std::vector<std::string> values;
    std::vector<sql_type> types;
    for (const auto& [name, type] : visible_columns(st)) {
        f.layout.columns.push_back({name, server_type(type), false, ""});
        values.push_back(sql::column("q", name));
        types.push_back(f.layout.columns.back().type);
    }
    t::select rows({t::as(t::rendered(lower::row_id_call(opts, values, types)), "__pgt_row_id"), t::all("q")});
    f.select = t::render(rows.from(t::from(t::rendered_query(st.defining_query), "q")));
    return f;
}

namespace {

/// `table`'s columns: name → type (pg_catalog's name of it).
using storage_columns_of = std::map<std::string, std::string>;
storage_columns_of column_types(const std::string& table) {
    storage_columns_of columns;
    for (const auto& row : spi::query("SELECT a.attname::text, t.typname::text FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t "
                                      "ON t.oid OPERATOR(pg_catalog.=) a.atttypid WHERE a.attrelid OPERATOR(pg_catalog.=) "
                                      "$1::pg_catalog.regclass::pg_catalog.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped",
                                      {table}))
        columns.emplace(*row[0], *row[1]);
    return columns;
}

/// Whether storage with columns `have` keys its rows by a uuid (made from 0.2.0 on), not a bigint.
bool has_wide_row_id(const storage_columns_of& have) {
    const auto row_id = have.find("__pgt_row_id");
    return row_id != have.end() && row_id->second == "uuid";
}

/// Whether aggregate storage with columns `have` predates lower::options::state_in_output: it
/// has a hidden state column that the layout now keeps in a visible one.
bool state_beside_output(const circuit& graph, const storage_columns_of& have) {
    if (graph.strategy != maintenance::aggregate) return false;
    lower::options separate;
    separate.state_in_output = false;
    const auto now = lower::storage_layout(graph);
    for (const auto& col : lower::storage_layout(graph, separate).columns)
        if (std::ranges::none_of(now.columns, [&](const lower::storage_column& c) { return c.name == col.name; }))
            return have.contains(col.name);
    return false;
}

} // namespace

namespace {

/// The incremental plan of `st`, an incremental stream table, over `graph`: its deltas change
/// `target`.
incremental_plan incremental_of(const stream_table& st, circuit graph, std::string target, const lower::options& opts) {
    auto defs = lower::aggregate_states(graph, opts);
    incremental_plan inc{std::move(graph), std::move(target), {}, std::move(defs), {}};
    for (const auto& a : inc.aggregate_state_defs) inc.aggregate_states[a.node] = aggregate_state_table(st.relid, a.node);
    return inc;
}

/// A TopK maintains its result, or its first rows, in the state table and keeps the first rows
/// of that.
topk_plan topk_of(const stream_table& st, incremental_plan inc) {
    topk_plan t{std::move(inc), {}, {}, {}};
    const circuit& g = t.deltas.graph;
    t.take_top = spi::plan(lower::topk_statement(g, t.deltas.target, st.qualified()), 0, true);
    if (lower::topk_keeps_prefix(g)) {
        t.state_count = spi::plan(lower::topk_state_count(g, t.deltas.target), 0, true);
        t.state_trim = spi::plan(lower::topk_state_trim(g, t.deltas.target), 0, true);
    }
    return t;
}

/// Whether storage with columns `have` lacks a column of `graph`'s layout: it was made by a
/// library that kept less state (before 0.2.0, no per-scale input counts of a SUM or AVG;
/// before 0.3.0's NaN counts, none of a numeric one's NaN inputs; before its encoded scale
/// counts, no running SUM or AVG of a plain numeric; before its infinity counts, running sums
/// that took NaN and the infinities in).
bool lacks_state_columns(const circuit& graph, const storage_columns_of& have) {
    return std::ranges::any_of(lower::storage_layout(graph).columns,
                               [&](const lower::storage_column& col) { return !have.contains(col.name); });
}

/// `c`'s load and plan for incremental stream table `st`.
void compile_incremental(const stream_table& st, compiled_query& c) {
    if (!c.front.query) throw *c.front.unsupported;
    circuit graph = build_circuit(*c.front.query);
    const bool topk = graph.query.topk.has_value();
    const std::string target = topk ? state_table(st.relid) : st.qualified();
    const auto have = column_types(target);
    // Storage made by an earlier version: without the newest counts first, then without those
    // before them, until its columns hold the state.
    frontend::options earlier;
    for (bool frontend::options::*count : {&frontend::options::count_infinities, &frontend::options::encode_scales,
                                           &frontend::options::count_nans, &frontend::options::count_scales}) {
        if (!lacks_state_columns(graph, have)) break;
        earlier.*count = false;
        c.front = compile_query(st.defining_query, nullptr, earlier);
        graph = build_circuit(*c.front.query);
    }
    c.sources = graph.sources;
    c.options.state_in_output = !state_beside_output(graph, have);
    c.options.wide_row_id = has_wide_row_id(have);
    if (const auto where = citus::placement_of(st.relid); where.kind == citus::placement::distributed) c.options.distribution_column = where.column;
    const lower::layout layout = lower::storage_layout(graph, c.options);
    const auto columns = storage_columns(layout);
    c.load.select = topk ? lower::topk_state_load(graph, c.options) : lower::full_load_sql(graph, c.options);
    c.load.statement = insert_rows(target, columns, c.load.select);
    if (const auto q = lower::query_load_sql(graph, st.defining_query, c.options)) c.load.query_load = insert_rows(st.qualified(), columns, *q);
    auto inc = incremental_of(st, std::move(graph), target, c.options);
    if (topk)
        c.plan = topk_of(st, std::move(inc));
    else
        c.plan = differential_plan{std::move(inc), layout.unique_row_id};
}

/// `c`'s load and plan for FULL-mode stream table `st`.
void compile_full(const stream_table& st, compiled_query& c) {
    c.sources = c.front.sources;
    c.options.wide_row_id = has_wide_row_id(column_types(st.qualified()));
    const auto f = full_mode_query(st, c.options);
    c.load.select = f.select;
    c.load.statement = insert_rows(st.qualified(), storage_columns(f.layout), f.select);
    // (A swapped heap has no reader: its row ids are never read, all the same.)
    t::expr no_row_id = t::cast(t::integer(0), int8);
    if (c.options.wide_row_id) no_row_id = t::cast(t::text("00000000-0000-0000-0000-000000000000"), lower::row_id_type(c.options));
    c.load.swap_select =
        t::render(t::select({t::as(no_row_id, "__pgt_row_id"), t::all("q")}).from(t::from(t::rendered_query(st.defining_query), "q")));
    full_plan p;
    p.difference_plan = spi::plan(lower::full_difference_statement(f.layout, f.select, st.qualified()), 0, true);
    c.plan = std::move(p);
}

} // namespace

/// Compiled queries a backend keeps: their plans are saved plans, and PostgreSQL looks through
/// every saved plan at each relation cache invalidation of the backend (PlanCacheRelCallback).
/// A backend that compiled thousands (one creating or refreshing thousands of stream tables)
/// spent most of its time there: each creation sends several.
constexpr std::size_t compiled_kept = 256;

/// Frees the least recently used compiled queries beyond compiled_kept, but none used in the
/// current transaction (whose callers may hold them).
void evict_unused() {
    auto& c = cache();
    if (c.size() < compiled_kept) return;
    const unsigned now = server::transaction_number();
    std::vector<std::pair<unsigned, long long>> idle;
    for (const auto& [id, q] : c)
        if (!q || q->used_in != now) idle.emplace_back(q ? now - q->used_in : ~0U, id); // (its age, across wrap-around)
    std::sort(idle.begin(), idle.end(), std::greater<>());
    for (std::size_t i = 0; i < idle.size() && c.size() >= compiled_kept; ++i) c.erase(idle[i].second);
}

namespace {
/// The oid of the array type of type `name` (as the IR spells it), if it has one.
std::optional<unsigned> array_type_of(const std::string& name) {
    const auto array = spi::scalar("SELECT pg_catalog.to_regtype($1)::pg_catalog.oid::pg_catalog.text", {name + "[]"});
    if (!array || *array == "0") return std::nullopt;
    return static_cast<unsigned>(std::stoul(*array));
}

/// Which sources Citus keeps (compiled_query::citus), and which have changes read in place.
void find_citus_sources(compiled_query& c) {
    std::vector<citus::table_placement> placements;
    for (const auto& source : c.sources) {
        placements.push_back(citus::placement_of(source->oid));
        c.citus.push_back(placements.back().kind != citus::placement::local);
    }
    // (Only beside other Citus tables that are reference tables or co-located with it: the
    // delta then joins them as the defining query does, which Citus plans.)
    const auto beside = [&](std::size_t i, std::size_t j) {
        return placements[j].kind == citus::placement::reference ||
               (placements[j].kind == citus::placement::distributed && placements[j].colocation == placements[i].colocation);
    };
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
        auto& in_place = c.in_place.emplace_back();
        if (placements[i].kind != citus::placement::distributed) continue;
        // (A distributed storage whose rows split as this source's do lies beside it too: its
        // delta then reads and writes the changed values' shards alone, which Citus runs as
        // one task where they are one shard.)
        bool others = c.pruning && c.pruning->keyed[i], all_beside = true;
        for (std::size_t j = 0; j < c.sources.size(); ++j) {
            if (j == i || !c.citus[j]) continue;
            others = true;
            all_beside = all_beside && beside(i, j);
        }
        if (!others || !all_beside) continue;
        const ir::column* column = citus::column_named(*c.sources[i], placements[i].column);
        if (!column) continue;
        if (const auto array = array_type_of(column->type.name))
            in_place = compiled_query::changes_in_place{{column->name, static_cast<int>(4 + c.sources.size() + i)}, *array};
    }
}

/// A distributed storage (output_distribution_column) whose distribution column splits the
/// query as its distributed sources' distribution columns do: a refresh reads and deletes its
/// stored rows on the shards of the changed values alone (compiled_query::shard_pruning).
void find_shard_pruning(compiled_query& c) {
    if (c.options.distribution_column.empty() || !c.front.query || !c.incremental()) return;
    const auto key_of = [](const ir::table& t) -> std::optional<int> {
        const auto where = citus::placement_of(t.oid);
        if (where.kind != citus::placement::distributed) return std::nullopt;
        for (std::size_t i = 0; i < t.columns.size(); ++i)
            if (t.columns[i].name == where.column) return static_cast<int>(i);
        return std::nullopt;
    };
    const ir::rel& root = *c.front.query->root;
    const auto split = ir::partition_column(root, key_of);
    if (!split) return;
    const ir::column& column = root.columns[static_cast<std::size_t>(*split)];
    if (column.name != c.options.distribution_column) return;
    // (A plain reference to a source's distribution column: of the storage column's type.)
    const auto array = array_type_of(column.type.name);
    if (!array) return;
    compiled_query::shard_pruning p{static_cast<int>(4 + 2 * c.sources.size()), *array, {}};
    for (const auto& source : c.sources) p.keyed.push_back(key_of(*source).has_value());
    c.options.shard_values_param = p.values_param;
    c.pruning = std::move(p);
}
} // namespace

compiled_query& compiled_for(const stream_table& st) {
    if (auto it = cache().find(st.id); it != cache().end() && it->second && it->second->generation == st.generation) {
        it->second->used_in = server::transaction_number();
        return *it->second;
    }
    evict_unused();
    auto& slot = cache()[st.id];
    auto c = std::make_unique<compiled_query>();
    c->id = st.id;
    c->generation = st.generation;
    compiled_this_transaction().insert(st.id);
    c->front = compile_query(st.defining_query);
    c->options = lowering_options();
    if (incremental(st.refresh_mode))
        compile_incremental(st, *c);
    else
        compile_full(st, *c);
    c->load.plan = spi::plan(c->load.statement, 0);
    find_shard_pruning(*c);
    find_citus_sources(*c);
    c->options.uncorrelated_rescans = c->reads_citus();
    c->used_in = server::transaction_number();
    slot = std::move(c);
    return *slot;
}

bool compiled_query::reads_citus() const { return std::find(citus.begin(), citus.end(), true) != citus.end(); }

std::vector<unsigned> compiled_query::citus_sources() const {
    std::vector<unsigned> oids;
    for (std::size_t i = 0; i < sources.size(); ++i)
        if (citus[i]) oids.push_back(sources[i]->oid);
    return oids;
}

void forget_compiled(long long id) { cache().erase(id); }

namespace {
/// Marks what this transaction compiled as stale: the generation it was compiled for may have
/// been rolled back, and will then be given again to another definition. (Marked, not
/// erased: its plans are freed by the next compilation, outside the abort.)
void forget_this_transaction() {
    for (long long id : compiled_this_transaction())
        if (auto it = cache().find(id); it != cache().end() && it->second) it->second->generation = -1;
    compiled_this_transaction().clear();
}
void forget_this_transaction_sub(std::uint32_t) { forget_this_transaction(); }
void keep_this_transaction() { compiled_this_transaction().clear(); }
void nothing() {}
void nothing_sub(std::uint32_t, std::uint32_t) {}
} // namespace

void install_compiled_rollback() {
    server::on_transaction_end(keep_this_transaction, forget_this_transaction);
    server::on_subtransaction_events(nothing, forget_this_transaction_sub, nothing_sub);
}

} // namespace pgt::ext
