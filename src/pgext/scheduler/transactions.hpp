#pragma once
// Transactions of the background workers (scheduler, refresh workers), which have no client
// loop to start and end them (pg/worker_transaction).

#include <functional>
#include <optional>

#include "pg/background_worker.hpp"
#include "pg/worker_transaction.hpp"

namespace pgt::sched {

/// Why a transaction failed: the error's SQLSTATE and message.
using failure = server::transaction_failure;

/// Runs `work` in its own transaction. Returns the error if it failed (the transaction is then
/// rolled back). Errors arrive as C++ exceptions (pg::call) or, from an unguarded call, as a
/// PostgreSQL longjmp: both are caught.
inline std::optional<failure> in_transaction(const std::function<void()>& work) { return server::run_transaction(work); }

/// As in_transaction, for work a shutdown request cancels (server::shutdown_cancels): a refresh,
/// a decoding pass. The caller tells such a failure by server::shutdown_requested().
inline std::optional<failure> in_transaction_until_shutdown(const std::function<void()>& work) {
    const server::shutdown_cancels on_shutdown;
    return in_transaction(work);
}

} // namespace pgt::sched
