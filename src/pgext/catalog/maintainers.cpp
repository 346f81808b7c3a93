#include "catalog/maintainers.hpp"

#include <string>

#include "pgt/error.hpp"

#include "catalog/catalog_oids.hpp"
#include "pg/last_writers.hpp"
#include "pg/relations.hpp"
#include "pg/transactions.hpp"

namespace pgt::ext::maintainers {

void install() { server::last_writers::reserve(); }

void lock(long long id) { server::lock_object(stream_table_catalog_oids().table, static_cast<server::oid>(id)); }

void check_and_record(long long id) {
    const bool stale_matters = server::snapshot_per_transaction();
    if (!server::last_writers::available()) {
        if (stale_matters)
            throw error("55000", "IMMEDIATE maintenance at REPEATABLE READ or SERIALIZABLE needs pg_trickle in shared_preload_libraries",
                        "Without it, a writer could not tell whether another transaction changed the stream table after its snapshot.",
                        "Add pg_trickle to shared_preload_libraries, or write at READ COMMITTED.");
        return;
    }
    if (stale_matters && server::last_writers::changed_unseen(id))
        throw error("40001", "could not serialize access due to concurrent maintenance of a stream table",
                    "Another transaction changed stream table " + std::to_string(id) + " after this transaction's snapshot was taken.",
                    "Retry the transaction.");
    server::last_writers::record(id);
}

} // namespace pgt::ext::maintainers
