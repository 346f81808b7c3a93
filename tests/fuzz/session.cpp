#include "session.hpp"

#include <chrono>
#include <thread>

#include "reasons.hpp"

namespace pgt::fuzz {

session::session(std::string conninfo) : conninfo_(std::move(conninfo)) { reconnect(); }

template <class F>
auto session::guarded(F run) {
    try {
        return run(*conn_);
    } catch (const testing::server_error& e) {
        if (is_connection_loss(e)) throw connection_lost(e.what());
        throw;
    }
}

void session::exec(const std::string& sql) {
    guarded([&](testing::connection& c) { c.exec(sql); });
}

std::vector<testing::text_row> session::query(const std::string& sql) {
    return guarded([&](testing::connection& c) { return c.query(sql); });
}

std::optional<std::string> session::scalar(const std::string& sql) {
    return guarded([&](testing::connection& c) { return c.scalar(sql); });
}

void session::exec_rolled_back(const std::string& sql) {
    exec("BEGIN");
    try {
        exec(sql);
    } catch (const testing::server_error&) {
        exec("ROLLBACK");
        throw;
    }
    exec("ROLLBACK");
}

void session::reconnect() {
    conn_.reset();
    for (int attempt = 0;; ++attempt) {
        try {
            conn_.emplace(conninfo_);
            // The extension runs its delta statements with JIT off too (JIT compiles them longer
            // than they run); warnings (AUTO's fallback) are read from the catalog instead.
            conn_->exec("SET jit = off; SET client_min_messages = error; SET lock_timeout = '20s'");
            return;
        } catch (const testing::server_error&) {
            if (attempt == 150) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
}

} // namespace pgt::fuzz
