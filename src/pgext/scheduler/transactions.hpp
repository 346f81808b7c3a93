#pragma once
// Transactions of the background workers (scheduler, refresh workers), which have no client
// loop to start and end them.

#include <functional>
#include <optional>
#include <string>

namespace pgt::sched {

/// Why a transaction failed: the error's SQLSTATE and message.
struct failure {
    std::string sqlstate, message;
};

/// Runs `work` in its own transaction. Returns the error if it failed (the transaction is then
/// rolled back). Errors arrive as C++ exceptions (pg::call) or, from an unguarded call, as a
/// PostgreSQL longjmp: both are caught.
std::optional<failure> in_transaction(const std::function<void()>& work);

} // namespace pgt::sched
