#pragma once
// What a defining query becomes when it defines a stream table: the refresh mode it gets (AUTO
// resolved, with the reason when it falls back to FULL), its circuit when maintained
// differentially, and the storage table's layout with the server's own column types.

#include <optional>
#include <string>
#include <vector>

#include "pgt/circuit.hpp"
#include "pgt/frontend.hpp"
#include "pgt/lower.hpp"

#include "catalog/stream_table.hpp"
#include "pg/relations.hpp"

namespace pgt::ext {

/// AUTO, FULL, DIFFERENTIAL or IMMEDIATE (INCREMENTAL is an alias of DIFFERENTIAL),
/// case-insensitive; anything else → 22023 with upstream's message.
mode normalize_mode(const std::string& text);

struct definition {
    std::string query;
    mode requested_mode = mode::automatic;
    mode refresh_mode = mode::full; ///< FULL, DIFFERENTIAL or IMMEDIATE
    std::string downgrade_reason;
    frontend::compile_result front;
    std::optional<circuit> graph;
    lower::layout layout;
    /// TopK: the layout of the state table holding the whole maintained result.
    std::optional<lower::layout> state_layout;
    std::vector<std::string> warnings; ///< to report once the stream table exists
    /// The functions, operators and views the query uses: the storage depends on them.
    std::vector<server::query_object> objects;
};

/// Compiles and checks `query` for a stream table called `display_name` (as the current user,
/// whose privileges the query is checked against).
definition analyze(const std::string& display_name, const std::string& query, mode requested_mode);

/// Creates the storage table (as the current user) with its row-id index (a FULL stream table
/// gets it later, ensure_row_id_index) and write guard, and
/// a TopK's state table; returns the storage's oid.
unsigned create_storage(const std::string& schema, const std::string& name, const definition& def);
/// Takes over an existing table (restored by pg_dump) as the storage of `def`, after checking
/// it has exactly the columns create_storage would make, or those of a stream table made before
/// 0.2.0 (42P17 otherwise); `def.layout` becomes the one it has.
unsigned adopt_storage(const std::string& schema, const std::string& name, definition& def);

/// Whether stream table `st`'s storage has its index on the row id (read from the relation
/// cache). A FULL stream table's storage gets it when a full refresh is applied as a difference
/// (other stream tables read it), whose rows it finds through it, and has no index to maintain
/// otherwise; an AUTO stream table's is left out by a recomputation of a large result
/// (drop_row_id_index) until its next differential refresh.
bool has_row_id_index(const stream_table_key& st);
/// Creates that index (`unique`: as its layout says; then also the replica identity), on the
/// row id and, of a distributed storage, its distribution column.
void create_row_id_index(const stream_table_key& st, bool unique, const std::string& distribution_column = {});
/// create_row_id_index unless it has one.
void ensure_row_id_index(const stream_table_key& st, bool unique);
/// Drops the index on the row id of `st`'s storage: a recomputation then loads the rows without
/// building it.
void drop_row_id_index(const stream_table_key& st);

/// The oid of an existing table, given by name (quoted and qualified as needed).
unsigned relid_of(const std::string& table);

/// The state table of the stream table stored in `relid` (TopK), quoted and qualified.
std::string state_table(unsigned relid);
/// Drops the state tables of the stream table stored in `relid` (TopK's and aggregates').
void drop_state_tables(unsigned relid);

/// The layout as JSON for the catalog's auxiliary_columns.
std::string auxiliary_columns_json(const lower::layout& lay);

} // namespace pgt::ext
