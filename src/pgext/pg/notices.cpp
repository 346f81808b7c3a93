#include "pg/notices.hpp"

#include "pg/guard.hpp"

namespace pgt::server {

namespace {
void report(int level, const std::string& message, const std::string& detail) {
    pg::call([&] {
        ereport(level, (errmsg_internal("%s", message.c_str()),
                        detail.empty() ? 0 : errdetail_internal("%s", detail.c_str())));
    });
}
} // namespace

void notice(const std::string& message) { report(NOTICE, message, {}); }
void warning(const std::string& message, const std::string& detail) { report(WARNING, message, detail); }
void log(const std::string& message) { report(LOG, message, {}); }
void log(const std::string& message, const std::string& sqlstate) {
    const char* c = sqlstate.c_str();
    pg::call([&] { ereport(LOG, (errcode(MAKE_SQLSTATE(c[0], c[1], c[2], c[3], c[4])), errmsg("%s", message.c_str()))); });
}

} // namespace pgt::server
