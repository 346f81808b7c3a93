#include "interrupt.hpp"

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace pgt::fuzz {

namespace {

/// The signals waited for; SIGUSR1 ends the wait when the guard goes.
sigset_t waited_signals() {
    sigset_t s;
    sigemptyset(&s);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&s, sig);
    return s;
}

} // namespace

stop_server_on_interrupt::stop_server_on_interrupt(const testing::cluster& server) {
    const sigset_t signals = waited_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    waiter_ = std::thread([signals, data = server.data_dir()] {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig == SIGUSR1) return;
        std::cerr << "pgt_fuzz: interrupted, stopping the server\n";
        try {
            testing::run_shell(testing::shell_quote(testing::pg_bin_dir() + "/pg_ctl") + " -D " + testing::shell_quote(data) +
                                   " -m immediate -w stop >/dev/null",
                               true);
        } catch (const std::runtime_error&) {
            // Already stopped: its folder still goes.
        }
        std::error_code ec;
        std::filesystem::remove_all(std::filesystem::path(data).parent_path(), ec);
        std::_Exit(130);
    });
}

stop_server_on_interrupt::~stop_server_on_interrupt() {
    pthread_kill(waiter_.native_handle(), SIGUSR1);
    waiter_.join();
    const sigset_t signals = waited_signals();
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

} // namespace pgt::fuzz
