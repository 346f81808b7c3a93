#include "scheduler/refresh_job.hpp"

#include <map>
#include <optional>
#include <vector>
#include <string>

#include "pg/notices.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/transactions.hpp"
#include "refresh/atomic_group.hpp"
#include "refresh/refresh.hpp"
#include "scheduler/transactions.hpp"

namespace pgt::sched {

namespace {

void alert(const std::string& event, const std::string& name, int errors, const std::string& message) {
    spi::exec("SELECT pg_catalog.pg_notify('pgtrickle_alert', pg_catalog.json_build_object('event', $1, "
              "'stream_table', $2, 'message', $3, 'consecutive_errors', $4::int)::text)",
              {event, name, message, std::to_string(errors)});
}

/// A refresh ended because the worker was asked to leave (the server's fast shutdown cancels
/// it, and terminates its parallel workers): no failure of the stream table's. Its history row
/// says so; its status stays; its changes wait for the next refresh.
void record_interrupted(long long id, std::optional<long long> history, const std::string& name) {
    const std::string why = "interrupted: the server is shutting down (or the refresh worker was terminated)";
    in_transaction([&] { ext::record_interruption(id, ext::initiator::scheduler, "57P01", why, history); });
    server::log("pg_trickle: refresh of " + name + " " + why + "; its changes stay pending", "57P01");
}

} // namespace

bool run_scheduled_refresh(long long id) {
    std::optional<long long> history;
    std::string name;
    int errors = 0;
    // The scheduler's transactions write only what a refresh derives from committed data, and
    // a crash that forgets one leaves the previous, consistent state with the changes still
    // pending: their commits need not wait for the disk.
    auto failure = in_transaction([&] {
        server::commit_without_flush_if_alone();
        if (!ext::has_pending_changes(id)) return;
        // (The row locked as a foreign key would lock it: a drop of the stream table committing
        // meanwhile leaves no RUNNING row behind, whose deletion it would not have seen.)
        const auto r = spi::query(
            "WITH s AS (SELECT pgt_id, pgt_schema || '.' || pgt_name AS name, consecutive_errors, refresh_mode "
            "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8 FOR KEY SHARE), h AS ("
            "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, data_timestamp, start_time, action, status, initiated_by) "
            "SELECT pgt_id, now(), pg_catalog.clock_timestamp(), CASE WHEN refresh_mode = 'FULL' THEN 'FULL' "
            "ELSE 'DIFFERENTIAL' END, 'RUNNING', 'SCHEDULER' FROM s RETURNING refresh_id) "
            "SELECT h.refresh_id::text, s.name, s.consecutive_errors::text FROM h, s",
            {std::to_string(id)});
        if (r.empty()) return; // dropped meanwhile
        history = std::stoll(*r[0][0]);
        name = *r[0][1];
        errors = std::stoi(*r[0][2]);
    });
    if (failure || !history) return false;
    failure = in_transaction_until_shutdown([&] {
        server::commit_without_flush_if_alone();
        ext::refresh(id, ext::initiator::scheduler, history);
        if (errors > 0) alert("recovered", name, errors, "refreshed after " + std::to_string(errors) + " failures");
    });
    if (!failure) return true;
    if (server::shutdown_requested()) {
        record_interrupted(id, history, name);
        return false;
    }
    const auto [code, message] = *failure;
    in_transaction([&] {
        const bool suspended =
            ext::record_failure(id, ext::initiator::scheduler, code, message, guc::max_consecutive_errors, history);
        alert(suspended ? "suspended" : "refresh_failed", name, errors + 1, message);
    });
    server::log("pg_trickle: refresh of " + name + " failed: " + message, code);
    return false;
}

bool run_group_refresh(long long id) {
    std::vector<long long> members;
    std::map<long long, std::pair<std::string, int>> named; // name and consecutive errors
    if (in_transaction([&] {
            members = ext::atomic_group_of(id);
            if (members.empty()) return;
            for (const auto& r : spi::query("SELECT pgt_id, pgt_schema || '.' || pgt_name, consecutive_errors "
                                            "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ANY ($1::int8[])",
                                            {spi::integer_array(members)}))
                named[std::stoll(*r[0])] = {*r[1], std::stoi(*r[2])};
        }))
        return false;
    if (members.empty()) return run_scheduled_refresh(id); // no longer in a group
    long long failing = 0;
    const auto failure = in_transaction_until_shutdown([&] {
        server::commit_without_flush_if_alone();
        ext::refresh_group(members, ext::initiator::scheduler, &failing);
        for (const auto& [member, about] : named)
            if (about.second > 0)
                alert("recovered", about.first, about.second, "refreshed after " + std::to_string(about.second) + " failures");
    });
    if (!failure) return true;
    const auto [code, message] = *failure;
    const auto& [name, errors] = named[failing];
    if (server::shutdown_requested()) {
        if (failing != 0) record_interrupted(failing, std::nullopt, name);
        return false;
    }
    in_transaction([&] {
        const bool suspended = ext::record_failure(failing, ext::initiator::scheduler, code, message, guc::max_consecutive_errors);
        alert(suspended ? "suspended" : "refresh_failed", name, errors + 1, message + " (its atomic group was rolled back)");
    });
    server::log("pg_trickle: refresh of " + name + " failed, with its atomic group: " + message, code);
    return false;
}

} // namespace pgt::sched
