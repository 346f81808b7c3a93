// SQL functions of WAL capture.
#include "capture/wal_capture.hpp"
#include "pg/function.hpp"

/// pgtrickle._wal_plugin_allowed(): whether logical decoding may load pg_trickle here.
PGT_FUNCTION(pgt_wal_plugin_allowed) { PG_RETURN_BOOL(pgt::ext::wal::plugin_allowed()); }
