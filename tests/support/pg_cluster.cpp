#include "pg_cluster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace pgt::testing {

namespace fs = std::filesystem;

namespace {

bool running_as_root() { return geteuid() == 0; }

} // namespace

std::string shell_quote(const std::string& s) {
    std::string r = "'";
    for (char c : s) r += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return r + "'";
}

void run_shell(const std::string& command, bool as_postgres) {
    std::string full = "bash -o pipefail -c " + shell_quote(command);
    if (as_postgres && running_as_root()) full = "runuser -u postgres -- " + full;
    if (std::system(full.c_str()) != 0) throw std::runtime_error("command failed: " + command);
}

std::string pg_bin_dir() {
    const char* env = std::getenv("PGT_PG_BIN");
    return env && *env ? env : PGT_PG_BINDIR;
}

// ---- connection ---------------------------------------------------------------------------------

struct connection::impl {
    PGconn* conn = nullptr;
    std::vector<std::string> notices;
};

namespace {
void collect_notice(void* arg, const PGresult* res) {
    auto* notices = static_cast<std::vector<std::string>*>(arg);
    const char* severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char* message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    notices->push_back(std::string(severity ? severity : "") + ": " + (message ? message : ""));
}

[[noreturn]] void throw_result_error(PGresult* res, PGconn* conn) {
    const char* code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    std::string sqlstate = code ? code : "";
    if (res) PQclear(res);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw server_error(sqlstate, message);
}
} // namespace

connection::connection(const std::string& conninfo) : p_(std::make_unique<impl>()) {
    p_->conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(p_->conn) != CONNECTION_OK) {
        std::string message = PQerrorMessage(p_->conn);
        PQfinish(p_->conn);
        throw server_error("08006", "connection failed: " + message);
    }
    PQsetNoticeReceiver(p_->conn, collect_notice, &p_->notices);
}

connection::~connection() {
    if (p_ && p_->conn) PQfinish(p_->conn);
}

connection::connection(connection&& o) noexcept : p_(std::move(o.p_)) {
    if (p_) PQsetNoticeReceiver(p_->conn, collect_notice, &p_->notices);
}

void connection::exec(const std::string& sql) {
    PGresult* res = PQexec(p_->conn, sql.c_str());
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
        throw_result_error(res, p_->conn);
    PQclear(res);
}

std::vector<text_row> connection::query(const std::string& sql) {
    PGresult* res = PQexec(p_->conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_TUPLES_OK) throw_result_error(res, p_->conn);
    std::vector<text_row> rows(static_cast<std::size_t>(PQntuples(res)));
    const int cols = PQnfields(res);
    for (int r = 0; r < PQntuples(res); ++r)
        for (int c = 0; c < cols; ++c)
            rows[static_cast<std::size_t>(r)].push_back(
                PQgetisnull(res, r, c) ? std::nullopt : std::optional<std::string>(PQgetvalue(res, r, c)));
    PQclear(res);
    return rows;
}

void connection::copy_in(const std::string& table, const std::string& data) {
    PGresult* res = PQexec(p_->conn, ("COPY " + table + " FROM STDIN").c_str());
    if (PQresultStatus(res) != PGRES_COPY_IN) throw_result_error(res, p_->conn);
    PQclear(res);
    if (PQputCopyData(p_->conn, data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(p_->conn, nullptr) != 1)
        throw server_error("08000", PQerrorMessage(p_->conn));
    res = PQgetResult(p_->conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) throw_result_error(res, p_->conn);
    PQclear(res);
    while ((res = PQgetResult(p_->conn))) PQclear(res);
}

std::optional<std::string> connection::scalar(const std::string& sql) {
    auto rows = query(sql);
    if (rows.size() != 1 || rows[0].size() != 1)
        throw std::runtime_error("expected one value from: " + sql);
    return rows[0][0];
}

std::vector<std::string> connection::take_notices() { return std::exchange(p_->notices, {}); }

std::vector<std::string> connection::notifications(int ms) {
    std::vector<std::string> out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
        PQconsumeInput(p_->conn);
        while (PGnotify* n = PQnotifies(p_->conn)) {
            out.emplace_back(n->extra);
            PQfreemem(n);
        }
        if (!out.empty() || std::chrono::steady_clock::now() >= deadline) return out;
        pollfd pfd{PQsocket(p_->conn), POLLIN, 0};
        poll(&pfd, 1, 20);
    }
}

// ---- cluster ------------------------------------------------------------------------------------

int free_port() {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool bound = bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                       getsockname(s, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    close(s);
    if (!bound) throw std::runtime_error("no free port");
    return ntohs(address.sin_port);
}

cluster::cluster(cluster_options opts) : bin_(pg_bin_dir()), port_(opts.port) {
    std::string tmpl = (fs::temp_directory_path() / "pgt_cluster_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    data_ = dir_ + "/data";
    socket_dir_ = dir_;
    if (running_as_root()) {
        const passwd* pw = getpwnam("postgres");
        if (!pw) throw std::runtime_error("running as root but there is no postgres user");
        if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown failed");
    }
    run_as_owner(shell_quote(bin_ + "/initdb") + " -D " + shell_quote(data_) +
                 " -U postgres -A trust --locale=C --encoding=UTF8 >" + shell_quote(dir_ + "/initdb.log") + " 2>&1");
    std::ofstream conf(data_ + "/postgresql.conf", std::ios::app);
    conf << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << socket_dir_ << "'\n"
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
         << "timezone = 'UTC'\nlc_messages = 'C'\nmax_connections = 40\n";
    if (port_ != 0) conf << "listen_addresses = 'localhost'\nport = " << port_ << "\n";
    if (!opts.preload.empty()) conf << "shared_preload_libraries = '" << opts.preload << "'\n";
    for (const auto& s : opts.settings) conf << s << "\n";
    conf.close();
    start();
}

cluster::~cluster() {
    try {
        if (running_) stop("immediate");
    } catch (...) {
        // Best effort: a test that already failed should still report its own error.
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void cluster::run_as_owner(const std::string& command) const {
    const std::string full = running_as_root() ? "runuser -u postgres -- sh -c " + shell_quote(command) : command;
    if (std::system(full.c_str()) != 0) throw std::runtime_error("command failed: " + command + "\n" + log());
}

void cluster::start() {
    run_as_owner(shell_quote(bin_ + "/pg_ctl") + " -D " + shell_quote(data_) + " -l " + shell_quote(dir_ + "/server.log") +
                 " -w -t 60 start >/dev/null");
    running_ = true;
}

void cluster::stop(const char* mode) {
    run_as_owner(shell_quote(bin_ + "/pg_ctl") + " -D " + shell_quote(data_) + " -m " + mode + " -w -t 60 stop >/dev/null");
    running_ = false;
}

void cluster::shut_down() { stop("fast"); }
void cluster::start_up() { start(); }

void cluster::restart(bool immediate) {
    stop(immediate ? "immediate" : "fast");
    start();
}

namespace {

/// The processes whose parent is `parent` (from /proc).
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        std::getline(stat, line);
        // "pid (command) state ppid ...": the command may hold spaces and parentheses.
        const auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 1));
        std::string state;
        pid_t ppid = 0;
        if (rest >> state >> ppid && ppid == parent) found.push_back(static_cast<pid_t>(std::stoi(name)));
    }
    return found;
}

/// Whether `pid` is (still) a PostgreSQL server process, not another that took its number.
bool is_postgres(pid_t pid) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    return std::getline(comm, name) && name == "postgres";
}

} // namespace

void cluster::kill_and_restart() {
    std::string pid_text;
    std::ifstream(data_ + "/postmaster.pid") >> pid_text;
    if (pid_text.empty()) throw std::runtime_error("no postmaster to kill");
    const pid_t postmaster = static_cast<pid_t>(std::stoi(pid_text));
    const std::vector<pid_t> children = children_of(postmaster);
    if (::kill(postmaster, SIGKILL) != 0) throw std::runtime_error("no postmaster to kill");
    running_ = false;
    // The children notice their postmaster is gone when they next wait, and exit; a new one
    // refuses to start while they still hold the old shared memory. One still running a long
    // statement after 10 s is killed too, as when the whole server is killed.
    const auto killed_at = std::chrono::steady_clock::now();
    bool stragglers_killed = false;
    for (int attempt = 0;; ++attempt) {
        try {
            start();
            return;
        } catch (const std::runtime_error&) {
            if (attempt == 100) throw;
            if (!stragglers_killed && std::chrono::steady_clock::now() - killed_at > std::chrono::seconds(10)) {
                for (const pid_t child : children)
                    if (is_postgres(child)) (void)::kill(child, SIGKILL);
                stragglers_killed = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
}

std::string cluster::conninfo(const std::string& db, const std::string& user) const {
    return "host=" + socket_dir_ + (port_ != 0 ? " port=" + std::to_string(port_) : "") + " dbname=" + db + " user=" + user;
}

connection cluster::connect(const std::string& db, const std::string& user) const {
    return connection(conninfo(db, user));
}

std::string cluster::log() const {
    std::ifstream in(dir_ + "/server.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace pgt::testing
