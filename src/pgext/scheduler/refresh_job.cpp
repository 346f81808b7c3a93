#include "scheduler/refresh_job.hpp"

#include <optional>
#include <string>

#include "pg/notices.hpp"
#include "pg/settings.hpp"
#include "pg/spi.hpp"
#include "pg/transactions.hpp"
#include "refresh/refresh.hpp"
#include "scheduler/transactions.hpp"

namespace pgt::sched {

namespace {

void alert(const std::string& event, const std::string& name, int errors, const std::string& message) {
    spi::exec("SELECT pg_catalog.pg_notify('pgtrickle_alert', pg_catalog.json_build_object('event', $1, "
              "'stream_table', $2, 'message', $3, 'consecutive_errors', $4::int)::text)",
              {event, name, message, std::to_string(errors)});
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
        const auto r = spi::query(
            "WITH s AS (SELECT pgt_id, pgt_schema || '.' || pgt_name AS name, consecutive_errors, refresh_mode "
            "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = $1::int8), h AS ("
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
    failure = in_transaction([&] {
        server::commit_without_flush_if_alone();
        ext::refresh(id, ext::initiator::scheduler, history);
        if (errors > 0) alert("recovered", name, errors, "refreshed after " + std::to_string(errors) + " failures");
    });
    if (!failure) return true;
    const auto [code, message] = *failure;
    in_transaction([&] {
        const bool suspended =
            ext::record_failure(id, ext::initiator::scheduler, code, message, guc::max_consecutive_errors, history);
        alert(suspended ? "suspended" : "refresh_failed", name, errors + 1, message);
    });
    server::log("pg_trickle: refresh of " + name + " failed: " + message, code);
    return false;
}

} // namespace pgt::sched
