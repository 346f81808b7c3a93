#pragma once
// A stream table's catalog row (pgtrickle.pgt_stream_tables) as a C++ value, and its lookup.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pg/spi.hpp"

namespace pgt::sql::tree {
struct select;
class expr;
}

namespace pgt::ext {

/// A refresh mode: what the user asked for (AUTO among them) and what refreshes do (never AUTO).
enum class mode { automatic, full, differential, immediate };
/// A stream table's status.
enum class st_status { initializing, active, suspended, error };

/// As the catalog (and the SQL interface) spells them: AUTO, FULL, …; ACTIVE, ERROR, ….
const char* mode_name(mode m);
const char* status_name(st_status s);
/// The catalog's spelling read back (anything else is an internal error).
mode mode_named(const std::string& name);
st_status status_named(const std::string& name);

/// Whether a refresh mode maintains the stream table by its circuit (DIFFERENTIAL at refresh
/// time, IMMEDIATE at the end of each writing statement).
inline bool incremental(mode m) { return m == mode::differential || m == mode::immediate; }

/// What names a stream table: enough to lock it and check its owner before reading its row.
struct stream_table_key {
    long long id = 0;
    unsigned relid = 0;
    std::string schema, name;

    /// "schema"."name", quoted.
    std::string qualified() const;
    /// schema.name as users wrote it (for messages).
    std::string display() const { return schema + "." + name; }
};

struct stream_table : stream_table_key {
    std::string defining_query;
    /// The query settings (server::query_settings) its query was defined under, in force
    /// whenever its SQL compiles or runs; null for stream tables made before 0.2.0 recorded them.
    std::optional<std::vector<std::pair<std::string, std::string>>> settings;
    std::optional<std::string> schedule;
    mode refresh_mode = mode::full;          ///< what refreshes do
    mode requested_mode = mode::automatic;   ///< what the user asked for
    st_status status = st_status::initializing;
    std::string maintenance; ///< storage strategy (keyed, bag, aggregate, distinct), empty for FULL
    bool is_populated = false;
    bool needs_reinit = false;
    int consecutive_errors = 0;
    long long generation = 0;
    /// AUTO: what its refreshes measured (refresh/auto_mode); empty before any, and on a 0.1.0
    /// catalog.
    std::vector<double> auto_costs;
};

/// `SELECT <the catalog columns a stream_table is read from> FROM pgtrickle.pgt_stream_tables`
/// (no condition: the caller adds it), and the value read from the first of them in a row.
sql::tree::select stream_table_rows();
stream_table stream_table_from_row(const spi::row& r);
/// Records the query settings stream table `id`'s query was defined under (as the extension
/// owner; a 0.1.0 catalog, which the library also serves, has no room for them).
void record_settings(long long id, const std::vector<std::pair<std::string, std::string>>& settings);
/// Query settings as the catalog's text[] of name=value prints them (null: not recorded).
std::optional<std::vector<std::pair<std::string, std::string>>> parse_settings(const std::optional<std::string>& text);

/// Names and types (format_type) of the visible columns of the stream table's storage.
std::vector<std::pair<std::string, std::string>> visible_columns(const stream_table& st);

/// Splits a user-supplied name at the first dot; a bare name lives in current_schema().
std::pair<std::string, std::string> split_name(const std::string& name);

/// The stream table `name` names where a new one of that name would be made.
std::optional<stream_table> find_stream_table(const std::string& name);
/// An existing stream table: a bare name found along the search_path (as PostgreSQL finds a
/// table), else as find_stream_table; or error 42P01 "stream table not found: <name>".
stream_table require_stream_table(const std::string& name);
/// A stream table a refresh was asked for: its key (the refresh reads the row under the stream
/// table's lock), and whether it may belong to an atomic group (grouping_possible).
struct refresh_target {
    stream_table_key key;
    bool may_be_grouped = false;
};
/// The same lookup for a refresh: both read by one statement, as a refresh makes it at every call.
refresh_target require_refresh_target(const std::string& name);
/// Whether stream table `id` (an SQL expression) reads a stream table, is read by one, or (on a
/// catalog that has refresh groups) is named in one: no atomic group holds one that does none
/// of these.
sql::tree::expr grouping_possible(sql::tree::expr id);
std::optional<stream_table> stream_table_by_id(long long id);
/// The stream table stored in relation `relid`, if it is one.
std::optional<stream_table> stream_table_by_relid(unsigned relid);

} // namespace pgt::ext
