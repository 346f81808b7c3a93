#include "pg/wal.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <access/xlog.h>
#include <storage/standby.h>
}

namespace pgt::server {

bool wal_level_logical() { return wal_level >= WAL_LEVEL_LOGICAL; }
std::uint64_t log_running_transactions_and_flush() {
    XLogRecPtr end = InvalidXLogRecPtr;
    pg::call([&] {
        end = LogStandbySnapshot();
        XLogFlush(end);
    });
    return end;
}

std::uint64_t insert_position() { return GetXLogInsertRecPtr(); }

} // namespace pgt::server
