#include "pg/gucs.hpp"

#include <cstring>
#include <utility>

#include "pg/guard.hpp"

extern "C" {
#include <catalog/namespace.h>
#include <jit/jit.h>
#include <pgtime.h>
#include <utils/builtins.h>
#include <utils/bytea.h>
#include <utils/float.h>
#include <utils/guc.h>
#include <utils/lsyscache.h>
#include <utils/varlena.h>
#include <utils/xml.h>
}

namespace pgt::server {

std::optional<std::string> current_schema() {
    const char* name = pg::call([] {
        List* path = fetch_search_path(false);
        return path == NIL ? static_cast<const char*>(nullptr) : static_cast<const char*>(get_namespace_name(linitial_oid(path)));
    });
    if (!name) return std::nullopt;
    return std::string(name);
}

namespace {

/// The session's temporary schema (InvalidOid before it has one).
Oid session_temp_schema() {
    Oid temp = InvalidOid, temp_toast = InvalidOid;
    GetTempNamespaceState(&temp, &temp_toast);
    return temp;
}

/// The settings query_settings() records: what a query's result depends on besides its data.
/// Not recorded, as values that may stop being valid (a restore onto a machine without the
/// creator's locale, a dropped text search configuration) would fail every write: the lc_*
/// locales and default_text_search_config. Nor what would change how pg_trickle's own SQL
/// parses: standard_conforming_strings and transform_null_equals.
constexpr const char* recorded_settings[] = {"search_path",  "TimeZone",     "DateStyle", "IntervalStyle", "extra_float_digits",
                                             "bytea_output", "xmloption", "xmlbinary"};

std::string current_setting(const char* name) {
    const char* value = pg::call([&] { return GetConfigOption(name, false, false); });
    return value ? value : "";
}

/// `path`, or when it would search another schema before pg_catalog or a temporary schema before
/// the end in this session, `path` with pg_catalog first and pg_temp last.
std::string pinned(const std::string& path) {
    // The last answer, while the path and the session's temporary schema are the same (this runs
    // at every IMMEDIATE maintenance).
    static std::string last_path, last_answer;
    static Oid last_temp = InvalidOid;
    const Oid temp = session_temp_schema();
    if (!last_answer.empty() && path == last_path && temp == last_temp) return last_answer;
    const bool safe = pg::call([&] {
        List* names = nullptr;
        if (!SplitIdentifierString(pstrdup(path.c_str()), ',', &names)) return false;
        bool catalog_first = true, temp_last = false;
        int position = 0;
        for (ListCell* cell = list_head(names); cell; cell = lnext(names, cell), ++position) {
            const char* name = static_cast<const char*>(lfirst(cell));
            if (strcmp(name, "pg_catalog") == 0 && position > 0) catalog_first = false;
            temp_last = strcmp(name, "pg_temp") == 0;
        }
        // Not listed, the session's temporary schema (if it has one) is searched first.
        return catalog_first && (temp_last || !OidIsValid(temp));
    });
    last_path = path;
    last_temp = temp;
    last_answer = safe ? path : path.empty() ? "pg_catalog, pg_temp" : "pg_catalog, " + path + ", pg_temp";
    return last_answer;
}

} // namespace

/// The schemas the session's search_path names, "$user" resolved to the current user's (the one
/// a name resolves in must not change with the stream table's owner), quoted, in order; the
/// session's temporary schema as pg_temp (whoever runs the SQL later has its own, searched last).
std::string resolved_search_path() {
    std::vector<std::string> names;
    pg::call([&] {
        List* schemas = fetch_search_path(false);
        for (ListCell* cell = list_head(schemas); cell; cell = lnext(schemas, cell)) {
            const Oid schema = lfirst_oid(cell);
            if (isTempNamespace(schema))
                names.emplace_back("pg_temp");
            else if (isAnyTempNamespace(schema))
                continue;
            else if (const char* name = get_namespace_name(schema))
                names.emplace_back(quote_identifier(name));
        }
    });
    std::string path;
    for (const auto& n : names) path += (path.empty() ? "" : ", ") + n;
    return path;
}

std::vector<setting> query_settings() {
    std::vector<setting> out;
    for (const char* name : recorded_settings)
        out.emplace_back(name, strcmp(name, "search_path") == 0 ? resolved_search_path() : current_setting(name));
    return out;
}

/// The session's values of the recorded settings, read from PostgreSQL's variables rather than
/// looked up by name. (A time zone is cached for the backend's life: same zone, same pointer.)
struct settings_memo::session_state {
    std::string search_path;
    const void* time_zone = nullptr;
    int date_style = 0, date_order = 0, interval_style = 0, float_digits = 0, bytea = 0, xml_option = 0, xml_binary = 0;
    Oid temp_schema = InvalidOid;

    static const char* text(const char* s) { return s ? s : ""; }
    static session_state now() {
        return {text(namespace_search_path), session_timezone, DateStyle, DateOrder, IntervalStyle,
                extra_float_digits, bytea_output, xmloption, xmlbinary, session_temp_schema()};
    }
    bool current() const {
        return time_zone == session_timezone && date_style == DateStyle && date_order == DateOrder &&
               interval_style == IntervalStyle && float_digits == extra_float_digits && bytea == bytea_output &&
               xml_option == xmloption && xml_binary == xmlbinary && temp_schema == session_temp_schema() &&
               search_path == text(namespace_search_path);
    }
};

settings_memo::settings_memo() = default;
settings_memo::~settings_memo() = default;

query_settings_scope::query_settings_scope(const std::optional<std::vector<setting>>& recorded, settings_memo* memo) {
    if (memo && memo->seen_ && memo->seen_->current()) {
        if (!memo->differing_.empty()) set_.emplace(memo->differing_);
        return;
    }
    std::vector<setting> differing;
    for (const char* name : recorded_settings) {
        const std::string current = current_setting(name);
        std::string wanted = current;
        if (recorded)
            for (const auto& [n, v] : *recorded)
                if (n == name) wanted = v;
        if (strcmp(name, "search_path") == 0) wanted = pinned(wanted);
        if (wanted != current) differing.emplace_back(name, std::move(wanted));
    }
    if (memo) {
        memo->seen_ = std::make_unique<settings_memo::session_state>(settings_memo::session_state::now());
        memo->differing_ = differing;
    }
    if (!differing.empty()) set_.emplace(differing);
}

bool jit_compiles(double cost) { return jit_enabled && jit_above_cost >= 0 && cost > jit_above_cost; }

bool setting_exists(const std::string& name) { return setting_if_any(name).has_value(); }

std::optional<std::string> setting_if_any(const std::string& name) {
    const char* value = pg::call([&] { return GetConfigOption(name.c_str(), true, false); });
    return value ? std::optional<std::string>(value) : std::nullopt;
}

std::optional<std::vector<std::string>> list_setting_if_any(const std::string& name) {
    const auto value = setting_if_any(name);
    if (!value) return std::nullopt;
    std::vector<std::string> names;
    pg::call([&] {
        List* list = nullptr;
        // (Its check hook made sure the value splits; a list that did not would name nothing.)
        if (SplitGUCList(pstrdup(value->c_str()), ',', &list))
            for (ListCell* cell = list_head(list); cell; cell = lnext(list, cell)) names.emplace_back(static_cast<const char*>(lfirst(cell)));
    });
    return names;
}

qualified_type_names_scope::qualified_type_names_scope() : catalog_only_({{"search_path", "pg_catalog"}}, false) {}

guc_scope::guc_scope(const std::vector<std::pair<std::string, std::string>>& settings) : guc_scope(settings, false) {}

guc_scope::guc_scope(const std::vector<std::pair<std::string, std::string>>& settings, bool superuser) : level_(NewGUCNestLevel()) {
    for (const auto& [name, value] : settings)
        pg::call([&] {
            (void)set_config_option(name.c_str(), value.c_str(), superuser ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_SAVE, true, 0, false);
        });
}

guc_scope::~guc_scope() { AtEOXact_GUC(true, level_); }

std::string& no_jit_scope::session_setting() {
    static std::string value; // (empty outside every no_jit_scope)
    return value;
}

// (Inside another, the session's setting is the one that scope found.)
no_jit_scope::no_jit_scope()
    : outer_(std::exchange(session_setting(), session_setting().empty() ? current_setting("jit") : session_setting())),
      off_(std::vector<std::pair<std::string, std::string>>{{"jit", "off"}}) {}

no_jit_scope::~no_jit_scope() { session_setting() = outer_; }

session_jit_scope::session_jit_scope() {
    const std::string& session = no_jit_scope::session_setting();
    if (!session.empty() && session != "off") set_.emplace(std::vector<std::pair<std::string, std::string>>{{"jit", session}});
}

} // namespace pgt::server
