#include "immediate/immediate_target.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "pgt/error.hpp"

#include "pg/virtual_columns.hpp"
#include "catalog/catalog_oids.hpp"
#include "catalog/maintainers.hpp"
#include "immediate/immediate_rows.hpp"
#include "pg/analyzer.hpp"
#include "pg/catalog_rows.hpp"
#include "pg/invalidation.hpp"
#include "pg/kept_rows.hpp"
#include "pg/gucs.hpp"
#include "pg/roles.hpp"
#include "pg/transactions.hpp"
#include "pg/spi.hpp"
#include "refresh/compiled.hpp"
#include "refresh/owner_rights.hpp"
#include "refresh/refresh.hpp"

namespace pgt::ext::immediate {

namespace {

using server::row_version;

/// A set-based statement applying the rows of a writer's statements.
struct delta_statement {
    spi::plan plan;
    bool counted = false; ///< lower::refresh_plan::counted
    std::optional<std::string> recompute_because; ///< costlier_than_recompute's answer
};

struct target {
    row_version row;
    /// Its catalog row may have changed (an invalidation of the catalog was heard): read the
    /// row's version again before the next use.
    bool stale = false;
    stream_table st;
    target_shape shape;
    std::vector<unsigned> sources;                ///< the compiled query's sources, by position
    std::map<unsigned long long, delta_statement> plans; ///< by changed sources
    std::map<std::size_t, row_merge> row_merges;  ///< by source position
    bool plans_stale = false; ///< a source changed shape: prepare them again (not while one runs)
    server::settings_memo settings; ///< whether the writer's settings differ from the recorded ones
    std::optional<bool> raises_on_data; ///< server::analyzer::may_raise_on_data of its query, once known
};

std::map<long long, std::unique_ptr<target>>& targets() {
    static std::map<long long, std::unique_ptr<target>> t;
    return t;
}

/// Stream table `id`'s catalog row version, read through the primary key with a fresh catalog
/// snapshot (no SQL: this runs at the end of every writing statement).
std::optional<row_version> current_row(long long id) {
    const auto& oids = stream_table_catalog_oids();
    return server::row_version_by_key(oids.table, oids.primary_key, id);
}

/// The catalog whose invalidations mark every target stale.
unsigned watched_catalog = 0;

/// The target as its catalog row is now (reloaded when the row changed), or null. A catalog
/// that announces changes of IMMEDIATE rows spares the look at the row while none was heard.
target* current(long long id) {
    auto& all = targets();
    auto it = all.find(id);
    const auto& catalog = stream_table_catalog_oids();
    watched_catalog = catalog.table;
    if (it != all.end() && catalog.announces_changes && !it->second->stale) return it->second.get();
    const auto row = current_row(id);
    if (!row) {
        if (it != all.end()) all.erase(it);
        return nullptr;
    }
    if (it != all.end() && it->second->row == *row) {
        it->second->stale = false;
        return it->second.get();
    }
    if (it != all.end()) all.erase(it);
    server::role_scope as_ext(server::extension_owner(), false);
    auto st = stream_table_by_id(id);
    if (!st || st->refresh_mode != mode::immediate) return nullptr;
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

/// An ephemeral named relation over `rows` (an empty one when null), with `source`'s row type
/// (as capture keeps its rows: virtual generated columns computed).
void register_rows(const std::string& name, unsigned source, Tuplestorestate* rows) {
    server::kept_rows::register_as_relation(name, source, rows);
}

void forget_plans(server::oid relid) {
    // A source's columns may have changed: delta statements over its rows are prepared again.
    // Invalidations arrive at any time, a statement of this backend may be running: only marked.
    for (auto& [id, t] : targets()) {
        if (relid == 0 || t->st.relid == relid || std::ranges::find(t->sources, relid) != t->sources.end())
            t->plans_stale = true;
        if (relid == 0 || relid == watched_catalog) t->stale = true;
    }
}

/// Applies the statements' `changes` to target `t` differentially: row by row where it can,
/// else one set-based statement over the changed rows. False when that statement is priced
/// above recomputing (costlier_than_recompute): the caller recomputes.
bool absorb(target& t, compiled_query& comp, unsigned owner, const std::vector<source_delta>& changes) {
    // A connection of its own: the relations registered below are this stream table's.
    spi::session spi;
    if (std::exchange(t.plans_stale, false)) {
        t.plans.clear();
        t.row_merges.clear();
    }
    // One source changed by a statement of a row or two (INSERT, UPDATE or DELETE of one row):
    // each row is merged by itself, where the stream table absorbs rows one by one.
    if (changes.size() == 1 && few_rows(changes[0])) {
        const auto at = std::ranges::find(t.sources, changes[0].source);
        if (at != t.sources.end()) {
            const auto i = static_cast<std::size_t>(at - t.sources.begin());
            auto& m = t.row_merges[i];
            if (!m.prepared()) m.prepare(comp, i, changes[0].source);
            if (m.usable()) {
                server::role_scope as_owner(owner, true);
                server::refresh_writes_scope writes;
                m.merge(changes[0]);
                return true;
            }
        }
    }
    unsigned long long changed = 0;
    for (const auto& c : changes) {
        const auto at = std::ranges::find(t.sources, c.source);
        if (at == t.sources.end()) continue;
        const auto i = static_cast<std::size_t>(at - t.sources.begin());
        changed |= 1ULL << i;
        register_rows(compiled_query::inserted_rows(i), c.source, c.inserted);
        register_rows(compiled_query::deleted_rows(i), c.source, c.deleted);
    }
    if (changed == 0) return true;
    auto& d = t.plans[changed];
    if (!d.plan.valid()) {
        const auto statement = comp.immediate_statement(changed);
        d.plan = spi::plan(statement.statement, 0, true);
        d.counted = statement.counted;
        // (Priced once its changed rows are registered: the planner counts them.)
        d.recompute_because = costlier_than_recompute(t.st, comp, owner, d.plan);
    }
    if (d.recompute_because) return false;
    apply_delta(comp, owner, d.plan, d.counted, {}, nullptr);
    return true;
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
    if (!t || t->st.status == st_status::suspended || !t->st.is_populated) return;
    maintainers::check_and_record(id);
    // Its SQL runs with the owner's rights and means what it meant at its creation, whatever
    // the writer's settings.
    const server::query_settings_scope settings(t->st.settings, &t->settings);
    auto& comp = compiled_for(t->st);
    t->sources.clear();
    for (const auto& s : comp.sources) t->sources.push_back(s->oid);
    const unsigned owner = checked_owner(t->st, t->sources, false);
    auto recompute = [&] {
        // (From the writing statement's AFTER trigger: its writes must be in the recomputation.)
        server::see_own_writes();
        const spi::snapshot snap;
        reload(t->st, comp, owner, snap);
    };
    if (std::ranges::any_of(changes, [](const source_delta& c) { return c.truncated; })) return recompute();
    // A query that cannot fail on any row is maintained as is; otherwise in a subtransaction,
    // recomputed in full when its maintenance fails on data the query itself never evaluates
    // (on_data_exception). (Not always: a subtransaction per statement costs writers time,
    // and a transaction with more than 64 that write slows every snapshot taken meanwhile.)
    if (!t->raises_on_data) t->raises_on_data = server::analyzer::may_raise_on_data(t->st.defining_query);
    auto maintained = [&] {
        if (!absorb(*t, comp, owner, changes)) recompute();
    };
    if (!*t->raises_on_data) return maintained();
    on_data_exception(t->st, maintained, "its IMMEDIATE maintenance", recompute, "recomputed in full");
}

void install_target_invalidation() { server::on_relation_change(forget_plans); }

} // namespace pgt::ext::immediate
