#pragma once
// Virtual generated columns (PostgreSQL 18) are computed when a query reads them: the rows of
// transition tables and of the WAL hold NULL in their place. Capture computes them from the
// row's stored columns as a read would, so that change buffers and IMMEDIATE maintenance see
// the values the table shows. Call these under pg::call.

extern "C" {
typedef struct RelationData* Relation;
typedef struct TupleDescData* TupleDesc;
typedef struct TupleTableSlot TupleTableSlot;
}

#include <cstdint>

namespace pgt::server {

struct virtual_columns;

/// The generation expressions of `rel`'s virtual generated columns, ready to evaluate in an
/// executor state of their own (in the current memory context), or nullptr when it has none
/// (always before PostgreSQL 18).
virtual_columns* virtual_columns_of(Relation rel);

/// Computes the virtual generated columns of a row of that table in place: `values` and
/// `nulls` hold all its attributes, deformed. By-reference results live until the next call.
void compute_virtual_columns(virtual_columns* v, std::uintptr_t* values, bool* nulls);

/// `row` (a row of that table, from a transition table) with its virtual generated columns
/// computed: a virtual slot of `v`, valid until the next call.
TupleTableSlot* with_virtual_columns(virtual_columns* v, TupleTableSlot* row);

void free_virtual_columns(virtual_columns* v);

/// The row type of relation `relid`'s rows as capture keeps them, for queries that read them:
/// nullptr when it has no virtual generated columns (its own serves), else a copy (in the
/// current memory context) in which they are plain columns, whose values capture computed (a
/// scan of a column still marked virtual fails: "unexpected virtual generated column").
TupleDesc kept_row_type(unsigned relid);

} // namespace pgt::server
