#pragma once
// Ctrl-C during a long run: the throwaway server's destructor would not run, leaving a server
// and its folder behind. While a guard lives, SIGINT, SIGTERM and SIGHUP stop the server, delete
// its folder and end the fuzzer with status 130.

#include <thread>

#include "pg_cluster.hpp"

namespace pgt::fuzz {

class stop_server_on_interrupt {
public:
    /// Create it before any other thread: threads inherit the blocked signals it waits for.
    explicit stop_server_on_interrupt(const testing::cluster& server);
    ~stop_server_on_interrupt();
    stop_server_on_interrupt(const stop_server_on_interrupt&) = delete;
    stop_server_on_interrupt& operator=(const stop_server_on_interrupt&) = delete;

private:
    std::thread waiter_;
};

} // namespace pgt::fuzz
