#pragma once
// A worker's connection to its database. A server crash surfaces as connection_lost (whatever
// the statement was), after which reconnect() waits for the server's crash recovery. A
// statement that ignores statement_timeout can be ended by killing its server process
// (kill_backend(), from another thread): it then throws statement_hung.

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pg_cluster.hpp"

namespace pgt::fuzz {

struct connection_lost : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The statement (its first line) was ended by kill_backend().
struct statement_hung : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class session {
public:
    explicit session(std::string conninfo);

    void exec(const std::string& sql);
    std::vector<testing::text_row> query(const std::string& sql);
    std::optional<std::string> scalar(const std::string& sql);
    /// Runs `sql` in a transaction that is rolled back, whatever happens.
    void exec_rolled_back(const std::string& sql);
    /// Connects again (waiting up to 30 s for the server to accept connections).
    void reconnect();
    const std::string& conninfo() const { return conninfo_; }

    /// How long the statement running now has run (zero when none runs).
    std::chrono::steady_clock::duration busy_for() const;
    /// Kills the server process of this connection with SIGKILL, which the server answers with
    /// crash recovery (every session loses its connection).
    void kill_backend();

private:
    template <class F>
    auto guarded(const std::string& sql, F run);

    std::string conninfo_;
    std::optional<testing::connection> conn_;
    std::atomic<int> backend_pid_ = 0;
    std::atomic<std::chrono::steady_clock::rep> busy_since_ = 0; ///< 0 when idle
    std::atomic<bool> killed_ = false;
};

} // namespace pgt::fuzz
