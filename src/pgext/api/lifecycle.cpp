// SQL entry points of the stream-table lifecycle (API.md §1.1): argument checking, then lifecycle/.
#include <cctype>
#include <optional>
#include <tuple>
#include <utility>

#include "pgt/refresh_order.hpp"
#include "pgt/schedule.hpp"

#include "capture/wal_capture.hpp"
#include "catalog/catalog_oids.hpp"
#include "lifecycle/distributed_storage.hpp"
#include "lifecycle/lifecycle.hpp"
#include "pg/derived_commit.hpp"
#include "pg/function.hpp"
#include "pg/gucs.hpp"
#include "pg/notices.hpp"
#include "pg/parser.hpp"
#include "pg/roles.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "refresh/definition.hpp"
#include "refresh/atomic_group.hpp"
#include "refresh/refresh.hpp"
#include "scheduler/shared.hpp"

namespace {

using pgt::pg::bool_arg;
using pgt::pg::text_arg;

[[noreturn]] void not_supported(const std::string& parameter) {
    throw pgt::error(pgt::sqlstate::feature_not_supported,
                     "parameter " + parameter + " is not supported by this version of pg_trickle",
                     {}, "Leave it at its default.");
}

/// The schedule argument `i`; NULL only for an IMMEDIATE stream table (`immediate`), which has
/// none (upstream's README creates them with schedule => NULL).
std::optional<std::string> schedule_arg(FunctionCallInfo fcinfo, int i, bool immediate = false) {
    auto text = text_arg(fcinfo, i);
    if (!text && immediate) return std::nullopt;
    if (!text) throw pgt::error(pgt::sqlstate::invalid_parameter_value,
                                "invalid argument: use 'calculated' instead of NULL to set CALCULATED schedule");
    return pgt::stored_schedule(*text, pgt::guc::min_schedule_seconds);
}

/// diamond_consistency (argument 5) and diamond_schedule_policy (argument 6), each as given or
/// else as `consistency` / `policy`, checked together: create and alter share the rules.
std::pair<std::string, std::string> diamond_arguments(FunctionCallInfo fcinfo, const char* consistency, const char* policy) {
    std::string dc = text_arg(fcinfo, 5).value_or(consistency), dp = text_arg(fcinfo, 6).value_or(policy);
    pgt::ext::check_diamond(dc, dp);
    return {dc, dp};
}

/// The stored diamond_consistency and diamond_schedule_policy of `st`.
std::pair<std::string, std::string> stored_diamond(const pgt::ext::stream_table& st) {
    auto r = pgt::spi::query("SELECT diamond_consistency, diamond_schedule_policy FROM pgtrickle.pgt_stream_tables "
                             "WHERE pgt_id = $1::int8",
                             {std::to_string(st.id)});
    return {r.at(0)[0].value_or("atomic"), r.at(0)[1].value_or("fastest")};
}

/// The tier argument `i` of alter_stream_table, lower case: hot, warm, cold, frozen, or auto
/// (classified by how long the stream table has not changed); nullopt when NULL.
std::optional<std::string> tier_argument(FunctionCallInfo fcinfo, int i) {
    auto text = text_arg(fcinfo, i);
    if (!text) return std::nullopt;
    std::string t = *text;
    for (auto& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (t != "auto" && !pgt::sched::parse_tier(t))
        throw pgt::error(pgt::sqlstate::invalid_parameter_value,
                         "invalid argument: tier must be 'hot', 'warm', 'cold', 'frozen' or 'auto', got '" + *text + "'");
    return t;
}

/// The arguments create_stream_table() and its variants share (positions 0–15).
pgt::ext::create_options create_arguments(FunctionCallInfo fcinfo) {
    pgt::ext::create_options o;
    o.query = pgt::server::statement_text(pgt::pg::required_text_arg(fcinfo, 1, "query"));
    o.mode = pgt::ext::normalize_mode(text_arg(fcinfo, 3).value_or("AUTO"));
    o.schedule = schedule_arg(fcinfo, 2, o.mode == pgt::ext::mode::immediate);
    o.initialize = bool_arg(fcinfo, 4).value_or(true);
    std::tie(o.diamond_consistency, o.diamond_schedule_policy) = diamond_arguments(fcinfo, "atomic", "fastest");
    o.cdc_mode = text_arg(fcinfo, 7);
    if (bool_arg(fcinfo, 8).value_or(false)) not_supported("append_only");
    if (bool_arg(fcinfo, 9).value_or(false)) not_supported("pooler_compatibility_mode");
    const char* extras[] = {"partition_by", "max_differential_joins", "max_delta_fraction", "output_distribution_column",
                            nullptr, "storage_backend", "sink", "ducklake_sink_path", "ducklake_sink_table_id"};
    o.output_distribution_column = text_arg(fcinfo, 13);
    for (int i = 10; i < PG_NARGS(); ++i) {
        if (i == 13) continue;
        if (i == 14) {
            if (bool_arg(fcinfo, i).value_or(false)) not_supported("temporal");
        } else if (!PG_ARGISNULL(i) && !(i == 15 && text_arg(fcinfo, i) == "heap")) {
            not_supported(extras[i - 10]);
        }
    }
    return o;
}

} // namespace

PGT_FUNCTION(pgt_create_stream_table) {
    pgt::spi::session spi;
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    pgt::ext::create_stream_table(pgt::pg::required_text_arg(fcinfo, 0, "name"), create_arguments(fcinfo));
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_create_stream_table_if_not_exists) {
    pgt::spi::session spi;
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    const auto name = pgt::pg::required_text_arg(fcinfo, 0, "name");
    auto opts = create_arguments(fcinfo);
    if (opts.cdc_mode) (void)pgt::ext::wal::requested_mode(opts.cdc_mode, opts.mode); // checked even when skipped
    if (pgt::ext::find_stream_table(name)) {
        pgt::server::notice("stream table " + name + " already exists, skipping");
        PG_RETURN_VOID();
    }
    pgt::ext::create_stream_table(name, opts);
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_create_or_replace_stream_table) {
    pgt::spi::session spi;
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    const auto name = pgt::pg::required_text_arg(fcinfo, 0, "name");
    auto opts = create_arguments(fcinfo);
    auto st = pgt::ext::find_stream_table(name);
    if (!st) {
        pgt::ext::create_stream_table(name, opts);
        PG_RETURN_VOID();
    }
    pgt::ext::require_owner(*st);
    if (opts.output_distribution_column && *opts.output_distribution_column != pgt::ext::storage_distribution_column(st->relid))
        throw pgt::error(pgt::sqlstate::feature_not_supported, "cannot change the output_distribution_column of stream table " + name,
                         {}, "Drop the stream table and create it again.");
    const bool same_query = st->defining_query == opts.query;
    const bool same_mode = st->requested_mode == opts.mode;
    if (!same_query || !same_mode) pgt::ext::redefine_stream_table(*st, opts.query, opts.mode);
    const bool same_config = st->schedule == opts.schedule &&
                             stored_diamond(*st) == std::pair{opts.diamond_consistency, opts.diamond_schedule_policy};
    if (!same_config || !same_query || !same_mode) {
        pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
        pgt::spi::exec("UPDATE pgtrickle.pgt_stream_tables SET schedule = CASE WHEN refresh_mode = 'IMMEDIATE' THEN NULL "
                       "ELSE $2 END, diamond_consistency = $3, "
                       "diamond_schedule_policy = $4, updated_at = now() WHERE pgt_id = $1::int8",
                       {std::to_string(st->id), opts.schedule, opts.diamond_consistency, opts.diamond_schedule_policy});
    }
    // cdc_mode, when given, as alter_stream_table would set it (checked either way).
    bool same_cdc = true;
    if (opts.cdc_mode) {
        const auto now = *pgt::ext::stream_table_by_id(st->id);
        const auto stored = pgt::spi::scalar("SELECT requested_cdc_mode FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8",
                                             {std::to_string(st->id)});
        same_cdc = stored == pgt::ext::wal::requested_mode(opts.cdc_mode, now.refresh_mode);
        if (!same_cdc) pgt::ext::set_cdc_mode(now, *opts.cdc_mode);
    }
    if (same_config && same_query && same_mode && same_cdc) pgt::server::notice("stream table " + name + " is unchanged");
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_alter_stream_table) {
    pgt::spi::session spi;
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    auto st = pgt::ext::require_stream_table(pgt::pg::required_text_arg(fcinfo, 0, "name"));
    pgt::ext::require_owner(st);
    pgt::ext::require_writable();
    const char* extras[] = {"append_only", "pooler_compatibility_mode", "tier", "fuse", "fuse_ceiling",
                            "fuse_sensitivity", "partition_by", "max_differential_joins", "max_delta_fraction",
                            "post_refresh_action", "reindex_drift_threshold", "sink", "ducklake_sink_path",
                            "ducklake_sink_table_id"};
    constexpr int tier_arg = 10;
    for (int i = 8; i < PG_NARGS(); ++i)
        if (!PG_ARGISNULL(i) && (i != tier_arg || !pgt::ext::stream_table_catalog_oids().has_refresh_groups))
            not_supported(extras[i - 8]);
    const auto tier = tier_argument(fcinfo, tier_arg);
    std::optional<std::pair<std::string, std::string>> diamond;
    if (!PG_ARGISNULL(5) || !PG_ARGISNULL(6)) {
        const auto [dc, dp] = stored_diamond(st);
        diamond = diamond_arguments(fcinfo, dc.c_str(), dp.c_str());
    }

    auto query = text_arg(fcinfo, 1);
    if (query) query = pgt::server::statement_text(*query);
    auto mode = text_arg(fcinfo, 3);
    if (query || mode)
        pgt::ext::redefine_stream_table(st, query.value_or(st.defining_query),
                                        mode ? pgt::ext::normalize_mode(*mode) : st.requested_mode);
    pgt::server::role_scope as_ext(pgt::server::extension_owner(), false);
    const std::string id = std::to_string(st.id);
    if (!PG_ARGISNULL(2))
        pgt::spi::exec("UPDATE pgtrickle.pgt_stream_tables SET schedule = CASE WHEN refresh_mode = 'IMMEDIATE' THEN NULL ELSE $2 END, "
                       "updated_at = now() WHERE pgt_id = $1::int8",
                       {id, schedule_arg(fcinfo, 2)});
    if (auto status = text_arg(fcinfo, 4)) {
        std::string s = *status;
        for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (s != "ACTIVE" && s != "SUSPENDED")
            throw pgt::error(pgt::sqlstate::invalid_parameter_value,
                             "invalid argument: status must be 'ACTIVE' or 'SUSPENDED', got '" + *status + "'");
        pgt::ext::set_status(st, s);
    }
    if (diamond)
        pgt::spi::exec("UPDATE pgtrickle.pgt_stream_tables SET diamond_consistency = $2, diamond_schedule_policy = $3, "
                       "updated_at = now() WHERE pgt_id = $1::int8",
                       {id, diamond->first, diamond->second});
    if (auto cdc = text_arg(fcinfo, 7)) pgt::ext::set_cdc_mode(*pgt::ext::stream_table_by_id(st.id), *cdc);
    if (tier)
        pgt::spi::exec("UPDATE pgtrickle.pgt_stream_tables SET refresh_tier = NULLIF($2, 'auto'), updated_at = now() "
                       "WHERE pgt_id = $1::int8",
                       {id, *tier});
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_drop_stream_table) {
    pgt::spi::session spi;
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    auto st = pgt::ext::require_stream_table(pgt::pg::required_text_arg(fcinfo, 0, "name"));
    pgt::ext::drop_stream_table(st, bool_arg(fcinfo, 1).value_or(false));
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_refresh_stream_table) {
    // A transaction that only refreshes commits without waiting for the WAL flush. (The scope
    // spans the whole call: reading the catalog may prune a page, which writes WAL too.)
    const pgt::server::derived_writes_scope derived;
    const pgt::server::no_jit_scope no_jit; // (refresh() says why)
    pgt::spi::session spi;
    // (The refresh reads the row itself, under the stream table's lock.)
    const auto [st, may_be_grouped] = pgt::ext::require_refresh_target(pgt::pg::required_text_arg(fcinfo, 0, "name"));
    pgt::ext::require_owner(st);
    // A member of an atomic diamond refreshes with its group, to one snapshot.
    const auto group = may_be_grouped ? pgt::ext::atomic_group_read(st.id) : std::vector<long long>{};
    if (group.empty()) {
        pgt::ext::refresh(st.id, pgt::ext::initiator::manual);
    } else {
        pgt::ext::refresh_group(group, pgt::ext::initiator::manual, nullptr);
    }
    PG_RETURN_VOID();
}

PGT_FUNCTION(pgt_resume_stream_table) {
    pgt::spi::session spi;
    pgt::sched::wake_scheduler_at_commit(); // it re-reads the catalog
    auto st = pgt::ext::require_stream_table(pgt::pg::required_text_arg(fcinfo, 0, "name"));
    pgt::ext::require_owner(st);
    pgt::ext::require_writable();
    if (st.status != pgt::ext::st_status::suspended && st.status != pgt::ext::st_status::error)
        throw pgt::error(pgt::sqlstate::invalid_parameter_value,
                         "invalid argument: stream table " + st.display() + " is not suspended (status " + pgt::ext::status_name(st.status) + ")");
    pgt::ext::set_status(st, "ACTIVE");
    PG_RETURN_VOID();
}
