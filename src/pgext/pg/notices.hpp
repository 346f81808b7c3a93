#pragma once
// Messages to the client and the server log.

#include <string>

namespace pgt::server {

void notice(const std::string& message);
void warning(const std::string& message, const std::string& detail = {});
/// A line in the server log only.
void log(const std::string& message);

} // namespace pgt::server
