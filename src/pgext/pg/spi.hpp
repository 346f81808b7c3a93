#pragma once
// SQL execution through SPI, as plain C++: statements and parameters in, rows of text out.
// Every call is guarded (pg::call): a server error arrives as pgt::error with its SQLSTATE.
// The functions require an SPI connection: hold an spi::session for the duration.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pgt/sql/ddl.hpp"

namespace pgt::spi {

using param = std::optional<std::string>; ///< a text parameter ($n), nullopt for NULL
using row = std::vector<std::optional<std::string>>;

/// Connects to SPI for the lifetime of the object (SPI_connect / SPI_finish).
class session {
public:
    session();
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;
};

/// Runs one statement; parameters are text, cast them in SQL ($1::regclass).
/// Returns the number of rows processed.
std::uint64_t exec(const std::string& sql, const std::vector<param>& params = {});
/// Runs a query; rows as text.
std::vector<row> query(const std::string& sql, const std::vector<param>& params = {});
/// First column of the first row, nullopt when there is no row or it is NULL.
std::optional<std::string> scalar(const std::string& sql, const std::vector<param>& params = {});

/// The OID of type text: a plan's parameter taken as it is given.
inline constexpr unsigned text_type = 25;

/// A statement prepared once and kept for the backend's lifetime (until `release`).
class plan {
public:
    plan() = default;
    /// `generic`: always use the generic plan (statements whose parameters do not change how
    /// they should be planned — frontiers — and that are too large to re-plan every time).
    plan(const std::string& sql, int nparams, bool generic = false);
    /// A plan whose parameters have the given types (type OIDs), bound by `execute_values`, or
    /// by `execute` from text (each read by its type's input function).
    plan(const std::string& sql, const std::vector<unsigned>& types, bool generic);
    /// A read-only query without parameters that is always run to completion (a full load into
    /// a fresh heap): the planner may give it parallel workers, as it does REFRESH MATERIALIZED
    /// VIEW's query. (SPI_prepare_cursor, used for every other plan here, does not allow them.)
    static plan parallel_query(const std::string& sql);
    plan(plan&& o) noexcept;
    plan& operator=(plan&& o) noexcept;
    ~plan();
    plan(const plan&) = delete;
    plan& operator=(const plan&) = delete;
    bool valid() const { return handle_ != nullptr; }
    void* handle() const { return handle_; } ///< the SPIPlanPtr, for pg/ code
    /// Executes under the current snapshot, or under `snap` when given.
    std::uint64_t execute(const std::vector<param>& params, const class snapshot* snap = nullptr) const;
    /// Executes under the current snapshot with parameters as Datums (`nulls[i]` 'n' for a
    /// NULL, ' ' otherwise): no conversion from text, for statements run per changed row.
    std::uint64_t execute_values(const std::vector<std::uintptr_t>& values, const std::string& nulls) const;
    /// As execute, returning the rows.
    std::vector<row> query(const std::vector<param>& params, const class snapshot* snap = nullptr) const;
    /// Makes the generic plan of a plan prepared generic now, under the current settings and
    /// role, instead of at its first execution. Returns the planner's estimate of its total
    /// cost (its statements' together).
    double make_generic_plan() const;

private:
    plan(const std::string& sql, const std::vector<unsigned>& types, int cursor_options);
    void* handle_ = nullptr; // SPIPlanPtr
};

/// The kept plan of a fixed statement with `nparams` text parameters, prepared on first use and
/// reused by the backend thereafter (for statements on hot paths: refresh, capture). The plan
/// is generic: these are catalog and buffer lookups whose best plan does not depend on the
/// values, and a custom plan would be planned again at every execution.
const plan& prepared(const std::string& sql, int nparams);

/// A snapshot taken now and held: statements executed under it see exactly the data committed
/// when it was taken (plus this transaction's earlier work).
class snapshot {
public:
    snapshot();
    ~snapshot();
    snapshot(const snapshot&) = delete;
    snapshot& operator=(const snapshot&) = delete;
    void* handle() const { return handle_; }
    /// Transactions (full ids) that committed after the snapshot was taken become visible in
    /// it, and nothing else does: every transaction id it saw running or not yet assigned stays
    /// invisible. (For transactions that wrote only what the snapshot's reader wants to see
    /// early: wal_progress.hpp.) False, the snapshot unchanged, when too many transaction ids
    /// were assigned meanwhile for the snapshot to list them.
    bool make_visible(const std::vector<std::uint64_t>& committed);
    /// Runs `sql` under this snapshot (prepared ad hoc).
    std::uint64_t exec(const std::string& sql, const std::vector<param>& params = {}) const;
    std::vector<row> query(const std::string& sql, const std::vector<param>& params = {}) const;

private:
    void* handle_; // Snapshot
};

/// While one is alive, every snapshot taken (above) is the one it took: stream tables
/// refreshed one after another in one transaction (an atomic group) read their sources as of
/// one moment, each still seeing what those before it wrote. Assigns the transaction its id.
/// Not nested.
class pinned_snapshot {
public:
    /// Pins a snapshot taken now.
    pinned_snapshot();
    /// Pins the snapshot `take` takes into its argument, once the transaction has its id.
    explicit pinned_snapshot(const std::function<void(std::optional<snapshot>&)>& take);
    ~pinned_snapshot();
    pinned_snapshot(const pinned_snapshot&) = delete;
    pinned_snapshot& operator=(const pinned_snapshot&) = delete;
};

/// Output column names and types (format_type) of a query, without running it.
std::vector<std::pair<std::string, std::string>> describe(const std::string& sql);
/// describe, with the collation of each output column that is not its type's default one (the
/// query's COLLATE clauses, or a source column's own collation; server::qualified_collation).
std::vector<sql::ddl::column_definition> describe_columns(const std::string& sql);

/// Quotes `s` as an identifier exactly as PostgreSQL's quote_ident() does.
std::string quote_ident(const std::string& s);

/// The text of an array of integers, `{1,2,3}`, for a parameter cast to int8[] or oid[].
template <typename Integers> std::string integer_array(const Integers& values) {
    std::string s = "{";
    for (const auto& v : values) s += (s.size() > 1 ? "," : "") + std::to_string(v);
    return s + "}";
}

/// The text of an array of strings, each element quoted, for a parameter cast to text[].
std::string text_array(const std::vector<std::string>& values);
/// The elements of a text[] as PostgreSQL prints it (`{a,"b c"}`); NULL elements are skipped.
std::vector<std::string> parse_text_array(const std::string& text);

} // namespace pgt::spi
