#pragma once
// A throwaway PostgreSQL cluster for tests: initdb into a fresh temporary folder (as the
// postgres user when the tests run as root), reachable only through a Unix socket in that
// folder, stopped and deleted when the object dies.

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgt::testing {

/// An error reported by the server, with its SQLSTATE.
struct server_error : std::runtime_error {
    server_error(std::string code, const std::string& message)
        : std::runtime_error(message), sqlstate(std::move(code)) {}
    std::string sqlstate;
};

using text_row = std::vector<std::optional<std::string>>;

class connection {
public:
    explicit connection(const std::string& conninfo);
    ~connection();
    connection(connection&&) noexcept;
    connection& operator=(connection&&) = delete;
    connection(const connection&) = delete;

    /// Runs one or more statements; throws server_error on failure.
    void exec(const std::string& sql);
    /// Runs a query and returns its rows as text (nullopt for NULL).
    std::vector<text_row> query(const std::string& sql);
    /// COPY `table` FROM STDIN with `data` in COPY text format.
    void copy_in(const std::string& table, const std::string& data);
    /// The single value of a one-row, one-column query.
    std::optional<std::string> scalar(const std::string& sql);
    /// Notices and warnings received since the last call.
    std::vector<std::string> take_notices();
    /// NOTIFY payloads received on channels this connection LISTENs to (waits up to `ms`).
    std::vector<std::string> notifications(int ms = 0);

private:
    struct impl;
    std::unique_ptr<impl> p_;
};

struct cluster_options {
    /// Value of shared_preload_libraries ('' for none).
    std::string preload;
    /// Extra postgresql.conf lines.
    std::vector<std::string> settings;
    /// A TCP port on localhost to listen on besides the socket (0: the socket only), for servers
    /// that connect to each other (Citus nodes).
    int port = 0;
};

/// A TCP port on localhost that nothing listens on now.
int free_port();

class cluster {
public:
    explicit cluster(cluster_options opts = {});
    ~cluster();
    cluster(const cluster&) = delete;
    cluster& operator=(const cluster&) = delete;

    std::string conninfo(const std::string& db = "postgres", const std::string& user = "postgres") const;
    connection connect(const std::string& db = "postgres", const std::string& user = "postgres") const;
    const std::string& data_dir() const { return data_; }
    /// The folder of its Unix socket (`-h` for the client programs).
    const std::string& socket_dir() const { return socket_dir_; }
    /// Restarts the server (optionally after a crash: `immediate` stops without a checkpoint).
    void restart(bool immediate = false);
    /// Kills the postmaster with SIGKILL, waits for its children to go (killing those still
    /// running after 10 s), and starts it again (crash recovery).
    void kill_and_restart();
    /// Stops the server (fast shutdown), and starts it again: a node that is down for a while.
    void shut_down();
    void start_up();
    /// The server log so far.
    std::string log() const;

private:
    void run_as_owner(const std::string& command) const;
    void start();
    void stop(const char* mode);

    std::string dir_, data_, socket_dir_, bin_;
    int port_ = 0;
    bool running_ = false;
};

/// `s` quoted for a POSIX shell.
std::string shell_quote(const std::string& s);
/// Runs `command` with bash -o pipefail (as the postgres user when `as_postgres` and we are
/// root); throws when it fails.
void run_shell(const std::string& command, bool as_postgres = false);

/// The folder holding initdb/pg_ctl (PGT_PG_BIN, else that of the PostgreSQL the build is for).
std::string pg_bin_dir();

} // namespace pgt::testing
