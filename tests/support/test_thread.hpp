#pragma once
// A thread of a test whose failure reaches the test. A plain std::thread that is still
// joinable when the test leaves its scope early (a failed REQUIRE, a server error) calls
// std::terminate, which hides the message; an exception inside it does the same.
//
// test_thread keeps its body's exception and rethrows it from join(). Left running when its
// scope ends, it is asked to stop (a body that takes a std::stop_token sees it) and joined.
// Declare it before any connection whose lock its body may wait for, so that the connection
// goes first and the join cannot wait forever.

#include <exception>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <utility>

namespace pgt::testing {

class test_thread {
public:
    /// Runs `body()` or `body(stop_token)`.
    template <class Body>
    explicit test_thread(Body body)
        : thread_([this, body = std::move(body)](const std::stop_token& stop) mutable {
              try {
                  if constexpr (std::is_invocable_v<Body&, const std::stop_token&>)
                      body(stop);
                  else
                      body();
              } catch (...) {
                  error_ = std::current_exception();
              }
          }) {}
    test_thread(const test_thread&) = delete;
    test_thread& operator=(const test_thread&) = delete;

    /// Asks a body that takes a stop_token to end.
    void request_stop() { thread_.request_stop(); }

    /// Waits for the body and rethrows what it threw.
    void join() {
        thread_.join();
        if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    }

private:
    std::exception_ptr error_;
    std::jthread thread_; // (last: it starts once error_ exists, and is joined before error_ goes)
};

} // namespace pgt::testing
