#pragma once
// Reasons that group: a server error's SQLSTATE and the first line of its message, with what
// varies between queries of one cause (literals, numbers, sqlsmith's aliases and column names,
// our stream tables' names) replaced by placeholders.

#include <string>

#include "pg_cluster.hpp"

namespace pgt::fuzz {

/// `message` (first line, without its severity) with the varying parts replaced.
std::string normalized_message(const std::string& message);

/// "SQLSTATE normalized message".
std::string reason_of(const testing::server_error& e);

/// The reason is a statement timeout (57014).
bool is_timeout(const std::string& reason);

/// The error is the connection's loss (the server crashed, was stopped, or the socket closed).
bool is_connection_loss(const testing::server_error& e);

} // namespace pgt::fuzz
