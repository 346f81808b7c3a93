#include "pg/catalog_rows.hpp"

#include "pg/guard.hpp"

extern "C" {
#include <access/genam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <utils/fmgroids.h>
}

namespace pgt::server {

std::optional<row_version> row_version_by_key(oid table, oid index, std::int64_t key) {
    row_version v;
    const bool found = pg::call([&] {
        Relation catalog = table_open(table, AccessShareLock);
        ScanKeyData scan_key;
        ScanKeyInit(&scan_key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key));
        SysScanDesc scan = systable_beginscan(catalog, index, true, nullptr, 1, &scan_key);
        HeapTuple tuple = systable_getnext(scan);
        const bool any = HeapTupleIsValid(tuple);
        if (any) {
            v.block = ItemPointerGetBlockNumberNoCheck(&tuple->t_self);
            v.offset = ItemPointerGetOffsetNumberNoCheck(&tuple->t_self);
            v.xmin = HeapTupleHeaderGetRawXmin(tuple->t_data);
        }
        systable_endscan(scan);
        table_close(catalog, AccessShareLock);
        return any;
    });
    if (!found) return std::nullopt;
    return v;
}

} // namespace pgt::server
