#pragma once
// A stream table's defining query compiled for refreshes: the front end's IR, the circuit,
// and the prepared refresh statements. Cached per backend and per catalog generation, which
// every change of the stream table or DDL on its sources bumps. (A generation bumped by a
// transaction that rolled back comes again: what was compiled in one is not kept.)

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "pgt/circuit.hpp"
#include "pgt/frontend.hpp"
#include "pgt/lower.hpp"

#include "capture/citus.hpp"
#include "catalog/stream_table.hpp"
#include "pg/relations.hpp"
#include "pg/spi.hpp"

namespace pgt::ext {

/// Compiles `sql` with the server's parser and catalog (as the current user); `objects`, when
/// given, receives the functions, operators and views it uses.
frontend::compile_result compile_query(const std::string& sql, std::vector<server::query_object>* objects = nullptr,
                                       const frontend::options& opts = {});

/// How every strategy recomputes in full: the storage (a TopK's state table) loaded afresh.
struct full_load {
    std::string select;    ///< SELECT of the whole result (every storage column)
    std::string statement; ///< INSERT of select into the storage
    spi::plan plan;
    /// What a load into a fresh heap runs (replace_contents; prepared on first use): `select`,
    /// or for FULL storage, which only a difference matches by row id (when other stream tables
    /// read it, and so never in a fresh heap), the same rows with a row id of 0: hashing every
    /// row would cost a third of the load.
    std::string swap_select;
    spi::plan swap_plan;
    /// The same from the defining query as written (lower::query_load_sql), where the storage
    /// allows: what a full load that fails on data falls back to. Empty otherwise.
    std::string query_load;
};

/// A refresh's delta statement, prepared. Of a stream table on the coordinator that reads
/// Citus tables, in two (lower::options::stage_table): `fill` computes the change into the
/// session's stage table, and `apply`, which Citus leaves to the server, applies it.
struct delta_statements {
    spi::plan apply;
    spi::plan fill;         ///< invalid without a stage
    std::string stage;      ///< the stage table's name in pg_temp (one per stream table); empty without one
    std::string stage_select; ///< the change's SELECT, which the stage table is made like
    spi::plan insert_rows;    ///< lower::refresh_plan::insert_rows; invalid without one
    /// costlier_than_recompute's answer for `apply`, once `priced` (at its first run).
    mutable bool priced = false;
    mutable std::optional<std::string> recompute_because;
};

/// What DIFFERENTIAL refreshes and IMMEDIATE maintenance run: the circuit lowered for a set of
/// changed sources into one statement changing `target`, with the state tables of the
/// circuit's stored aggregates.
struct incremental_plan {
    circuit graph;
    std::string target; ///< the storage, or a TopK's state table
    std::map<int, std::string> aggregate_states; ///< by node
    std::vector<lower::aggregate_state> aggregate_state_defs;
    /// By bitmask of changed sources, the change_cap of their pending records, and whether
    /// their buffers hold only pending rows (compiled_query::delta_bindings).
    std::map<std::tuple<unsigned long long, long long, bool>, delta_statements> deltas;
};

/// Changes are applied by plans made for their size: a cached plan's choice would otherwise be
/// the one made for the first change it saw. A change of at most `tiny_change_records` in each
/// changed source by a plan expecting that many (index probes into the storage even where it
/// holds a few thousand rows, which a plan expecting a thousand changes would hash whole), of
/// at most `small_change_records` by one expecting a thousand, a larger one by a plan made for
/// large changes (hashes of whole tables).
inline constexpr long long tiny_change_records = 50;
inline constexpr long long small_change_records = 1000;
/// The cap a plan for changes of at most `records` records per changed source puts on each
/// change relation (its LIMIT, which the planner takes as its row estimate); 0: none.
constexpr long long change_cap(long long records) {
    return records <= tiny_change_records ? tiny_change_records : records <= small_change_records ? small_change_records : 0;
}

/// FULL mode: a full load; when other stream tables read this one, the full refresh as a
/// difference (they get changes, not a TRUNCATE that forces them to recompute).
struct full_plan {
    spi::plan difference_plan;
};

/// DIFFERENTIAL: deltas applied to the storage.
struct differential_plan {
    incremental_plan deltas;
    bool unique_row_id = true; ///< its storage's row-id index is unique (a bag's is not)
};

/// TopK: deltas applied to the state table holding the result (or its first rows), of which
/// the stream table then takes the first rows, as a difference.
struct topk_plan {
    incremental_plan deltas;
    spi::plan take_top;
    /// A state that keeps only the first rows (lower::topk_keeps_prefix): its row count
    /// (bounded) and the trim back to the prefix. Invalid otherwise.
    spi::plan state_count, state_trim;
};

/// A stream table's maintenance: what its refresh runs. (IMMEDIATE stream tables have a
/// DIFFERENTIAL or TopK plan; their maintenance inside the writing statement builds its own
/// set-based and one-row statements from it: immediate/.)
using maintenance_plan = std::variant<full_plan, differential_plan, topk_plan>;

struct compiled_query {
    long long id = 0;
    long long generation = -1;
    unsigned used_in = 0; ///< the (local) transaction number that last asked for it
    frontend::compile_result front;
    /// What its lowerings are told: lowering_options(), for the storage it has (one made
    /// before 0.2.0 keeps every aggregate's state in a hidden column).
    lower::options options;
    std::vector<ir::table_ptr> sources; ///< the circuit's sources, or every base table read (FULL)
    /// Per source: captured on the nodes of its Citus shards (capture/citus.hpp). A delta reading
    /// one has a parameter more per source, $4 onwards: the last batch of it applied.
    std::vector<bool> citus;
    /// Per source: a distributed source of a query that reads other Citus tables, each a
    /// reference table or co-located with it, has its changes counted without a copy (with the
    /// others of its kind: citus::count_co_located) and its small changes read in place
    /// (citus::shard_values, its values parameter $(4 + n + i) of type `values_type`), so that
    /// Citus joins them with those tables on the workers, on the shards of the changed values
    /// alone; a copy on the coordinator would be sent to every shard.
    struct changes_in_place {
        citus::shard_values where;
        unsigned values_type = 0;
    };
    std::vector<std::optional<changes_in_place>> in_place;
    /// Of a distributed storage whose distribution column splits the query by its distributed
    /// sources' distribution columns (ir::partition_column): its delta's parameter
    /// $(4 + 2n) (lower::options::shard_values_param, of type `values_type`) lists the values of
    /// the rows a change touches, where every changed source is `keyed` and its values listed.
    struct shard_pruning {
        int values_param = 0;
        unsigned values_type = 0;
        std::vector<bool> keyed; ///< per source: distributed, its rows split by that column
    };
    std::optional<shard_pruning> pruning;
    bool reads_citus() const;
    /// The Citus sources' oids.
    std::vector<unsigned> citus_sources() const;
    full_load load;
    /// The estimated costs of PostgreSQL's plans of the defining query and of the load's
    /// `select`, planned at the first full load in a session that needs them: a load is compiled
    /// by JIT when a plan of the query's cost would be, and may run the query as written.
    /// `states_cost`: those of its aggregate state tables' loads together (recompute_cost).
    std::optional<double> query_cost, load_cost, states_cost;
    maintenance_plan plan;

    /// The incremental part of the plan; null for FULL.
    incremental_plan* incremental();
    const incremental_plan* incremental() const;
    /// The statements that end a refresh (new frontier, history row, buffer trim), by variant.
    std::map<int, spi::plan> finish_plans;

    /// The incremental refresh for the given change relations (one per source): of the state
    /// table for a TopK, of the storage otherwise, with the aggregate state tables. `cap`: as
    /// delta_statement's.
    lower::refresh_plan delta(const std::vector<lower::source_changes>& changes, bool merge = false, long long cap = 0,
                              const std::string& stage_table = {}) const;
    /// What delta() lowers with.
    lower::options delta_options(bool merge, long long cap = 0) const;
    /// The change relations of a refresh of this set of changed sources (delta_statement's).
    std::vector<lower::source_changes> delta_bindings(unsigned long long changed, long long cap, bool only_pending) const;
    /// The refresh statement for this set of changed sources (bit i = source i); its
    /// parameters $1–$3 are the frontier (text), then those of its Citus sources. `cap`
    /// (change_cap, 0: none): each changed source has at most that many pending records (its
    /// change relation says so with a LIMIT). `only_pending`: every row of a changed source's
    /// buffer that the statement's snapshot sees is pending (pg::pending_count::only_pending),
    /// so its rows are not tested against the frontier (about 1 ms of a 14 ms refresh of a 1 %
    /// change).
    std::string delta_statement(unsigned long long changed, long long cap = 0, bool only_pending = false) const;
    /// delta_statement, prepared; its stage, if any, made.
    const delta_statements& delta_plan(unsigned long long changed, long long cap, bool only_pending);
    /// Empties the stage of `d` after its apply: its rows are the stream table's owner's alone.
    static void done_with_stage(const delta_statements& d);
    /// Whether this compiled query made its stage (delta_plan) in this backend.
    bool stage_made = false;
    /// The types of delta_statement's parameters.
    std::vector<unsigned> delta_parameter_types() const;
    /// Whether delta_plan(changed, cap, only_pending) was prepared already (in this backend).
    bool delta_prepared(unsigned long long changed, long long cap, bool only_pending) const;

    /// IMMEDIATE: the names of the ephemeral relations holding the rows inserted into and
    /// deleted from source `i` by the statements being maintained (the source's row type).
    static std::string inserted_rows(std::size_t i);
    static std::string deleted_rows(std::size_t i);
    /// IMMEDIATE: the refresh statement for this set of changed sources reading their changes
    /// from those relations (no parameters), merged without counts where it can be.
    lower::refresh_plan immediate_statement(unsigned long long changed) const;
    /// IMMEDIATE: the statements merging one row of source `i` alone, inserted (`weight` 1) or
    /// deleted (−1): `update_first`, then `statement` if that changed nothing; its columns
    /// (`sources[i]->columns`, in order) are parameters $1…; nullopt when the stream table
    /// cannot absorb a change a row at a time (lower::single_row_maintainable).
    std::optional<lower::refresh_plan> immediate_row_statements(std::size_t i, int weight) const;
    /// IMMEDIATE: with those, the UPDATE folding a row of source `i` updated alone into its
    /// group in one go (lower::single_row_pair_update): the old version's columns as above,
    /// then the new version's; empty when the stream table is no GROUP BY.
    std::string immediate_pair_statement(std::size_t i) const;
};

compiled_query& compiled_for(const stream_table& st);
void forget_compiled(long long id);
/// Registers the transaction callbacks that forget what a transaction compiled when it (or one
/// of its subtransactions) rolls back; from _PG_init.
void install_compiled_rollback();



/// Options every lowering of ours uses.
lower::options lowering_options();

} // namespace pgt::ext
