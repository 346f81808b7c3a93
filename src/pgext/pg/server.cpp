#include "pg/server.hpp"

#include "pgt/error.hpp"

#include "pg/guard.hpp"
#include "pg/spi.hpp"

extern "C" {
#include <access/genam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <access/xact.h>
#include <access/xlog.h>
#include <catalog/dependency.h>
#include <catalog/namespace.h>
#include <catalog/pg_attrdef.h>
#include <catalog/pg_class.h>
#include <catalog/pg_extension.h>
#include <catalog/pg_operator.h>
#include <catalog/pg_proc.h>
#include <catalog/pg_trigger.h>
#include <commands/extension.h>
#include <parser/parser.h>
#include <pgtime.h>
#include <storage/lmgr.h>
#include <storage/proc.h>
#include <storage/standby.h>
#include <utils/acl.h>
#include <utils/bytea.h>
#include <utils/float.h>
#include <utils/fmgroids.h>
#include <utils/guc.h>
#include <utils/lsyscache.h>
#include <utils/syscache.h>
#include <utils/varlena.h>
#include <utils/xml.h>
}

namespace pgt::server {

const void* parse(const std::string& sql) {
    return pg::call([&] { return static_cast<const void*>(raw_parser(sql.c_str(), RAW_PARSE_DEFAULT)); });
}

oid current_user() { return GetUserId(); }

std::optional<std::string> current_schema() {
    const char* name = pg::call([] {
        List* path = fetch_search_path(false);
        return path == NIL ? static_cast<const char*>(nullptr) : static_cast<const char*>(get_namespace_name(linitial_oid(path)));
    });
    if (!name) return std::nullopt;
    return std::string(name);
}

bool owns_relation(oid relid) {
    return pg::call([&] {
        if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid))) return false;
#if PG_VERSION_NUM >= 160000
        return object_ownercheck(RelationRelationId, relid, GetUserId());
#else
        return pg_class_ownercheck(relid, GetUserId());
#endif
    });
}

bool generation_expression_written(oid relid) {
    return pg::call([&] {
        bool written = false;
        Relation attrdef = table_open(AttrDefaultRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_attrdef_adrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
        SysScanDesc scan = systable_beginscan(attrdef, AttrDefaultIndexId, true, nullptr, 1, &key);
        while (HeapTuple t = systable_getnext(scan)) {
            if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(t->t_data))) continue;
            const auto* def = reinterpret_cast<Form_pg_attrdef>(GETSTRUCT(t));
            HeapTuple att = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(def->adnum));
            if (!HeapTupleIsValid(att)) continue;
            written |= reinterpret_cast<Form_pg_attribute>(GETSTRUCT(att))->attgenerated != '\0';
            ReleaseSysCache(att);
        }
        systable_endscan(scan);
        table_close(attrdef, AccessShareLock);
        return written;
    });
}

#if PG_VERSION_NUM >= 170000
unsigned transaction_number() { return MyProc->vxid.lxid; }
#else
unsigned transaction_number() { return MyProc->lxid; }
#endif

void block_writers(oid relid) {
    pg::call([&] { LockRelationOid(relid, ShareRowExclusiveLock); });
}

oid extension_owner() {
    // The extension is created by a superuser (superuser = true in the control file); its
    // owner is the role the bookkeeping (catalog, buffers, triggers) runs as. Looked up once
    // per transaction.
    static unsigned looked_up_in = 0;
    static oid known = 0;
    if (known != 0 && looked_up_in == transaction_number()) return known;
    auto rows = spi::prepared("SELECT extowner::int8 FROM pg_catalog.pg_extension WHERE extname = 'pg_trickle'", 0).query({});
    auto owner = rows.empty() ? std::nullopt : rows[0][0];
    if (!owner) throw error(sqlstate::internal_error, "extension pg_trickle is not installed in this database");
    looked_up_in = transaction_number();
    known = static_cast<oid>(std::stoull(*owner));
    return known;
}

std::string role_name(oid role) {
    const char* n = pg::call([&] { return static_cast<const char*>(GetUserNameFromId(role, false)); });
    return n;
}

bool in_own_extension_script() {
    return creating_extension && pg::call([] { return get_extension_oid("pg_trickle", true); }) == CurrentExtensionObject;
}

bool in_recovery() { return RecoveryInProgress(); }
oid database_oid() { return MyDatabaseId; }
bool wal_level_logical() { return wal_level >= WAL_LEVEL_LOGICAL; }
std::uint64_t log_running_transactions_and_flush() {
    XLogRecPtr end = InvalidXLogRecPtr;
    pg::call([&] {
        end = LogStandbySnapshot();
        XLogFlush(end);
    });
    return end;
}

bool transaction_has_xid() { return FullTransactionIdIsValid(GetTopFullTransactionIdIfAny()); }
bool read_only_transaction() { return XactReadOnly; }

role_scope::role_scope(oid role, bool restricted) {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE |
                                     (restricted ? SECURITY_RESTRICTED_OPERATION : 0));
    if (restricted) return;
    // pg_trickle's own SQL, with the extension owner's rights: the caller's search_path must not
    // resolve its operators and functions (as SET search_path does for a SECURITY DEFINER
    // function).
    guc_level_ = NewGUCNestLevel();
    pg::call([] {
        (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                                0, false);
    });
}

role_scope::~role_scope() {
    // The nest level is still there: a subtransaction begun inside the scope is rolled back
    // (by the code that began it) before the scope ends, one begun before it after, and a
    // transaction is aborted only once every C++ frame is gone.
    if (guc_level_ != 0) AtEOXact_GUC(true, guc_level_);
    SetUserIdAndSecContext(saved_user_, saved_context_);
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

void depend_on_extension(const std::string& catalog, oid object) {
    pg::call([&] {
        ObjectAddress dependent;
        dependent.classId = catalog == "pg_trigger" ? TriggerRelationId : RelationRelationId;
        dependent.objectId = object;
        dependent.objectSubId = 0;
        ObjectAddress extension;
        extension.classId = ExtensionRelationId;
        extension.objectId = get_extension_oid("pg_trickle", false);
        extension.objectSubId = 0;
        recordDependencyOn(&dependent, &extension, DEPENDENCY_AUTO);
    });
}

void depend_on(oid relid, const std::vector<query_object>& objects) {
    for (const auto& o : objects)
        pg::call([&] {
            ObjectAddress dependent;
            dependent.classId = RelationRelationId;
            dependent.objectId = relid;
            dependent.objectSubId = 0;
            ObjectAddress referenced;
            referenced.classId = o.what == query_object::kind::function   ? ProcedureRelationId
                                 : o.what == query_object::kind::operator_ ? OperatorRelationId
                                                                           : RelationRelationId;
            referenced.objectId = o.id;
            referenced.objectSubId = 0;
            recordDependencyOn(&dependent, &referenced, DEPENDENCY_NORMAL);
        });
}

namespace {
void report(int level, const std::string& message, const std::string& detail) {
    pg::call([&] {
        ereport(level, (errmsg_internal("%s", message.c_str()),
                        detail.empty() ? 0 : errdetail_internal("%s", detail.c_str())));
    });
}
bool refresh_writes = false;
bool internal_ddl = false;
} // namespace

void notice(const std::string& message) { report(NOTICE, message, {}); }
void warning(const std::string& message, const std::string& detail) { report(WARNING, message, detail); }
void log(const std::string& message) { report(LOG, message, {}); }

refresh_writes_scope::refresh_writes_scope() : saved_(refresh_writes) { refresh_writes = true; }
refresh_writes_scope::~refresh_writes_scope() { refresh_writes = saved_; }
bool refresh_writes_scope::active() { return refresh_writes; }
void refresh_writes_scope::reset() {
    refresh_writes = false;
    internal_ddl = false;
}

internal_ddl_scope::internal_ddl_scope() : saved_(internal_ddl) { internal_ddl = true; }
internal_ddl_scope::~internal_ddl_scope() { internal_ddl = saved_; }
bool internal_ddl_scope::active() { return internal_ddl; }

} // namespace pgt::server
