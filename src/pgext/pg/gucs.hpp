#pragma once
// Settings (GUCs) changed for a scope, and the settings a stream table's query records and runs under.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgt::server {

/// current_schema(): the first schema of the search path that exists, if any.
std::optional<std::string> current_schema();

/// Settings changed for the scope's duration, in a GUC nest level of their own (as a
/// function's SET clause does), restored when it is destroyed, on every path.
class guc_scope {
public:
    /// `superuser`: settings only superusers may change (the caller vouches for it).
    explicit guc_scope(const std::vector<std::pair<std::string, std::string>>& settings, bool superuser);
    explicit guc_scope(const std::vector<std::pair<std::string, std::string>>& settings);
    ~guc_scope();
    guc_scope(const guc_scope&) = delete;
    guc_scope& operator=(const guc_scope&) = delete;

private:
    int level_;
};

/// For the scope's duration the planner compiles nothing (jit = off); a session_jit_scope
/// inside it brings back the setting the outermost no_jit_scope found. Scopes nest: inner
/// ones end first.
class no_jit_scope {
public:
    no_jit_scope();
    ~no_jit_scope();
    no_jit_scope(const no_jit_scope&) = delete;
    no_jit_scope& operator=(const no_jit_scope&) = delete;

private:
    friend class session_jit_scope;
    static std::string& session_setting();
    std::string outer_;
    guc_scope off_;
};

/// Inside a no_jit_scope: jit as the session had it.
class session_jit_scope {
public:
    session_jit_scope();
    /// Whether the session had jit on.
    bool compiles() const { return set_.has_value(); }

private:
    std::optional<guc_scope> set_;
};

/// Whether the planner, as set now, compiles a plan of estimated cost `cost` by JIT.
bool jit_compiles(double cost);

/// Whether a setting of that name exists (a module that defines it is loaded, or it was set).
bool setting_exists(const std::string& name);
/// A setting's value, whoever may read it in SQL; nullopt where no setting has that name.
std::optional<std::string> setting_if_any(const std::string& name);
/// A list setting's names (such as output_plugin_libraries: comma-separated, double quotes
/// around a name with commas or spaces), split as PostgreSQL splits them (SplitGUCList);
/// nullopt where no setting has that name.
std::optional<std::vector<std::string>> list_setting_if_any(const std::string& name);

/// For the scope's duration, search_path is pg_catalog alone: format_type then spells every type
/// outside pg_catalog schema-qualified, as the tables pg_trickle makes as the extension owner
/// (under pg_catalog and pg_temp) must name them.
class qualified_type_names_scope {
public:
    qualified_type_names_scope();

private:
    guc_scope catalog_only_;
};

/// A setting's name and value, as SHOW prints it.
using setting = std::pair<std::string, std::string>;

/// The session's settings that decide what a query means or returns: how names resolve
/// (search_path), how literals parse, the time zone, and how dates, times, intervals, floats,
/// bytes and XML print (which the row ids of stream tables hash). A stream table
/// records them when its query is defined.
std::vector<setting> query_settings();

/// For a stream table's SQL, run with its owner's rights on a caller's behalf (a writer, a
/// refresh's caller, the scheduler): for the scope's duration, the query settings recorded with
/// it (`recorded`; the caller's own when null, as for stream tables made before they were
/// recorded), search_path with pg_catalog first and temporary objects last, so that neither the
/// caller's settings nor its own schemas change what the query means. Sets only what differs.
class query_settings_scope;

/// What a query_settings_scope decided for one stream table, and in which session state: the
/// next scope for the same recorded settings decides again only when a setting changed (this
/// runs at every IMMEDIATE maintenance). Kept by the caller while the recorded settings stay.
class settings_memo {
public:
    settings_memo();
    ~settings_memo();
    settings_memo(const settings_memo&) = delete;
    settings_memo& operator=(const settings_memo&) = delete;

private:
    friend class query_settings_scope;
    struct session_state;
    std::unique_ptr<session_state> seen_;
    std::vector<setting> differing_;
};

class query_settings_scope {
public:
    explicit query_settings_scope(const std::optional<std::vector<setting>>& recorded, settings_memo* memo = nullptr);

private:
    std::optional<guc_scope> set_;
};

} // namespace pgt::server
