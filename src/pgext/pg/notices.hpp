#pragma once
// Messages to the client and the server log.

#include <string>

namespace pgt::server {

void notice(const std::string& message);
void warning(const std::string& message, const std::string& detail = {});
/// A line in the server log only.
void log(const std::string& message);
/// A line in the server log only, with the SQLSTATE of the error it reports.
void log(const std::string& message, const std::string& sqlstate);

} // namespace pgt::server
