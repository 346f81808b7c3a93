#pragma once
// IMMEDIATE stream tables: maintained at the end of each statement that changes one of their
// sources, inside the writing transaction.
//
// The capture triggers write each statement's changes to the change buffers, as for
// DIFFERENTIAL, and report the source here. When the statement has finished (its AFTER
// triggers included) and no enclosing statement is still changing data, every IMMEDIATE stream
// table reading a reported source is refreshed differentially in the same transaction; writes
// to a stream table that is itself a source are reported in turn, so chains cascade. A
// rolled-back statement or subtransaction takes its buffer rows and its refreshes with it.

namespace pgt::ext::immediate {

/// From the capture trigger: `source_relid` (a captured source, partitions reported as their
/// root) changed in the current statement.
void source_changed(unsigned source_relid);

/// The IMMEDIATE stream tables reading `source_relid` changed (created, dropped, altered):
/// every backend forgets what it knew of that source's readers (at this transaction's commit).
void readers_changed(unsigned source_relid);

/// Installs the executor, utility and transaction hooks; from _PG_init.
void install_hooks();

} // namespace pgt::ext::immediate
