#pragma once
// A worker's connection to its database. A server crash surfaces as connection_lost (whatever
// the statement was), after which reconnect() waits for the server's crash recovery.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pg_cluster.hpp"

namespace pgt::fuzz {

struct connection_lost : std::runtime_error {
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

private:
    template <class F>
    auto guarded(F run);

    std::string conninfo_;
    std::optional<testing::connection> conn_;
};

} // namespace pgt::fuzz
