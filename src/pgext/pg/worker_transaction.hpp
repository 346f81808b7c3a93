#pragma once
// Transactions that a background worker starts and ends itself: it has no client loop to do so.

#include <functional>
#include <optional>
#include <string>

namespace pgt::server {

/// Why a transaction failed: the error's SQLSTATE and message.
struct transaction_failure {
    std::string sqlstate, message;
};

/// Runs `work` in a transaction of its own, in an SPI session, under a snapshot. Returns the
/// error if it failed (the transaction is then rolled back, and a replication slot it held is
/// let go). Errors arrive as C++ exceptions (pg::call) or, from an unguarded call, as a
/// PostgreSQL longjmp: both are caught.
std::optional<transaction_failure> run_transaction(const std::function<void()>& work);

/// Whether pg_trickle is installed in this database, asked in a short transaction of its own
/// (an error there is not caught).
bool pg_trickle_installed_now();

} // namespace pgt::server
