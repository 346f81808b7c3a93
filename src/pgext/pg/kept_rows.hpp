#pragma once
// Rows kept in tuplestores for the rest of the transaction: a statement's transition rows, as
// IMMEDIATE maintenance keeps them until the statement ends, then hands them to SQL as
// ephemeral named relations (Tuplestorestate, TupleDesc and TupleTableSlot opaque here).

#include <cstdint>
#include <string>
#include <vector>

#include "pg/oid.hpp"

extern "C" {
struct TriggerData;
typedef struct Tuplestorestate Tuplestorestate;
typedef struct TupleDescData* TupleDesc;
typedef struct TupleTableSlot TupleTableSlot;
}

namespace pgt::server::kept_rows {

/// Appends the rows of the statement that fired `td` (a statement-level trigger with transition
/// tables) to `*deleted` (old rows) and `*inserted` (new rows), each made on first use, in the
/// row format of table `root` (a partition's rows converted to its root's), their virtual
/// generated columns computed. They live in memory (and temporary files) that last the
/// transaction, whichever subtransaction kept them.
void keep(TriggerData* td, oid root, Tuplestorestate** deleted, Tuplestorestate** inserted);
/// The rows of `first` (if any) then `second`, of table `table`, in a new store of the same
/// lifetime.
Tuplestorestate* concatenate(oid table, Tuplestorestate* first, Tuplestorestate* second);
/// Frees a store (and its temporary file).
void release(Tuplestorestate* rows);
/// The same from a transaction callback, which no C++ boundary encloses: not guarded (an error
/// there, which freeing does not raise in practice, stays a PostgreSQL error).
void release_in_callback(Tuplestorestate* rows);
/// The transaction ended: what was kept went with it.
void forget_all();

/// How many rows a store holds (0 for none).
std::int64_t count(Tuplestorestate* rows);

/// Registers `rows` (or an empty store) with the current SPI connection as relation `name`,
/// of table `table`'s row type as capture keeps it.
void register_as_relation(const std::string& name, oid table, Tuplestorestate* rows);

/// A copy of table `table`'s row type (with its columns' missing values), kept until freed.
TupleDesc copy_row_type(oid table);
void free_row_type(TupleDesc type);

/// The values of attributes `columns` (attribute numbers) of one row, read in a row type, as
/// SPI binds them: Datums and a nulls string (' ' or 'n').
struct row_values {
    std::vector<std::uintptr_t> values;
    std::string nulls;
};
/// Reads every row of `rows` (from its start) in row type `type`. By-reference values point
/// into the slots appended to `slots`, which hold them until drop_slots.
std::vector<row_values> read(Tuplestorestate* rows, TupleDesc type, const std::vector<short>& columns,
                             std::vector<TupleTableSlot*>& slots);
void drop_slots(const std::vector<TupleTableSlot*>& slots);

} // namespace pgt::server::kept_rows
