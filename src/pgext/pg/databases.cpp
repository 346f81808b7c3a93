#include "pg/databases.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <access/heapam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <catalog/pg_database.h>
}

namespace pgt::server {

std::vector<database> connectable_databases() {
    std::vector<database> dbs;
    StartTransactionCommand();
    (void)GetTransactionSnapshot();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    while (HeapTuple tuple = heap_getnext(scan, ForwardScanDirection)) {
        auto* db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
        if (db->datallowconn && !db->datistemplate) dbs.push_back({db->oid, NameStr(db->datname)});
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();
    return dbs;
}

} // namespace pgt::server
