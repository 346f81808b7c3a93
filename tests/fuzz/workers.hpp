#pragma once
// Work spread over several sessions, one thread each (each session on its own database), with
// crashes blamed on the work that causes them: a crash ends every session's statement, so work
// whose connection was lost is run again alone, the others waiting, and only a crash during
// that lone run counts.

#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "session.hpp"

namespace pgt::fuzz {

class workers {
public:
    /// `restart_server` starts the server again when it did not come back by itself.
    workers(const std::vector<std::string>& conninfos, std::function<void()> restart_server)
        : restart_server_(std::move(restart_server)) {
        for (const auto& c : conninfos) sessions_.emplace_back(c);
    }

    session& first() { return sessions_.front(); }

    /// Runs `work(db, i)` for i = 0, 1, … < count, handing items out in order while `more()`
    /// holds; `crashed(i)` when item i crashed the server when run alone. `more` and `crashed`
    /// are called under a lock; `work` runs concurrently.
    void for_each(std::size_t count, const std::function<void(session&, std::size_t)>& work,
                  const std::function<bool()>& more, const std::function<void(std::size_t)>& crashed) {
        std::mutex handout;
        std::size_t next = 0;
        std::exception_ptr failure;
        auto loop = [&](session& db) {
            try {
                for (;;) {
                    std::size_t i;
                    {
                        std::scoped_lock l(handout);
                        if (next == count || failure || !more()) return;
                        i = next++;
                    }
                    if (!run_blaming_crashes(db, [&] { work(db, i); })) {
                        std::scoped_lock l(handout);
                        crashed(i);
                    }
                }
            } catch (...) {
                std::scoped_lock l(handout);
                failure = std::current_exception();
            }
        };
        {
            std::vector<std::jthread> threads;
            for (auto& db : sessions_) threads.emplace_back(loop, std::ref(db));
        }
        if (failure) std::rethrow_exception(failure);
    }

private:
    /// False when `run` lost the connection also when run alone.
    template <class F>
    bool run_blaming_crashes(session& db, F run) {
        try {
            // Past the turnstile first: a lone run waiting for the lock holds it, so that work
            // does not keep starting while it waits.
            { std::scoped_lock pass(turnstile_); }
            std::shared_lock shared(solo_);
            run();
            return true;
        } catch (const connection_lost&) {
        }
        std::scoped_lock gate(turnstile_);
        std::unique_lock alone(solo_);
        recover(db);
        try {
            run();
            return true;
        } catch (const connection_lost&) {
            recover(db);
            return false;
        }
    }

    /// Connects `db` again once the server is back from crash recovery, restarting it if it
    /// does not come back.
    void recover(session& db) {
        try {
            db.reconnect();
        } catch (const testing::server_error&) {
            restart_server_();
            db.reconnect();
        }
    }

    std::function<void()> restart_server_;
    std::vector<session> sessions_;
    std::mutex turnstile_;
    std::shared_mutex solo_;
};

} // namespace pgt::fuzz
