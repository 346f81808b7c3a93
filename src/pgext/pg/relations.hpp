#pragma once
// Relations and the dependencies recorded on them; functions looked up by name.

#include <initializer_list>
#include <string>
#include <vector>

#include "pg/oid.hpp"

namespace pgt::server {

/// Relation `name` in schema `schema`: 0 when there is none; an error when the schema is missing.
oid relation_oid(const char* schema, const char* name);
/// Relation `name` in schema `schema`: 0 when either is missing.
oid relation_oid_if_any(const char* schema, const std::string& name);
/// Whether schema `schema` has a function named `name` (with any arguments).
bool function_exists(const char* schema, const char* name);
/// The oid of this session's temporary table `name`, or 0.
oid temporary_relation_oid_if_any(const std::string& name);
/// The size of relation `relid`'s main fork in bytes (ACCESS SHARE lock), 0 when it is gone or
/// has no storage.
long long main_fork_bytes(oid relid);
/// The server's shared buffers (shared_buffers, in pages): a relation's truncation scans every
/// one's header at its commit, whatever the relation's size.
long long shared_buffer_count();
/// The attribute number of relation `relid`'s column `name`, 0 when it has none.
short attribute_number(oid relid, const char* name);
/// The type of relation `relid`'s attribute `attnum`.
oid attribute_type(oid relid, short attnum);
/// Whether relation `relid` has a column named `name`.
bool has_column(oid relid, const char* name);
/// Collation `collation` for a COLLATE clause: quoted and schema-qualified.
std::string qualified_collation(oid collation);
/// The collation of relation `relid`'s column `name` (qualified_collation) where it is not its
/// type's default one (`COLLATE "C"` in its definition); empty otherwise.
std::string column_collation(oid relid, const char* name);
/// The names of relation `relid`'s valid indexes whose first key is its column `column` (read
/// from the relation cache: no statement). Takes an ACCESS SHARE lock on the relation.
std::vector<std::string> indexes_led_by(oid relid, const char* column);
/// How many of relation `relid`'s triggers named in `names` fire in every session, whatever its
/// session_replication_role (ENABLE ALWAYS). Takes an ACCESS SHARE lock on the relation.
int triggers_firing_always(oid relid, std::initializer_list<const char*> names);
/// Whether relation `relid` has a trigger whose name starts with `prefix`, read from the
/// relation cache (no lock: the caller holds one, as the executor does on its targets).
bool has_trigger_prefixed(oid relid, const char* prefix);

/// Whether the current transaction wrote the generation expression of a generated column of
/// relation `relid` (ALTER TABLE … SET EXPRESSION, ADD COLUMN … GENERATED): the column's values
/// changed without a write that capture sees (a virtual column's are not even rewritten).
bool generation_expression_written(oid relid);
/// Locks relation `relid` in SHARE ROW EXCLUSIVE mode until the end of the transaction (as
/// CREATE TRIGGER does): waits for its writers, and its new writers wait. No privilege check.
void block_writers(oid relid);
/// Locks relation `relid` in ACCESS EXCLUSIVE mode until the end of the transaction when no
/// other transaction holds a lock on it (then none is writing to it); false, without waiting,
/// when one does.
bool lock_if_unused(oid relid);
/// Releases the lock lock_if_unused took, before the end of the transaction: for a relation
/// the transaction has not written since.
void release_unused_lock(oid relid);
/// Empties table `relid` (and its TOAST table) at once, not at commit: its file is cut to no
/// pages, as VACUUM cuts a table's empty tail, and keeps its number, so that the plans reading
/// it stay valid (TRUNCATE gives it a new file, which invalidates them). Not undone by an
/// abort, and replayed after a crash whether the transaction committed or not: only for rows no
/// one will ever need. Requires lock_if_unused's lock; for a table without indexes.
void empty_in_place(oid relid);

/// Locks object `object` of catalog `catalog` (a lock on the object's row as an object, not on
/// the row) in EXCLUSIVE mode until the end of the transaction.
void lock_object(oid catalog, oid object);

/// Makes `DROP EXTENSION pg_trickle` drop the object too (a dependency of kind 'auto'):
/// `catalog` is e.g. "pg_class" or "pg_trigger".
void depend_on_extension(const std::string& catalog, oid object);

/// An object a defining query calls or reads besides its tables: a function, an operator or a
/// view (whose definition it inlines).
struct query_object {
    enum class kind { function, operator_, view };
    kind what;
    oid id;
    friend auto operator<=>(const query_object&, const query_object&) = default;
};
/// Records that the stream table stored in `relid` depends on these objects (pg_depend, kind
/// 'normal', as a view depends on what it calls): they cannot be dropped without it, and a
/// redefinition of one finds the stream tables to recompute.
void depend_on(oid relid, const std::vector<query_object>& objects);

} // namespace pgt::server
