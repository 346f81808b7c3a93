#pragma once
// DROP DATABASE of a database pg_trickle serves: its scheduler and refresh workers are connected
// to it (DROP DATABASE would fail with "database is being accessed by other users") and may be
// decoding from its WAL capture slot (it would fail with "database is used by an active logical
// replication slot", even WITH (FORCE), which checks slots before it ends sessions). A utility
// hook ends them first and keeps the launcher from starting them again for a while; DROP
// DATABASE then drops the database's inactive slots itself.

namespace pgt::sched {

/// Installs the utility hook; from _PG_init when loaded through shared_preload_libraries.
void install_drop_database_hook();

} // namespace pgt::sched
