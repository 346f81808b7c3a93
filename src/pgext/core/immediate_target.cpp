#include "core/immediate_target.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "pgt/error.hpp"

#include "core/catalog_oids.hpp"
#include "core/compiled.hpp"
#include "core/maintainers.hpp"
#include "core/owner_rights.hpp"
#include "core/refresh.hpp"
#include "pg/guard.hpp"
#include "pg/server.hpp"
#include "pg/spi.hpp"

extern "C" {
#include <access/genam.h>
#include <access/htup_details.h>
#include <access/table.h>
#include <executor/tuptable.h>
#include <utils/fmgroids.h>
#include <utils/inval.h>
#include <utils/queryenvironment.h>
#include <utils/tuplestore.h>
}

namespace pgt::ext::immediate {

namespace {

/// A version of a catalog row: it changes whenever the row is updated.
struct row_version {
    ItemPointerData tid{};
    TransactionId xmin = InvalidTransactionId;
    bool operator==(const row_version& o) const {
        return ItemPointerGetBlockNumberNoCheck(&tid) == ItemPointerGetBlockNumberNoCheck(&o.tid) &&
               ItemPointerGetOffsetNumberNoCheck(&tid) == ItemPointerGetOffsetNumberNoCheck(&o.tid) && xmin == o.xmin;
    }
};

/// A statement prepared on its first run: a backend should not plan the ones it never needs.
struct lazy_plan {
    std::string sql;
    std::vector<unsigned> types;
    spi::plan plan;
    std::uint64_t run(const std::vector<std::uintptr_t>& values, const std::string& nulls) {
        if (!plan.valid()) plan = spi::plan(sql, types, true);
        return plan.execute_values(values, nulls);
    }
};

/// The statements merging one changed row of a source (compiled_query::immediate_row_statements),
/// and where their parameters come from in the source's rows.
struct row_merge {
    bool prepared = false; ///< looked at
    bool usable = false;   ///< the stream table absorbs rows one by one
    lazy_plan update, merge;
    lazy_plan pair; ///< a row updated: both versions folded into their group by one UPDATE
    std::vector<AttrNumber> columns; ///< attribute numbers of the parameters, in order
};

struct target {
    row_version row;
    stream_table st;
    target_shape shape;
    std::vector<unsigned> sources;                ///< the compiled query's sources, by position
    std::map<unsigned long long, std::pair<spi::plan, bool>> plans; ///< delta statements (counted?), by changed sources
    std::map<std::size_t, row_merge> row_merges;  ///< by source position
    bool plans_stale = false; ///< a source changed shape: prepare them again (not while one runs)
};

/// A statement changed at most this many rows of one source: they are merged one at a time.
constexpr std::int64_t few_rows = 2;

std::map<long long, std::unique_ptr<target>>& targets() {
    static std::map<long long, std::unique_ptr<target>> t;
    return t;
}

/// Stream table `id`'s catalog row version, read through the primary key with a fresh catalog
/// snapshot (no SQL: this runs at the end of every writing statement).
std::optional<row_version> current_row(long long id) {
    row_version v;
    const bool found = pg::call([&] {
        const auto& oids = stream_table_catalog_oids();
        Relation catalog = table_open(oids.table, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
        SysScanDesc scan =
            systable_beginscan(catalog, oids.primary_key, true, nullptr, 1, &key);
        HeapTuple tuple = systable_getnext(scan);
        const bool any = HeapTupleIsValid(tuple);
        if (any) {
            v.tid = tuple->t_self;
            v.xmin = HeapTupleHeaderGetRawXmin(tuple->t_data);
        }
        systable_endscan(scan);
        table_close(catalog, AccessShareLock);
        return any;
    });
    if (!found) return std::nullopt;
    return v;
}

/// The target as its catalog row is now (reloaded when the row changed), or null.
target* current(long long id) {
    auto& all = targets();
    const auto row = current_row(id);
    auto it = all.find(id);
    if (!row) {
        if (it != all.end()) all.erase(it);
        return nullptr;
    }
    if (it != all.end() && it->second->row == *row) return it->second.get();
    if (it != all.end()) all.erase(it);
    server::role_scope as_ext(server::extension_owner(), false);
    auto st = stream_table_by_id(id);
    if (!st || st->refresh_mode != "IMMEDIATE") return nullptr;
    auto t = std::make_unique<target>();
    t->row = *row;
    t->st = *st;
    t->shape.relid = st->relid;
    for (const auto& r : spi::prepared("SELECT s.pgt_id::text FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s "
                                       "ON s.pgt_relid = d.source_relid WHERE d.pgt_id = $1::int8",
                                       1)
                              .query({std::to_string(id)}))
        t->shape.upstream.push_back(std::stoll(*r[0]));
    return all.emplace(id, std::move(t)).first->second.get();
}

/// An ephemeral named relation over `rows` (an empty one when null), with `source`'s row type.
void register_rows(const std::string& name, unsigned source, Tuplestorestate* rows) {
    pg::call([&] {
        auto* enr = static_cast<EphemeralNamedRelation>(palloc0(sizeof(EphemeralNamedRelationData)));
        enr->md.name = pstrdup(name.c_str());
        enr->md.reliddesc = source;
        enr->md.tupdesc = nullptr;
        enr->md.enrtype = ENR_NAMED_TUPLESTORE;
        enr->reldata = rows ? rows : tuplestore_begin_heap(false, false, work_mem);
        enr->md.enrtuples = static_cast<double>(tuplestore_tuple_count(static_cast<Tuplestorestate*>(enr->reldata)));
        if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER) elog(ERROR, "could not register %s", name.c_str());
    });
}

/// The row merge of source `i` of `t`, its statements lowered on first use.
row_merge& row_merge_of(target& t, const compiled_query& comp, std::size_t i) {
    row_merge& m = t.row_merges[i];
    if (m.prepared) return m;
    m.prepared = true;
    const auto statements = comp.immediate_row_statements(t.st, i);
    if (!statements) return m;
    std::vector<unsigned> types;
    pg::call([&] {
        Relation source = table_open(t.sources[i], AccessShareLock);
        const TupleDesc desc = RelationGetDescr(source);
        for (const auto& c : comp.sources[i]->columns)
            for (int a = 0; a < desc->natts; ++a)
                if (!TupleDescAttr(desc, a)->attisdropped && c.name == NameStr(TupleDescAttr(desc, a)->attname)) {
                    m.columns.push_back(static_cast<AttrNumber>(a + 1));
                    types.push_back(TupleDescAttr(desc, a)->atttypid);
                }
        table_close(source, AccessShareLock);
    });
    if (m.columns.size() != comp.sources[i]->columns.size()) return m; // (a column renamed under it: the general path)
    types.push_back(INT8OID);
    auto both = types;
    both.insert(both.end(), types.begin(), types.end());
    m.update = {statements->update_first, types, {}};
    m.merge = {statements->statement, types, {}};
    m.pair = {comp.immediate_pair_statement(t.st, i), both, {}};
    m.usable = true;
    return m;
}

std::int64_t row_count(Tuplestorestate* rows) { return rows ? tuplestore_tuple_count(rows) : 0; }

/// Merges `change` (at most few_rows rows of one source) with `m`: a row updated (one row out,
/// one in) by the pair UPDATE when both versions belong to a stored group that stays; otherwise
/// each row, the deleted first, by its UPDATE or, when that changed nothing, its MERGE.
void merge_rows(row_merge& m, const source_delta& change) {
    struct bound_row {
        std::vector<std::uintptr_t> values;
        std::string nulls;
    };
    std::vector<bound_row> rows;
    std::vector<TupleTableSlot*> slots; // the rows' values point into them
    Relation rel = pg::call([&] { return table_open(change.source, AccessShareLock); });
    for (const auto& [store, weight] : {std::pair{change.deleted, -1L}, std::pair{change.inserted, 1L}}) {
        if (!store) continue;
        pg::call([&] {
            tuplestore_select_read_pointer(store, 0);
            tuplestore_rescan(store);
            for (;;) {
                TupleTableSlot* slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);
                if (!tuplestore_gettupleslot(store, true, false, slot)) {
                    ExecDropSingleTupleTableSlot(slot);
                    break;
                }
                slots.push_back(slot);
                bound_row r{std::vector<std::uintptr_t>(m.columns.size() + 1), std::string(m.columns.size() + 1, ' ')};
                for (std::size_t c = 0; c < m.columns.size(); ++c) {
                    bool isnull = false;
                    r.values[c] = slot_getattr(slot, m.columns[c], &isnull);
                    r.nulls[c] = isnull ? 'n' : ' ';
                }
                r.values.back() = Int64GetDatum(weight);
                rows.push_back(std::move(r));
            }
        });
    }
    const bool updated = !m.pair.sql.empty() && row_count(change.deleted) == 1 && row_count(change.inserted) == 1 && [&] {
        auto values = rows[0].values;
        values.insert(values.end(), rows[1].values.begin(), rows[1].values.end());
        return m.pair.run(values, rows[0].nulls + rows[1].nulls) == 1;
    }();
    if (!updated)
        for (const auto& r : rows)
            if (m.update.sql.empty() || m.update.run(r.values, r.nulls) == 0) m.merge.run(r.values, r.nulls);
    pg::call([&] {
        for (TupleTableSlot* slot : slots) ExecDropSingleTupleTableSlot(slot);
        table_close(rel, AccessShareLock);
    });
}

void forget_plans(Datum, Oid relid) {
    // A source's columns may have changed: delta statements over its rows are prepared again.
    // Invalidations arrive at any time, a statement of this backend may be running: only marked.
    for (auto& [id, t] : targets())
        if (relid == InvalidOid || t->st.relid == relid || std::ranges::find(t->sources, relid) != t->sources.end())
            t->plans_stale = true;
}

} // namespace

const target_shape* shape_of(long long id) {
    target* t = current(id);
    return t ? &t->shape : nullptr;
}

void maintain(long long id, const std::vector<source_delta>& changes) {
    // Waits for a concurrent maintainer, refresh, ALTER or DROP of the stream table to end; what
    // they changed of its definition is seen after it (the lock takes in invalidations).
    maintainers::lock(id);
    target* t = current(id);
    if (!t || t->st.status == "SUSPENDED" || !t->st.is_populated) return;
    maintainers::check_and_record(id);
    auto& comp = compiled_for(t->st);
    t->sources.clear();
    for (const auto& s : comp.sources) t->sources.push_back(s->oid);
    const unsigned owner = checked_owner(t->st, t->sources, false);
    bool truncated = false;
    for (const auto& c : changes) truncated |= c.truncated;
    if (truncated) {
        const spi::snapshot snap;
        reload(t->st, comp, owner, snap);
        return;
    }
    // A connection of its own: the relations registered below are this stream table's.
    spi::session spi;
    if (std::exchange(t->plans_stale, false)) {
        t->plans.clear();
        t->row_merges.clear();
    }
    // One source changed by a statement of a row or two (INSERT, UPDATE or DELETE of one row):
    // each row is merged by itself, with a statement that neither consolidates nor aggregates,
    // where the stream table absorbs rows one by one as it would together.
    if (changes.size() == 1 && row_count(changes[0].inserted) + row_count(changes[0].deleted) <= few_rows) {
        const auto at = std::ranges::find(t->sources, changes[0].source);
        if (at != t->sources.end()) {
            row_merge& m = row_merge_of(*t, comp, static_cast<std::size_t>(at - t->sources.begin()));
            if (m.usable) {
                server::role_scope as_owner(owner, true);
                server::refresh_writes_scope writes;
                merge_rows(m, changes[0]);
                return;
            }
        }
    }
    unsigned long long changed = 0;
    for (const auto& c : changes) {
        const auto at = std::ranges::find(t->sources, c.source);
        if (at == t->sources.end()) continue;
        const auto i = static_cast<std::size_t>(at - t->sources.begin());
        changed |= 1ULL << i;
        register_rows(compiled_query::inserted_rows(i), c.source, c.inserted);
        register_rows(compiled_query::deleted_rows(i), c.source, c.deleted);
    }
    if (changed == 0) return;
    auto& [plan, counted] = t->plans[changed];
    if (!plan.valid()) {
        const auto statement = comp.immediate_statement(t->st, changed);
        plan = spi::plan(statement.statement, 0, true);
        counted = statement.counted;
    }
    apply_delta(comp, owner, plan, counted, {}, nullptr);
}

void install_target_invalidation() { CacheRegisterRelcacheCallback(forget_plans, 0); }

} // namespace pgt::ext::immediate
