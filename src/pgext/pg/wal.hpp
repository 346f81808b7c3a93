#pragma once
// The write-ahead log, as change capture from it needs.

#include <cstdint>

namespace pgt::server {

/// wal_level is logical: changes can be decoded from the WAL.
bool wal_level_logical();
/// Writes a running-transactions WAL record now (as the background writer does every 15 s) and
/// flushes the WAL to its end, which it returns: logical decoding reads only flushed WAL, and
/// commits made with synchronous_commit = off may not be flushed yet.
std::uint64_t log_running_transactions_and_flush();
/// Where the next WAL record goes: every transaction that committed so far has its commit
/// record before it.
std::uint64_t insert_position();

} // namespace pgt::server
