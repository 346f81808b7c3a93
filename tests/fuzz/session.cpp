#include "session.hpp"

#include <signal.h>

#include <thread>

#include "reasons.hpp"

namespace pgt::fuzz {

session::session(std::string conninfo) : conninfo_(std::move(conninfo)) { reconnect(); }

template <class F>
auto session::guarded(const std::string& sql, F run) {
    struct busy {
        std::atomic<std::chrono::steady_clock::rep>& since;
        explicit busy(std::atomic<std::chrono::steady_clock::rep>& s) : since(s) {
            since = std::chrono::steady_clock::now().time_since_epoch().count();
        }
        ~busy() { since = 0; }
    } marked(busy_since_);
    try {
        return run(*conn_);
    } catch (const testing::server_error& e) {
        if (killed_.exchange(false)) throw statement_hung(sql.substr(0, sql.find('\n')));
        if (is_connection_loss(e)) throw connection_lost(e.what());
        throw;
    }
}

void session::exec(const std::string& sql) {
    guarded(sql, [&](testing::connection& c) { c.exec(sql); });
}

std::vector<testing::text_row> session::query(const std::string& sql) {
    return guarded(sql, [&](testing::connection& c) { return c.query(sql); });
}

std::optional<std::string> session::scalar(const std::string& sql) {
    return guarded(sql, [&](testing::connection& c) { return c.scalar(sql); });
}

std::chrono::steady_clock::duration session::busy_for() const {
    const auto since = busy_since_.load();
    if (since == 0) return {};
    return std::chrono::steady_clock::now().time_since_epoch() - std::chrono::steady_clock::duration(since);
}

void session::kill_backend() {
    if (busy_since_ == 0) return;
    killed_ = true;
    ::kill(backend_pid_, SIGKILL);
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
            backend_pid_ = std::stoi(*conn_->scalar("SELECT pg_backend_pid()"));
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
