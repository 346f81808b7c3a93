#pragma once
// IMMEDIATE stream tables: maintained at the end of each statement that changes one of their
// sources, inside the writing transaction.
//
// The capture triggers hand each statement's transition rows here (kept per subtransaction, so
// that a rolled-back one takes its rows along). When the statement has finished (its AFTER
// triggers included) and no enclosing statement is still changing data, every IMMEDIATE stream
// table with rows it has not absorbed is maintained from them (immediate/immediate_target), upstream
// ones first; a stream table that changes is captured in turn, so chains cascade in the same
// transaction.

extern "C" {
typedef struct TriggerData TriggerData;
}

namespace pgt::ext::immediate {

/// From a capture trigger on `td`'s table, whose root (itself, or a partition's partitioned
/// table) IMMEDIATE stream tables read: keeps the statement's rows, converted to the root's
/// row format, or notes its TRUNCATE.
void keep_changes(TriggerData* td, unsigned root);

/// Installs the executor, utility and transaction hooks; from _PG_init.
void install_hooks();

} // namespace pgt::ext::immediate
