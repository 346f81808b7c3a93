#pragma once
// Work spread over several sessions, one thread each (each session on its own database), with
// crashes blamed on the work that causes them: a crash ends every session's statement, so work
// whose connection was lost is run again alone, the others waiting, and only a crash during
// that lone run counts. A statement that runs past hang_limit ignores its statement_timeout
// (the server never checks for interrupts): its server process is killed and its work counts
// as hung, without a second run.

#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "session.hpp"

namespace pgt::fuzz {

/// Three times the longest statement_timeout the fuzzer sets.
inline constexpr auto hang_limit = std::chrono::minutes(3);

class workers {
public:
    /// `restart_server` starts the server again when it did not come back by itself.
    workers(const std::vector<std::string>& conninfos, std::function<void()> restart_server)
        : restart_server_(std::move(restart_server)) {
        for (const auto& c : conninfos) sessions_.emplace_back(c);
    }

    session& first() { return sessions_.front(); }

    /// Runs `work(db, i)` for i = 0, 1, … < count, handing items out in order while `more()`
    /// holds; `lost(i, why)` when item i crashed the server when run alone ("crash") or hung
    /// ("hang: " and the statement). `more` and `lost` are called under a lock; `work` runs
    /// concurrently.
    void for_each(std::size_t count, const std::function<void(session&, std::size_t)>& work, const std::function<bool()>& more,
                  const std::function<void(std::size_t, const std::string&)>& lost) {
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
                    if (const auto why = run_blaming_crashes(db, [&] { work(db, i); })) {
                        std::scoped_lock l(handout);
                        lost(i, *why);
                    }
                }
            } catch (...) {
                std::scoped_lock l(handout);
                failure = std::current_exception();
            }
        };
        std::jthread watchdog([this](std::stop_token stop) {
            while (!stop.stop_requested()) {
                for (auto& db : sessions_)
                    if (db.busy_for() > hang_limit) db.kill_backend();
                std::this_thread::sleep_for(std::chrono::seconds(1));
            }
        });
        {
            std::vector<std::jthread> threads;
            for (auto& db : sessions_) threads.emplace_back(loop, std::ref(db));
        }
        if (failure) std::rethrow_exception(failure);
    }

private:
    /// Why `run` was lost: it lost the connection also when run alone, or hung; none when it ran.
    template <class F>
    std::optional<std::string> run_blaming_crashes(session& db, F run) {
        try {
            // Past the turnstile first: a lone run waiting for the lock holds it, so that work
            // does not keep starting while it waits.
            { std::scoped_lock pass(turnstile_); }
            std::shared_lock shared(solo_);
            run();
            return std::nullopt;
        } catch (const connection_lost&) {
        } catch (const statement_hung& e) {
            recover(db);
            return "hang: " + std::string(e.what());
        }
        std::scoped_lock gate(turnstile_);
        std::unique_lock alone(solo_);
        recover(db);
        try {
            run();
            return std::nullopt;
        } catch (const connection_lost&) {
            recover(db);
            return "crash";
        } catch (const statement_hung& e) {
            recover(db);
            return "hang: " + std::string(e.what());
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
    std::deque<session> sessions_; ///< not a vector: a session cannot move (its watchdog state is atomic)
    std::mutex turnstile_;
    std::shared_mutex solo_;
};

} // namespace pgt::fuzz
