#pragma once
// Commits that other sessions may see before their WAL reaches the disk (synchronous_commit =
// off), tracked in shared memory: a reader of the WAL that must see every commit its snapshot
// sees then flushes only when such a commit may still be unflushed, instead of at every read.

#include <cstdint>

namespace pgt::server::async_commits {

/// Reserves the shared memory and registers the commit callback; from _PG_init while
/// preloading (every process then counts its commits), before install_derived_commit (so that
/// the callback runs after the one that makes a refresh's commit asynchronous).
void install();

/// A WAL position up to which every commit seen by a snapshot taken before the call is
/// flushed (and so readable): the flushed end once the asynchronous commits published so far
/// are flushed, or the whole WAL inserted flushed when one may be committing now (or nothing
/// is tracked: the library was not preloaded). Stream table refreshes' own asynchronous
/// commits are not counted: they write no table whose changes are read from the WAL.
std::uint64_t flush_visible_commits();

} // namespace pgt::server::async_commits
